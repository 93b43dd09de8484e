"""A fair share of a busy CPU: how many threads torch should use, re-read as the run goes.

torch's OpenMP threads wait for each other at the end of every parallel region. When
another process keeps some cores busy, a thread that finished waits for one the scheduler
has put aside, and the whole run slows 3-100x (docs/PERFORMANCE.md, "A fair share of a
busy CPU"). Two things fix it, both automatic:

- :func:`short_wait_env` makes waiting threads spin only briefly, then sleep (libgomp's
  ``GOMP_SPINCOUNT``, 10,000 rounds instead of 300,000); the CLI applies it before torch
  is imported.
- :class:`ThreadGovernor` measures how many cores other processes keep busy (``/proc/stat``
  less this process's own CPU time) and gives torch the cores that are left
  (:func:`fair_threads`), re-reading the machine between jobs and every few seconds
  during one.

An explicit choice always wins: ``--threads N`` (``Session.threads``), or
``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS`` in the environment (Ray sets it per worker).
Nothing here imports torch at module level; on systems without ``/proc/stat`` the
governor leaves torch's thread count as it is.

Example::

    governor = ThreadGovernor(explicit=None)
    governor.adjust()          # before a job: torch gets the free cores
    governor.poll()            # during one (cheap; acts every few seconds)
    governor.restore()         # after the run
"""
from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, MutableMapping

__all__ = [
    "FAIR_SHARE_ENV",
    "CpuSample",
    "ThreadGovernor",
    "available_cpus",
    "fair_threads",
    "others_busy",
    "short_wait_env",
    "read_sample",
]

# Set to 0 to turn the automatic behaviour off (benchmarks compare against that).
FAIR_SHARE_ENV = "GENART_FAIR_SHARE"
# Environment variables by which a user (or Ray, per worker) fixes the thread count.
EXPLICIT_THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
# The shortest window that tells load from noise: /proc/stat counts in 10 ms ticks.
MIN_WINDOW_S = 0.25
# How often the governor re-reads the machine during a job, and at most between jobs.
POLL_INTERVAL_S = 3.0
BETWEEN_JOBS_S = 1.0
# The reading taken when the CLI started (before torch was imported): the first decision
# then needs no wait of its own. Older readings are not used.
_START: "CpuSample | None" = None
START_MAX_AGE_S = 60.0
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def enabled(env: Mapping[str, str] | None = None) -> bool:
    """Whether the automatic fair share is on (it is unless ``GENART_FAIR_SHARE=0``)."""
    return (os.environ if env is None else env).get(FAIR_SHARE_ENV, "1").strip() != "0"


# Spin rounds before a waiting OpenMP thread sleeps (libgomp's default is 300,000; 0 is
# OMP_WAIT_POLICY=PASSIVE). Measured by benchmarks/bench_fair_share.py (PERFORMANCE.md):
# sleeping at once slowed an idle dream run by 15 %; 10,000 rounds cost nothing idle and
# still let a busy neighbour have the core.
SPIN_COUNT = "10000"


def short_wait_env(env: MutableMapping[str, str] | None = None) -> None:
    """Make OpenMP threads spin only briefly, then sleep, while they wait (unless the user
    chose a wait policy or spin count).

    Must run before torch (and so the OpenMP runtime) is loaded: the runtime reads the
    variable once, at start. Idle, a short spin costs nothing measurable; beside a busy
    process it stops a waiting thread from burning the core its partner needs.
    """
    env = os.environ if env is None else env
    if enabled(env) and "OMP_WAIT_POLICY" not in env and "GOMP_SPINCOUNT" not in env:
        env["GOMP_SPINCOUNT"] = SPIN_COUNT


def remember_start() -> None:
    """Take the reading that the first thread decision will measure from (the CLI calls
    this first thing, so the window covers torch's import and the model's loading)."""
    global _START
    _START = read_sample()


def available_cpus() -> int:
    """The processors this process may run on (its affinity), bounded by a cgroup quota."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    quota = _cgroup_quota()
    return max(1, min(count, math.ceil(quota))) if quota else count


def _cgroup_quota() -> float | None:
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            limit, period = f.read().split()[:2]
    except (OSError, ValueError):
        return None
    return None if limit == "max" else int(limit) / int(period)


@dataclass(frozen=True)
class CpuSample:
    """One reading of the machine: when, ticks busy and in all on our processors, and
    this process's own CPU seconds (all its threads)."""

    wall: float
    busy: int
    total: int
    own: float


def read_sample(cpus: Iterable[int] | None = None, stat: str = "/proc/stat") -> CpuSample | None:
    """The machine's counters now, summed over ``cpus`` (default: our affinity), or None
    where ``/proc/stat`` cannot be read (not Linux)."""
    wall = time.monotonic()
    own = sum(os.times()[:2])
    try:
        with open(stat) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    return parse_stat(lines, _affinity() if cpus is None else set(cpus), wall, own)


def parse_stat(lines: Iterable[str], cpus: set[int] | None, wall: float, own: float) -> CpuSample | None:
    """A :class:`CpuSample` from ``/proc/stat`` lines (the ``cpuN`` rows in ``cpus``)."""
    busy = total = 0
    found = False
    for line in lines:
        name, *fields = line.split()
        if not name.startswith("cpu") or name == "cpu" or (cpus is not None and int(name[3:]) not in cpus):
            continue
        # user nice system idle iowait irq softirq steal [guest guest_nice: already in user]
        ticks = [int(v) for v in fields[:8]]
        total += sum(ticks)
        busy += sum(ticks) - ticks[3] - ticks[4]  # steal counts as busy: another VM has it
        found = True
    return CpuSample(wall, busy, total, own) if found else None


def _affinity() -> set[int] | None:
    try:
        return set(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None


def others_busy(before: CpuSample, after: CpuSample) -> float:
    """Cores kept busy by other processes between two samples (0 when none)."""
    wall = after.wall - before.wall
    ticks = after.total - before.total
    if wall <= 0 or ticks <= 0:
        return 0.0
    cores = ticks / _TICK / wall  # processors counted, from the kernel's own clock
    busy_cores = cores * (after.busy - before.busy) / ticks
    return max(0.0, busy_cores - (after.own - before.own) / wall)


def fair_threads(most: int, cpus: int, others: float) -> int:
    """Threads to use out of ``most`` when other processes keep ``others`` of our ``cpus``
    processors busy: our share of the free ones, rounded, at least 1.

    ``most`` is torch's own choice on an idle machine (physical cores, which may be fewer
    than ``cpus``). Examples on 2 cores: nothing else running -> 2; a busy loop -> 1.
    """
    free = max(0.0, cpus - others) / cpus
    return max(1, min(most, math.floor(most * free + 0.5)))


class ThreadGovernor:
    """Keeps torch's thread count at this process's fair share of the CPU.

    Args:
        explicit: a thread count the user chose (``--threads``); fixed, never changed.
        env: the environment to read ``OMP_NUM_THREADS`` and ``GENART_FAIR_SHARE`` from.
        sample: reads the machine (default :func:`read_sample`; tests pass fakes).
        set_threads / get_threads: torch's setters (tests pass fakes).
        clock: the clock the readings' ``wall`` uses (default ``time.monotonic``).
        on_change: called with the new count and the cores busy elsewhere when it changes.
    """

    def __init__(
        self,
        explicit: int | None = None,
        *,
        env: Mapping[str, str] | None = None,
        sample: Callable[[], CpuSample | None] | None = None,
        set_threads: Callable[[int], None] | None = None,
        get_threads: Callable[[], int] | None = None,
        clock: Callable[[], float] | None = None,
        on_change: Callable[[int, float], None] | None = None,
    ) -> None:
        env = os.environ if env is None else env
        self._set = set_threads or _torch_set_threads
        self._sample, self._clock = sample or read_sample, clock or time.monotonic
        self._on_change = on_change
        self.explicit = explicit
        self.automatic = explicit is None and enabled(env) and not any(env.get(k) for k in EXPLICIT_THREAD_ENV)
        self.threads: int | None = explicit
        if explicit:
            self._set(explicit)
        self._get = get_threads or _torch_get_threads
        self.most = 0  # torch's own count, read at the first decision (torch may not be loaded yet)
        self.cpus = available_cpus()
        self._last = self._first_reading() if self.automatic else None
        self._decided = False
        if self._last is None:
            self.automatic = False

    def _first_reading(self) -> CpuSample | None:
        if _START is not None and 0 <= self._clock() - _START.wall <= START_MAX_AGE_S:
            return _START
        return self._sample()

    def adjust(self) -> int | None:
        """Before a job: re-read the machine (at most every :data:`BETWEEN_JOBS_S`) and set
        torch's threads to the fair share; returns the count in use (None: torch's own)."""
        self.poll(BETWEEN_JOBS_S)
        return self.threads

    def poll(self, interval: float = POLL_INTERVAL_S) -> None:
        """Call often (every step): re-reads the machine once ``interval`` seconds have
        passed since the last reading, else does nothing. The first decision is taken as
        soon as the first reading is :data:`MIN_WINDOW_S` old; it never waits."""
        if not self.automatic:
            return
        if self._clock() - self._last.wall >= (interval if self._decided else MIN_WINDOW_S):
            self._decided = True
            self._update()

    def restore(self) -> None:
        """Give torch back the thread count it had before (after a run)."""
        if self.automatic and self.most and self.threads not in (None, self.most):
            self._set(self.most)
            self.threads = self.most

    def _update(self) -> int | None:
        if not self.most:
            if self._get is _torch_get_threads and "torch" not in sys.modules:
                return self.threads  # a command without torch: nothing to share out
            self.most = self._get()
        now = self._sample()
        if now is None:
            return self.threads
        others = others_busy(self._last, now)
        wanted = fair_threads(self.most, self.cpus, others)
        self._last = now
        if wanted != self.threads:
            self._set(wanted)
            self.threads = wanted
            if self._on_change:
                self._on_change(wanted, others)
        return wanted


def _torch_set_threads(n: int) -> None:
    import torch

    torch.set_num_threads(n)


def _torch_get_threads() -> int:
    import torch

    return torch.get_num_threads()
