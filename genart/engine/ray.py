"""Run a batch on a Ray cluster: a pool of long-lived workers, each loading the model once.

Only this module imports Ray (the optional extra ``genart[ray]``). The driver (the
``genart`` process) plans the jobs, skips finished outputs exactly as a local run does,
and streams jobs to the workers, a few at a time, reporting each result as it comes back
(progress, ``--json``). Workers are Ray actors that build the command's runner once;
Ray restarts an actor whose process dies and retries the job it was running; a job whose
retries are spent fails on its own, with the reason, and the batch goes on. Outputs are
written atomically by the workers, so a killed worker leaves nothing at an output path
(and its temporary file is removed before the job runs again).

Example::

    summary = run_ray(session, jobs, "genart.commands.style.runner:StyleRunner",
                      callback, address=None, workers=2)
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections import deque
from typing import Any, Iterator, Sequence

from ..core.errors import GenartError, UsageError
from ..core.events import BatchStarted, EventCallback, ItemStarted, emit
from ..core.session import Session
from . import batch
from .runner import finished_event, load_runner

__all__ = ["require_ray", "run_ray"]

RETRIES = 2  # times a job is run again after the worker running it died
INSTALL_HINT = "--executor ray needs Ray: pip install 'genart[ray]'"


def require_ray() -> Any:
    """The ray module, or a UsageError (exit 2) saying how to install it."""
    try:
        import ray
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    return ray


class LoadFailed:
    """What a worker returns when its runner could not be built (e.g. weights offline):
    the driver stops the batch with that error, as a local run would."""

    def __init__(self, error: GenartError) -> None:
        self.error = error


class Worker:
    """A Ray actor's state: the command's runner, built once (its model loads once)."""

    def __init__(self, session: Session, runner: str) -> None:
        self.error: GenartError | None = None
        try:
            self.runner = load_runner(runner)(session, None)
        except GenartError as exc:
            self.error = exc

    def pid(self) -> int:
        return os.getpid()

    def run(self, jobs: Sequence[batch.Job]) -> list[Any] | LoadFailed:
        if self.error is not None:
            return LoadFailed(self.error)
        for job in jobs:  # Ray may be retrying these after a worker died mid-write
            batch.remove_partial(job.output)
        return self.runner.process_many(jobs)


def run_ray(
    session: Session,
    jobs: Sequence[batch.Job],
    runner: str,
    callback: EventCallback | None = None,
    *,
    address: str | None = None,
    workers: int | None = None,
    gpus_per_worker: float = 0.0,
) -> batch.Summary:
    """Run ``jobs`` on a Ray cluster; same rules, events and summary as a local run.

    Args:
        address: the cluster (``ray://...`` or ``host:port``); default ``RAY_ADDRESS``,
            else a local cluster on this machine.
        workers: actors in the pool; default one per CPU (per GPU share with GPUs).
        gpus_per_worker: GPUs each worker reserves (fractions share a GPU).
    """
    ray = require_ray()
    emit(callback, BatchStarted(len(jobs), session.command))
    summary = batch.Summary(total=len(jobs))
    todo: deque[tuple[int, batch.Job]] = deque()
    for index, job in enumerate(jobs):
        existing = batch.existing_outcome(job, len(jobs), session.overwrite)
        if existing is not None:
            batch.record(summary, callback, index, len(jobs), existing)
        else:
            todo.append((index, job))
    if todo:
        with _stdout_for_data():
            _connect(ray, address)
            try:
                _stream(ray, session, runner, todo, summary, callback, len(jobs), workers, gpus_per_worker)
            except KeyboardInterrupt:
                summary.interrupted = True
    emit(callback, finished_event(summary))
    return summary


class _MainThreadStdout:
    """Standard output for the main thread; anything another thread prints goes to stderr.

    Ray's driver prints notices (e.g. that a worker died) to stdout from a background
    thread, but genart's stdout carries data (``--json``, labels) and must stay clean.
    """

    def __init__(self, out: Any, err: Any) -> None:
        self._out, self._err = out, err

    def _target(self) -> Any:
        return self._out if threading.current_thread() is threading.main_thread() else self._err

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)


@contextlib.contextmanager
def _stdout_for_data() -> Iterator[None]:
    saved = sys.stdout
    sys.stdout = _MainThreadStdout(saved, sys.stderr)
    try:
        yield
    finally:
        sys.stdout = saved


def _connect(ray: Any, address: str | None) -> None:
    if ray.is_initialized():
        return
    address = address or os.environ.get("RAY_ADDRESS") or None
    # Quiet: genart's display reports progress; Ray's own INFO lines would only add noise.
    ray.init(address=address, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True,
             logging_level=logging.WARNING)


def _pool_size(ray: Any, workers: int | None, gpus_per_worker: float) -> int:
    if workers:
        return workers
    resources = ray.cluster_resources()
    if gpus_per_worker:
        return max(1, int(resources.get("GPU", 0) / gpus_per_worker))
    return max(1, int(resources.get("CPU", 1)))


def _stream(ray, session, runner, todo, summary, callback, total, workers, gpus_per_worker) -> None:
    """Keep every worker busy with one chunk while the queue lasts; report as they finish."""
    actor_class = ray.remote(num_cpus=1, num_gpus=gpus_per_worker, max_restarts=-1, max_task_retries=RETRIES)(Worker)
    size = _pool_size(ray, workers, gpus_per_worker)
    pool = [actor_class.remote(session, runner) for _ in range(min(size, len(todo)))]
    chunk = load_runner(runner).chunk_size(session)
    idle, running = list(pool), {}
    while todo or running:
        while idle and todo:
            actor = idle.pop()
            part = [todo.popleft() for _ in range(min(chunk, len(todo)))]
            for index, job in part:
                emit(callback, ItemStarted(index, total, job.item.name, job.output))
            running[actor.run.remote([job for _, job in part])] = (actor, part, time.perf_counter())
        done, _ = ray.wait(list(running), num_returns=1)
        actor, part, start = running.pop(done[0])
        idle.append(actor)
        results = _results(ray, done[0], len(part))
        seconds = (time.perf_counter() - start) / len(part)
        for (index, job), result in zip(part, results):
            batch.record(summary, callback, index, total, _outcome(job, result, seconds))


def _results(ray: Any, ref: Any, count: int) -> list[Any]:
    try:
        results = ray.get(ref)
    except ray.exceptions.RayError as exc:  # the worker died and the retries were spent
        reason = " ".join(str(exc).split())[:200]
        return [GenartError(f"worker lost: {reason}")] * count
    if isinstance(results, LoadFailed):
        raise results.error
    return list(results)


def _outcome(job: batch.Job, result: Any, seconds: float) -> batch.Outcome:
    if isinstance(result, GenartError):
        return batch.Outcome(job, "failed", seconds, error=str(result), code=result.exit_code)
    return batch.Outcome(job, "ok", seconds, result=result)
