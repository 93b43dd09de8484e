"""Where a batch runs: in this process, or on a cluster engine.

Each executor takes the same arguments and keeps the same promises (the model loads once
per worker, outputs are atomic, finished outputs are skipped, failures are per job, the
summary's exit code) and reports through the same events. Executors are imported only
when chosen, so the optional engines stay optional.
"""
from __future__ import annotations

import importlib
from typing import Any, Sequence

from ..core.events import EventCallback
from ..core.session import Session
from . import batch

__all__ = ["EXECUTORS", "execute"]

# name -> "module:function"; each takes (session, jobs, runner, callback, **options).
EXECUTORS = {
    "local": "genart.engine.runner:run_local",
    "ray": "genart.engine.ray:run_ray",
}
# The options only some executors understand, by executor.
OPTIONS = {"local": (), "ray": ("address", "workers", "gpus_per_worker")}


def execute(
    executor: str,
    session: Session,
    jobs: Sequence[batch.Job],
    runner: str,
    callback: EventCallback | None = None,
    **options: Any,
) -> batch.Summary:
    """Run ``jobs`` with ``executor`` (a name in :data:`EXECUTORS`)."""
    module, _, name = EXECUTORS[executor].partition(":")
    run = getattr(importlib.import_module(module), name)
    wanted = {k: v for k, v in options.items() if k in OPTIONS[executor] and v is not None}
    return run(session, jobs, runner, callback, **wanted)
