"""Progress events: algorithms report what they do through these, never by printing.

An algorithm takes ``callback: EventCallback | None`` and calls it with one of the
dataclasses below. The CLI turns them into a progress display (``genart.core.progress``);
library users may log them, collect them, or ignore them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Union


@dataclass(frozen=True)
class StageStarted:
    """A new stage begins: a pyramid scale, a dream octave, a doodle phase, a frame."""

    name: str  # human text, e.g. "scale 2/4 (256x192)"
    index: int  # 0-based stage index
    count: int  # total number of stages
    steps: int  # steps this stage will take


@dataclass(frozen=True)
class Step:
    """One optimisation / gradient step inside the current stage.

    ``preview``, when the algorithm offers one, returns the current image (RGB (1, 3, H, W)
    in [0, 1], a copy) when called: a live view calls it only when it wants a picture, so
    an unwatched run pays nothing for it.
    """

    step: int  # 1-based step inside the stage
    steps: int  # steps in the stage
    metrics: Mapping[str, float] = field(default_factory=dict)  # e.g. {"loss": 1.2}
    preview: Callable[[], Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Intermediate:
    """An intermediate image worth saving (``--save-every``, animation frames).

    ``image`` is an RGB tensor of shape (1, 3, H, W) in [0, 1]; ``tag`` names it, e.g.
    "scale2-step0050". The CLI decides whether and where to write it.
    """

    tag: str
    image: Any


@dataclass(frozen=True)
class Message:
    """A note for the user (a warning or a detail shown with ``-v``)."""

    text: str
    level: str = "info"  # "info", "warning", "debug"


# Batch progress, emitted by the batch engine around the jobs (not by algorithms).
@dataclass(frozen=True)
class BatchStarted:
    """A run of ``total`` jobs begins (after planning, before the model loads)."""

    total: int
    command: str = ""


@dataclass(frozen=True)
class ItemStarted:
    """Job ``index`` (0-based) of ``total`` starts; ``output`` is its output path, if any."""

    index: int
    total: int
    name: str
    output: str | None = None


@dataclass(frozen=True)
class ItemFinished:
    """Job ``index`` ended: ``status`` is "ok", "skipped" or "failed"."""

    index: int
    total: int
    name: str
    status: str
    output: str | None = None
    error: str | None = None
    seconds: float = 0.0
    result: Any = field(default=None, compare=False)  # what the job returned (JSON-able)
    variant: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"style": "starry"}

    def record(self) -> dict[str, Any]:
        """The job as one ``--json`` object."""
        return {
            "input": self.name,
            "output": self.output,
            "status": self.status,
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "result": self.result,
            **({"variant": dict(self.variant)} if self.variant else {}),
        }


@dataclass(frozen=True)
class BatchFinished:
    """The run ended; counts of each status, jobs never started, and whether Ctrl-C ended it."""

    done: int
    skipped: int
    failed: int
    not_started: int = 0
    interrupted: bool = False


Event = Union[StageStarted, Step, Intermediate, Message, BatchStarted, ItemStarted, ItemFinished, BatchFinished]
EventCallback = Callable[[Event], None]


def emit(callback: EventCallback | None, event: Event) -> None:
    """Send ``event`` to ``callback`` if there is one."""
    if callback is not None:
        callback(event)


class StepLog:
    """A callback that forwards every event and remembers how many steps each stage ran.

    A stage that stops early (``--stop-tolerance``) runs fewer steps than it announced;
    ``steps_run`` is what a result's recorded parameters keep of that.

    Example::

        log = StepLog(callback)
        out = stylize(photo, [painting], config, backbone=bb, callback=log)
        log.steps_run  # e.g. [80, 41, 37]: one count per stage, in order
    """

    def __init__(self, callback: EventCallback | None = None) -> None:
        self.callback = callback
        self.steps_run: list[int] = []

    def __call__(self, event: Event) -> None:
        if isinstance(event, StageStarted) and event.steps:  # not an outer stage (a frame)
            self.steps_run.append(0)
        elif isinstance(event, Step) and self.steps_run:
            self.steps_run[-1] = event.step
        emit(self.callback, event)
