"""Runners do a command's work: load the model once, then process jobs with it.

A command's runner subclasses :class:`Runner`, implements :meth:`Runner.load` and
:meth:`Runner.process` (or :meth:`Runner.process_many` for commands that batch several
jobs into one pass), and uses the helpers here to read inputs and write outputs through
the image layer. :func:`run_local` runs a planned batch in this process; other executors
(:mod:`genart.executors`) build the same runner in their workers.

This module is torch-free; runners import torch inside their own modules.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib
from pathlib import Path
from typing import Any, Sequence

from . import batch
from ..core.errors import GenartError
from ..core.events import BatchFinished, BatchStarted, EventCallback, Intermediate, Message, emit
from ..core.cpushare import ThreadGovernor
from ..core.session import Session

__all__ = ["Runner", "load_runner", "run_local"]


class Runner:
    """Loads what a command needs once (:meth:`load`), then processes jobs.

    Args:
        session: the run's settings (a command's typed session).
        callback: receives progress events and messages.
    """

    def __init__(self, session: Session, callback: EventCallback | None = None) -> None:
        self.session = session
        self.callback = callback
        self.session = self._resolve_precision(session)
        # --threads N is fixed; otherwise torch gets this process's fair share of the CPU,
        # re-read between jobs and during them (genart.core.cpushare).
        self.cpu_share = ThreadGovernor(session.threads, on_change=self._threads_changed)
        self.load()

    @property
    def config(self) -> Any:
        return self.session.config

    @classmethod
    def chunk_size(cls, session: Session) -> int:
        """Jobs per :meth:`process_many` call (1: one at a time)."""
        return 1

    # ------------------------------------------------------------------ to implement
    def load(self) -> None:
        """Load models and shared inputs (once per run, before the first job)."""

    def process(self, job: batch.Job) -> Any:
        """Do one job and write its output; return a JSON-able result."""
        raise NotImplementedError

    def process_many(self, jobs: Sequence[batch.Job]) -> list[Any]:
        """Per job, in order: its result, or the GenartError that failed it."""
        out: list[Any] = []
        for job in jobs:
            self.cpu_share.adjust()
            try:
                out.append(self.process(job))
            except GenartError as exc:
                out.append(exc)
        return out

    # ----------------------------------------------------------------------- helpers
    def _resolve_precision(self, session: Session) -> Session:
        """The session with ``precision: auto`` replaced by what it means for this command
        on this device (genart.core.device.bf16_is_faster), so the algorithm runs it and
        the outputs record it."""
        config = session.config
        if getattr(config, "precision", None) != "auto":
            return session
        from ..core.device import use_bf16

        precision = "bf16" if use_bf16("auto", self.device, session.command) else "fp32"
        return dataclasses.replace(session, config=dataclasses.replace(config, precision=precision))

    @functools.cached_property
    def device(self) -> Any:
        from ..core.device import select_device

        return select_device(self.session.device)

    def load_backbone(self, **options: Any) -> Any:
        """The config's model and weights on the session's device."""
        from ..models import load_backbone

        cfg = self.config
        return load_backbone(
            cfg.model, weights=cfg.weights, device=self.device, offline=self.session.offline,
            callback=self.callback, **options,
        )

    def warn(self, text: str) -> None:
        emit(self.callback, Message(text, "warning"))

    def info(self, text: str) -> None:
        emit(self.callback, Message(text, "info"))

    def read_image(self, path: str, *, role: str | None = None) -> Any:
        """Load an image file (a LoadedImage), reporting its warnings."""
        from ..imageio import load_image

        image = load_image(path, max_pixels=self.session.max_pixels)
        for warning in image.warnings:
            self.warn(f"{image.source}: {warning}")
        return image

    def read_tensor(self, path: str) -> Any:
        """An image file as an RGB tensor (1, 3, H, W) in [0, 1]."""
        from ..imageio import to_tensor

        return to_tensor(self.read_image(path))

    def save_image(self, job: batch.Job, image: Any, *, alpha: Any = None, **inputs: Any) -> dict[str, Any]:
        """Write a job's image atomically with its recorded parameters; returns its result."""
        from ..imageio import save_image

        if job.output != batch.STDIO:
            Path(job.output).parent.mkdir(parents=True, exist_ok=True)
        warnings = save_image(
            image, job.output, alpha=alpha, format=image_format(self.session),
            metadata=self.session.metadata(job, **inputs),
        )
        for warning in warnings:
            self.warn(f"{job.output}: {warning}")
        shape = tuple(image.shape)  # a tensor (1, 3, H, W) or an array (H, W, 3)
        height, width = shape[:2] if len(shape) == 3 and shape[-1] == 3 else shape[-2:]
        return {"width": int(width), "height": int(height)}

    def job_callback(self, job: batch.Job) -> EventCallback:
        """Events of one job: forwarded to the run's callback; ``Intermediate`` images
        (``save_every``) are also written beside the output as ``<stem>_<tag>.png``."""
        out = Path(job.output) if job.output not in (None, batch.STDIO) else None

        def callback(event: Any) -> None:
            self.cpu_share.poll()
            emit(self.callback, event)
            if isinstance(event, Intermediate) and out is not None and getattr(self.config, "save_every", 0):
                self._save_intermediate(job, out, event)

        return callback

    def _threads_changed(self, threads: int, others: float) -> None:
        emit(self.callback, Message(f"torch threads: {threads} (other processes keep {others:.1f} cores busy)", "debug"))

    def _save_intermediate(self, job: batch.Job, out: Path, event: Intermediate) -> None:
        from ..imageio import save_image

        dest = out.with_name(f"{out.stem}_{event.tag}{out.suffix or '.png'}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        save_image(event.image, str(dest), format=image_format(self.session),
                   metadata=self.session.metadata(job, intermediate=event.tag))
        emit(self.callback, Message(f"wrote {dest}", "debug"))


def image_format(session: Session) -> str | None:
    """--format for an image output (a video format is for the videos of a batch)."""
    from ..core.command import VIDEO_FORMATS

    return None if session.image_format in VIDEO_FORMATS else session.image_format


def load_runner(spec: str) -> type[Runner]:
    """The runner class named by ``"module:Class"``."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def run_local(
    session: Session,
    jobs: Sequence[batch.Job],
    runner: str | type[Runner],
    callback: EventCallback | None = None,
) -> batch.Summary:
    """Run ``jobs`` in this process: the runner (``"module:Class"`` or the class) and its
    model are built once, before the first job that is not skipped, so a fully resumed
    batch loads nothing."""
    if isinstance(runner, str):
        runner = load_runner(runner)
    emit(callback, BatchStarted(len(jobs), session.command))
    built: list[Runner] = []

    def process_many(chunk: Sequence[batch.Job]) -> list[Any]:
        if not built:
            built.append(runner(session, callback))
        built[0].cpu_share.adjust()
        return built[0].process_many(chunk)

    chunk = runner.chunk_size(session)
    try:
        summary = batch.run_jobs(jobs, process_many=process_many, chunk=chunk, overwrite=session.overwrite,
                                 callback=callback)
    finally:
        if built:
            built[0].cpu_share.restore()
    emit(callback, finished_event(summary))
    return summary


def finished_event(summary: batch.Summary) -> BatchFinished:
    """The BatchFinished event that sums up ``summary``."""
    return BatchFinished(
        done=summary.count("ok"), skipped=summary.count("skipped"), failed=len(summary.failed),
        not_started=summary.not_started, interrupted=summary.interrupted,
    )
