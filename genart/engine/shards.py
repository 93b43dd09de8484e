"""Shards: N independent processes (a Slurm array, a Kubernetes Indexed Job, anything that
starts numbered copies of a command) cover one batch exactly once, with no coordinator.

Every job is assigned to a shard by a hash of what identifies it on every machine: the
item's path relative to the folder it was found in, its seed or frame range, and its
variant (e.g. the style). The same job lands in the same shard whatever order the files
were listed in and wherever the listing ran. Nothing here imports torch.

Example::

    jobs = plan(...)                           # the whole batch, on every shard
    mine = select(jobs, index=3, count=16)     # this process's share
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Mapping, Sequence

from ..core.errors import UsageError
from .batch import Job

__all__ = ["job_key", "parse_shard", "select", "shard_of"]

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def job_key(job: Job) -> str:
    """What identifies a job on every machine (no absolute paths, no listing order)."""
    item = job.item
    return json.dumps(
        [item.kind, item.rel.as_posix(), item.seed, list(item.frames) if item.frames else None, sorted(job.variant.items())],
        sort_keys=True, default=str,
    )


def shard_of(job: Job, count: int) -> int:
    """The shard (0 .. count-1) that ``job`` belongs to."""
    digest = hashlib.sha256(job_key(job).encode()).digest()
    return int.from_bytes(digest[:8], "big") % count


def select(jobs: Sequence[Job], index: int, count: int) -> list[Job]:
    """The jobs of shard ``index`` of ``count``, in their planned order."""
    return [job for job in jobs if shard_of(job, count) == index]


def parse_shard(text: str | None, env: Mapping[str, str] | None = None) -> tuple[int, int] | None:
    """``"I/N"`` (0-based) or ``"auto"`` -> (index, count); None for no sharding.

    ``auto`` reads, in order: ``GENART_SHARD`` (``I/N``); a Slurm array
    (``SLURM_ARRAY_TASK_ID`` - ``SLURM_ARRAY_TASK_MIN`` of ``SLURM_ARRAY_TASK_COUNT``);
    a Kubernetes Indexed Job (``JOB_COMPLETION_INDEX`` of ``GENART_SHARD_COUNT``, which
    the manifest sets to its ``completions``).
    """
    if not text:
        return None
    env = os.environ if env is None else env
    if text.strip().lower() == "auto":
        return _from_env(env)
    match = _SPEC.match(text)
    if not match:
        raise UsageError(f"--shard {text!r}: expected I/N (0-based, e.g. 0/4) or auto")
    return _check(int(match.group(1)), int(match.group(2)), f"--shard {text}")


def _from_env(env: Mapping[str, str]) -> tuple[int, int]:
    if env.get("GENART_SHARD"):
        return parse_shard(env["GENART_SHARD"], env)  # type: ignore[return-value]
    if env.get("SLURM_ARRAY_TASK_ID") is not None and env.get("SLURM_ARRAY_TASK_COUNT"):
        first = int(env.get("SLURM_ARRAY_TASK_MIN", "0"))
        return _check(int(env["SLURM_ARRAY_TASK_ID"]) - first, int(env["SLURM_ARRAY_TASK_COUNT"]), "Slurm array")
    if env.get("JOB_COMPLETION_INDEX") is not None:
        if not env.get("GENART_SHARD_COUNT"):
            raise UsageError("--shard auto: JOB_COMPLETION_INDEX is set but not GENART_SHARD_COUNT "
                             "(set it to the Job's completions in the manifest)")
        return _check(int(env["JOB_COMPLETION_INDEX"]), int(env["GENART_SHARD_COUNT"]), "Kubernetes Indexed Job")
    raise UsageError("--shard auto: no shard found in the environment (GENART_SHARD, a Slurm array's "
                     "SLURM_ARRAY_TASK_ID/COUNT, or a Kubernetes JOB_COMPLETION_INDEX with GENART_SHARD_COUNT)")


def _check(index: int, count: int, where: str) -> tuple[int, int]:
    if count < 1 or not 0 <= index < count:
        raise UsageError(f"{where}: shard {index} of {count} is out of range (shards are 0 .. {max(count - 1, 0)})")
    return index, count
