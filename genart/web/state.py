"""What the live page shows, kept up to date from progress events (no web stack, no torch).

:class:`LiveState` is the event callback: each event updates a few fields under a lock,
so the render thread pays a dictionary lookup and a handful of assignments per event.
The one expensive thing, taking a picture of the image being made, happens only while a
page is connected (``watchers > 0``), at most every ``preview_interval`` seconds, and
on the render thread itself, where the tensor is not being changed underneath.

The server thread reads :meth:`LiveState.snapshot` (plain JSON-able data) and the
latest picture (:meth:`LiveState.image`) whenever :attr:`LiveState.version` moved.
"""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any, Callable

import numpy as np

from ..core.events import (
    BatchFinished,
    BatchStarted,
    Event,
    Intermediate,
    ItemFinished,
    ItemStarted,
    Message,
    StageStarted,
    Step,
)
from .curve import Curve

PREVIEW_INTERVAL_S = 1.0  # seconds between two pictures of the image being made
PREVIEW_SIDE = 768  # long side of those pictures (px): enough for a browser pane
MAX_MESSAGES = 30
# Metric names, in order of preference, that the loss curve plots.
PRIMARY_METRICS = ("loss", "objective")


@dataclass
class ItemState:
    """One job of a batch as the page lists it."""

    index: int
    name: str
    status: str = "running"  # running, ok, skipped, failed
    seconds: float = 0.0
    error: str | None = None
    output: str | None = None


@dataclass
class StageState:
    """The current stage (scale, octave, phase), and the outer one (a frame) if any."""

    name: str = ""
    index: int = 0
    count: int = 0
    steps: int = 0
    outer: str = ""  # a stage with no steps of its own (a video/animation frame)


class LiveState:
    """The live view's model of a run; call it with every progress event.

    Args:
        preview_interval: least seconds between two pictures taken while watched.
        preview_side: long side (px) the pictures are shrunk to.
        clock: a monotonic clock (tests pass a fake one).

    Example::

        state = LiveState()
        state(StageStarted("scale 1/2 (64x48)", 0, 2, 10))
        state(Step(1, 10, {"loss": 3.2}))
        state.snapshot()["stage"]["name"]  # 'scale 1/2 (64x48)'
    """

    def __init__(
        self,
        *,
        preview_interval: float = PREVIEW_INTERVAL_S,
        preview_side: int = PREVIEW_SIDE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.preview_interval = preview_interval
        self.preview_side = preview_side
        self.version = 0  # moves on every change the page shows
        self.items_version = 0  # moves when the list of jobs changes
        self.watchers = 0  # connected pages; pictures are taken only while > 0
        self.closed = False
        self._started = clock()
        self._ended: float | None = None
        self._status = "waiting"  # waiting, running, done, interrupted, failed, stopped
        self._summary = ""
        self._command = ""
        self._total = 0
        self._items: dict[int, ItemState] = {}
        self._current: int | None = None
        self._item_started = self._started
        self._stage = StageState()
        self._step = 0
        self._metrics: dict[str, float] = {}
        self._first_step: tuple[int, float] | None = None  # (step, time) of the stage's first
        self._rate = 0.0  # seconds per step in the current stage
        self._curve = Curve()
        self._messages: deque[dict[str, str]] = deque(maxlen=MAX_MESSAGES)
        self._image: np.ndarray | str | None = None  # a picture (uint8 HxWx3) or a file path
        self.image_version = 0
        self._last_picture = -math.inf
        self._handlers: dict[type, Callable[[Any], None]] = {
            BatchStarted: self._batch_started,
            ItemStarted: self._item_started_event,
            ItemFinished: self._item_finished,
            BatchFinished: self._batch_finished,
            StageStarted: self._stage_started,
            Step: self._step_event,
            Intermediate: self._intermediate,
            Message: self._message,
        }

    # ------------------------------------------------------------------- events
    def __call__(self, event: Event) -> None:
        """Take one progress event (the render thread calls this)."""
        handler = self._handlers.get(type(event))
        if handler is None:
            return
        with self._lock:
            handler(event)
            self.version += 1
        picture = self._wanted_picture(event)
        if picture is not None:
            self._take_picture(picture)

    def _batch_started(self, ev: BatchStarted) -> None:
        self._started = self._clock()
        self._status = "running"
        self._command = ev.command
        self._total = ev.total

    def _item_started_event(self, ev: ItemStarted) -> None:
        self._status = "running"
        self._total = max(self._total, ev.total)
        self._items[ev.index] = ItemState(ev.index, ev.name, output=ev.output)
        self.items_version += 1
        self._current = ev.index
        self._item_started = self._clock()
        self._stage = StageState()
        self._step = 0
        self._metrics = {}
        self._first_step = None
        self._curve = Curve()

    def _item_finished(self, ev: ItemFinished) -> None:
        item = self._items.setdefault(ev.index, ItemState(ev.index, ev.name))
        item.status, item.seconds, item.error = ev.status, ev.seconds, ev.error
        item.output = ev.output or item.output
        self.items_version += 1
        if ev.status == "ok" and self.thumbnail_source(ev.index):
            self._image = item.output  # the finished picture replaces the last preview
            self.image_version += 1

    def _batch_finished(self, ev: BatchFinished) -> None:
        self._ended = self._clock()
        if ev.interrupted:
            self._status = "interrupted"
        elif ev.failed and not ev.done:
            self._status = "failed"
        else:
            self._status = "done"
        parts = [f"{ev.done} done"]
        parts += [f"{n} {what}" for n, what in ((ev.skipped, "skipped"), (ev.failed, "failed"), (ev.not_started, "not started")) if n]
        self._summary = ", ".join(parts)

    def _stage_started(self, ev: StageStarted) -> None:
        if self._status == "waiting":
            self._status = "running"
        if ev.steps == 0:  # an outer stage (a frame) whose inner stages carry the steps
            self._stage = StageState(outer=ev.name)
            return
        self._stage = StageState(ev.name, ev.index, ev.count, ev.steps, self._stage.outer)
        self._step = 0
        self._first_step = None
        self._rate = 0.0
        self._curve.mark(ev.name)
        self._last_picture = -math.inf  # a new resolution: show it at once

    def _step_event(self, ev: Step) -> None:
        now = self._clock()
        self._step = ev.step
        self._stage.steps = ev.steps or self._stage.steps
        self._metrics = {k: _number(v) for k, v in dict(ev.metrics).items()}
        if self._first_step is None:
            self._first_step = (ev.step, now)
        elif ev.step > self._first_step[0]:
            # Timed from the first step, so the stage's set-up does not count as a step.
            self._rate = (now - self._first_step[1]) / (ev.step - self._first_step[0])
        value = next((self._metrics[k] for k in PRIMARY_METRICS if k in self._metrics), None)
        if value is None and self._metrics:
            value = next(iter(self._metrics.values()))
        self._curve.add(value, key=self._primary_key())

    def _primary_key(self) -> str:
        return next((k for k in PRIMARY_METRICS if k in self._metrics), next(iter(self._metrics), ""))

    def _intermediate(self, ev: Intermediate) -> None:
        pass  # nothing to show but its picture, taken in __call__ when watched

    def _message(self, ev: Message) -> None:
        if ev.level != "debug":
            self._messages.append({"level": ev.level, "text": ev.text})

    # ----------------------------------------------------------------- pictures
    def _wanted_picture(self, event: Event) -> Callable[[], Any] | None:
        """What to take a picture from, if a page is watching and one is due."""
        if not self.watchers:  # the unwatched fast path: no clock, no copy
            return None
        if isinstance(event, Step):
            getter = event.preview
        elif isinstance(event, Intermediate):
            getter = lambda: event.image  # noqa: E731
        else:
            return None
        if getter is None or self._clock() - self._last_picture < self.preview_interval:
            return None
        return getter

    def _take_picture(self, getter: Callable[[], Any]) -> None:
        self._last_picture = self._clock()
        try:
            picture = to_picture(getter(), self.preview_side)
        except Exception:  # noqa: BLE001 - a failed preview must never stop the render
            return
        with self._lock:
            self._image = picture
            self.image_version += 1
            self.version += 1

    def picture_wanted(self) -> None:
        """Take the next picture offered without waiting (a page just connected)."""
        self._last_picture = -math.inf

    # ------------------------------------------------------------ server side
    def connect(self) -> None:
        """A page connected: pictures are taken from now on."""
        with self._lock:
            self.watchers += 1
            self._last_picture = -math.inf

    def disconnect(self) -> None:
        with self._lock:
            self.watchers = max(0, self.watchers - 1)

    def close(self) -> None:
        """The run is over (whatever happened): pages get a last update and stop."""
        with self._lock:
            if self._status in ("waiting", "running"):
                self._status = "stopped"
                self._ended = self._clock()
            self.closed = True
            self.version += 1

    def image(self) -> tuple[int, np.ndarray | str | None]:
        """The latest picture's version and the picture (uint8 HxWx3, or a file path)."""
        with self._lock:
            return self.image_version, self._image

    def thumbnail_source(self, index: int) -> str | None:
        """The output file of finished item ``index``, if it has one to show."""
        item = self._items.get(index)
        if item is None or item.status != "ok" or not item.output or item.output == "-":
            return None
        return item.output

    def thumbnail_indices(self) -> list[int]:
        """Finished jobs with an output to show."""
        with self._lock:
            return [i for i in sorted(self._items) if self.thumbnail_source(i)]

    def snapshot(self, *, items: bool = True) -> dict[str, Any]:
        """Everything the page shows, as JSON-able data.

        ``items=False`` leaves out the list of jobs (``"items": None``): a page that has
        the list at ``items_version`` needs it again only when that moves, and a batch
        may have thousands of jobs.
        """
        with self._lock:
            now = self._clock() if self._ended is None else self._ended
            listed = [self._item_dict(i) for i in sorted(self._items)] if items else None
            return {
                "version": self.version,
                "status": self._status,
                "summary": self._summary,
                "command": self._command,
                "elapsed": now - self._started,
                "stage": asdict(self._stage),
                "step": self._step,
                "metrics": self._metrics,
                "eta_stage": self._eta_stage(),
                "eta_batch": self._eta_batch(now),
                "seconds_per_step": self._rate or None,
                "curve": self._curve.as_dict(),
                "total": self._total,
                "current": self._current,
                "items": listed,
                "items_version": self.items_version,
                "finished": sum(1 for i in self._items.values() if i.status != "running"),
                "messages": list(self._messages),
                "image": self.image_version,
                "closed": self.closed,
            }

    def _item_dict(self, index: int) -> dict[str, Any]:
        item = asdict(self._items[index])
        item["thumb"] = self.thumbnail_source(index) is not None
        return item

    def _eta_stage(self) -> float | None:
        if not self._rate or self._status != "running" or not self._stage.steps:
            return None
        return max(0, self._stage.steps - self._step) * self._rate

    def _eta_batch(self, now: float) -> float | None:
        """Mean time of the finished jobs times the jobs not started, plus what the
        current job has left of that mean."""
        finished = [i.seconds for i in self._items.values() if i.status == "ok"]
        if self._total < 2 or not finished or self._status != "running":
            return None
        mean = sum(finished) / len(finished)
        current = self._items.get(self._current) if self._current is not None else None
        left = mean - (now - self._item_started) if current and current.status == "running" else 0.0
        return max(0.0, left) + max(0, self._total - len(self._items)) * mean


def _number(value: Any) -> float | None:
    """A metric as a JSON number (NaN and infinities as None)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def to_picture(image: Any, side: int) -> np.ndarray:
    """A preview (tensor (1, 3, H, W) or array (H, W, 3), [0, 1]) as uint8, long side <= ``side``."""
    if hasattr(image, "detach"):
        from ..imageio.tensor import from_tensor, resize_long_side

        image = image.detach()
        if max(image.shape[-2:]) > side:
            image = resize_long_side(image.float(), side)
        image = from_tensor(image)
    array = np.asarray(image)
    if array.dtype != np.uint8:
        array = (np.clip(np.nan_to_num(array.astype(np.float32)), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return array
