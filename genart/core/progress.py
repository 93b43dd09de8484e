"""Turns progress events into a display on stderr (stdout stays clean for data).

On a terminal: rich progress bars with ETA: files; the outer stage (a video or animation
frame: a stage announced with no steps of its own, whose inner stages carry the steps),
shown as frames done / total; steps of the current stage. Elsewhere: plain lines, at
most one every few seconds per stage (with an outer stage: one every few seconds, with
its ETA, and the inner stages only with ``verbose``). ``quiet`` shows only
errors; ``verbose`` adds debug messages. Rich honours ``NO_COLOR``.
"""
from __future__ import annotations

import os
import sys
import time
from typing import IO, Any

from .events import BatchFinished, BatchStarted, Event, ItemFinished, ItemStarted, Message, StageStarted, Step

PLAIN_INTERVAL_S = 5.0


def item_error(name: str, error: str | None) -> str:
    """A job's error, prefixed with its input's name unless the message names it already."""
    error = error or "failed"
    return error if name in error else f"{name}: {error}"


def _fmt_metrics(metrics: Any) -> str:
    return " ".join(f"{k}={v:.4g}" for k, v in dict(metrics).items())


class Display:
    """The CLI's view of a run. Call ``close()`` (or use as a context manager)."""

    def __init__(
        self,
        *,
        quiet: bool = False,
        verbose: bool = False,
        stream: IO[str] | None = None,
        force_terminal: bool | None = None,
    ) -> None:
        from rich.console import Console

        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.verbose = verbose
        self.console = Console(
            file=self.stream,
            force_terminal=force_terminal,
            no_color=bool(os.environ.get("NO_COLOR")) or None,
            highlight=False,
        )
        self.live = self.console.is_terminal and not quiet
        self._progress = None
        self._files_task = None
        self._steps_task = None
        self._outer_task = None
        self._outer: tuple[StageStarted, float, int] | None = None  # stage, start time, index then
        self._stage: StageStarted | None = None
        self._last_plain = 0.0
        self._last_outer_plain = float("-inf")
        self._item = ""
        self._written: list[str] = []
        self._failed: list[tuple[str, str | None]] = []

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> "Display":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ensure_bars(self) -> None:
        if self._progress is not None or not self.live:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[info]}"),
            console=self.console,
            transient=True,
        )
        self._progress.start()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    # --------------------------------------------------------------------- events
    def __call__(self, event: Event) -> None:
        """The event callback handed to the algorithms and the batch engine."""
        handler = {
            BatchStarted: self._batch_started,
            ItemStarted: self._item_started,
            ItemFinished: self._item_finished,
            BatchFinished: self._batch_finished,
            StageStarted: self._stage_started,
            Step: self._step,
            Message: self._message,
        }.get(type(event))  # Intermediate images are the runner's to save
        if handler is not None:
            handler(event)

    def _batch_started(self, ev: BatchStarted) -> None:
        self._written, self._failed = [], []
        if ev.total > 1 and self.live:
            self._ensure_bars()
            self._files_task = self._progress.add_task("files", total=ev.total, info="")

    def _item_started(self, ev: ItemStarted) -> None:
        self._item = ev.name
        if self.live:
            self._ensure_bars()
            if self._files_task is not None:
                self._progress.update(self._files_task, description=f"[{ev.index + 1}/{ev.total}] {ev.name}")
        elif not self.quiet and ev.total > 1:
            self.info(f"[{ev.index + 1}/{ev.total}] {ev.name}")

    def _item_finished(self, ev: ItemFinished) -> None:
        if self._files_task is not None:
            self._progress.advance(self._files_task)
        if self._steps_task is not None:
            self._progress.remove_task(self._steps_task)
            self._steps_task = None
        if self._outer_task is not None:
            self._progress.remove_task(self._outer_task)
            self._outer_task = None
        self._outer = None
        if ev.status == "failed":
            self._failed.append((ev.name, ev.error))
            self.error(item_error(ev.name, ev.error))
        elif ev.status == "skipped":
            self.detail(f"{ev.name}: skipped (output exists)")
        else:
            if ev.output not in (None, "-"):
                self._written.append(ev.output)
            if not self.live:
                self.detail(f"{ev.name}: done in {ev.seconds:.1f}s")

    def _batch_finished(self, ev: BatchFinished) -> None:
        self.close()
        total = ev.done + ev.skipped + ev.failed + ev.not_started
        if ev.interrupted:
            rest = f", {ev.not_started} not started" if ev.not_started else ""
            self.error(
                f"interrupted: {ev.done} done, {ev.skipped} skipped{rest}; finished outputs are kept and no "
                "partial file was written; run the same command again to resume"
            )
        elif total > 1:
            parts = [f"{ev.done} done"]
            if ev.skipped:
                parts.append(f"{ev.skipped} skipped (output exists)")
            if ev.failed:
                parts.append(f"{ev.failed} failed")
            self.info(", ".join(parts))
            for name, error in self._failed:
                self.error(item_error(name, error))
        self._report_written()

    def _report_written(self) -> None:
        """The last line of a run: where its outputs went."""
        if len(self._written) == 1:
            self.info(f"wrote {self._written[0]}")
        elif self._written:
            folder = os.path.commonpath([os.path.abspath(os.path.dirname(p) or ".") for p in self._written])
            self.info(f"wrote {len(self._written)} files in {os.path.relpath(folder)}")

    def _stage_started(self, ev: StageStarted) -> None:
        if ev.steps == 0:  # an outer stage (a frame): its inner stages carry the steps
            self._outer_started(ev)
            return
        self._stage = ev
        self._last_plain = 0.0
        if self.live:
            self._ensure_bars()
            if self._steps_task is not None:
                self._progress.remove_task(self._steps_task)
            self._steps_task = self._progress.add_task(f"  {ev.name}", total=ev.steps, info="")
        elif self._outer is not None:
            self.detail(f"{self._item}: {self._outer[0].name}: {ev.name}")
        elif not self.quiet:
            self.info(f"{self._item}: {ev.name}" if self._item else ev.name)

    def _outer_started(self, ev: StageStarted) -> None:
        """A frame (or encoding) begins: frames done = its index, of its count."""
        now = time.monotonic()
        if self._outer is None:
            self._outer = (ev, now, ev.index)  # the ETA counts from here (resumed frames are free)
            self._last_outer_plain = float("-inf")  # the first frame is always shown
        self._outer = (ev, self._outer[1], self._outer[2])
        if self.live:
            self._ensure_bars()
            if self._outer_task is None:
                # Added before the steps bar would be re-added below it: frames above steps.
                if self._steps_task is not None:
                    self._progress.remove_task(self._steps_task)
                    self._steps_task = None
                self._outer_task = self._progress.add_task("", total=ev.count, completed=ev.index, info="")
            self._progress.update(self._outer_task, description=f"  {ev.name}", completed=ev.index, total=ev.count)
            return
        if self.quiet or now - self._last_outer_plain < PLAIN_INTERVAL_S and ev.index < ev.count:
            return
        self._last_outer_plain = now
        _, since, first = self._outer
        eta = ""
        if ev.index > first and ev.count > ev.index:
            left = (now - since) / (ev.index - first) * (ev.count - ev.index)
            eta = f" (eta {int(left // 60)}:{int(left % 60):02d})"
        self.info(f"{self._item}: {ev.name}{eta}" if self._item else f"{ev.name}{eta}")

    def _step(self, ev: Step) -> None:
        if self.live and self._steps_task is not None:
            self._progress.update(
                self._steps_task, completed=ev.step, total=ev.steps, info=_fmt_metrics(ev.metrics)
            )
            return
        now = time.monotonic()
        if self.quiet or (now - self._last_plain < PLAIN_INTERVAL_S and ev.step != ev.steps):
            return
        if self._outer is not None and not self.verbose:
            return  # frames are reported by the outer stage
        self._last_plain = now
        stage = self._stage.name if self._stage else ""
        self.info(f"  {stage} step {ev.step}/{ev.steps} {_fmt_metrics(ev.metrics)}".rstrip())

    def _message(self, ev: Message) -> None:
        if ev.level == "warning":
            self.warning(ev.text)
        elif ev.level == "debug":
            self.detail(ev.text)
        else:
            self.info(ev.text)

    # ------------------------------------------------------------------- messages
    def _print(self, text: str, style: str | None = None) -> None:
        if self._progress is not None:
            self._progress.console.print(text, style=style, markup=False)
        else:
            self.console.print(text, style=style, markup=False, soft_wrap=True)

    def info(self, text: str) -> None:
        if not self.quiet:
            self._print(text)

    def detail(self, text: str) -> None:
        if self.verbose and not self.quiet:
            self._print(text, style="dim")

    def warning(self, text: str) -> None:
        if not self.quiet:
            self._print(f"genart: warning: {text}", style="yellow")

    def error(self, text: str) -> None:
        self._print(f"genart: error: {text}", style="bold red")
