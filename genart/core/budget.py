"""What a setting will cost, checked before any work: pixels and memory.

Commands estimate the peak memory of a job from the size it will compute at (and the
network's layer table, which needs no weights), compare it with the memory this machine
has available, and refuse with one line naming the setting and the largest value that
would fit, before anything heavy is loaded. Estimates are deliberately simple (the sums
of activation sizes, calibrated on measured runs: docs/PERFORMANCE.md); they exist to
stop a run that cannot finish, not to predict to the megabyte. Nothing here imports torch.
"""
from __future__ import annotations

import os
from typing import Callable

from .errors import UsageError

__all__ = ["available_memory", "check_budget", "feature_bytes", "format_bytes", "largest"]

FLOAT = 4  # bytes of a float32
# Refuse when an estimate exceeds this share of the available memory: the estimate is
# rough and the rest of the system needs room too.
HEADROOM = 0.9


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation now (None if unknown).

    ``GENART_MEMORY_LIMIT`` (bytes, or with a K/M/G suffix) overrides the reading, for
    shared machines and for tests.
    """
    override = os.environ.get("GENART_MEMORY_LIMIT", "").strip()
    if override:
        return parse_bytes(override)
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def parse_bytes(text: str) -> int:
    """``"512M"`` -> 536870912."""
    units = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(float(text))


def format_bytes(n: float) -> str:
    """1.5e9 -> "1.4 GiB"."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n / 2**10:.0f} KiB"


# Calibration (measured peaks, benchmarks/bench_memory.py): what autograd keeps beyond the
# named layers' outputs (gradients in flight, convolution workspaces, allocator slack).
OVERHEAD = 1.5
# An inception block keeps its branches' intermediate maps too: about six times its output.
BLOCK_WIDTH = 6.0


def feature_bytes(layers, deepest: str) -> float:
    """Bytes per input pixel of the activations a forward and backward pass keep, up to
    ``deepest``, from a backbone's layer table (no weights needed): channels / stride^2
    for each named layer's output. A convolution listed on its own is followed by a
    ReLU whose output is the one kept, so it is not counted twice."""
    total = 0.0
    for info in layers:
        if not (info.kind == "conv" and len(info.modules) <= 1):
            total += info.channels / info.stride**2 * (BLOCK_WIDTH if info.kind == "block" else 1.0)
        if info.name == deepest:
            break
    return total * FLOAT


def image_bytes(copies: float) -> float:
    """Bytes per pixel of ``copies`` RGB float images (optimiser state, targets...)."""
    return 3 * FLOAT * copies


def largest(fits: Callable[[int], bool], low: int, high: int) -> int | None:
    """The largest side in [low, high] for which ``fits(side)`` (monotone), or None."""
    if not fits(low):
        return None
    while low < high:
        mid = (low + high + 1) // 2
        if fits(mid):
            low = mid
        else:
            high = mid - 1
    return low


def check_budget(
    *,
    what: str,
    setting: str,
    value: int,
    shape: Callable[[int], tuple[int, int]],
    need: Callable[[int], float],
    max_pixels: int | None,
    memory: bool = True,
    low: int = 16,
) -> None:
    """Refuse ``setting`` = ``value`` when the output it makes is over ``max_pixels`` or
    the job's estimated peak memory ``need(side)`` is over what the machine has.

    Args:
        what: the job, for the message (e.g. "style of photo.jpg").
        setting: the option, e.g. "--size".
        value: its value.
        shape: side -> (height, width) of the output at that setting.
        need: side -> estimated peak bytes.
        max_pixels: the largest output in pixels (--max-pixels), or None.
        memory: check memory too (not for a GPU, whose memory is not the machine's).
        low: the smallest sensible value of the setting.

    Raises:
        UsageError: one line with the setting, the reason and the largest value that fits.
    """
    h, w = shape(value)
    if max_pixels is not None and h * w > max_pixels:
        best = largest(lambda s: _pixels(shape(s)) <= max_pixels, low, value)
        raise UsageError(
            f"{setting} {value}: {what} would be {w}x{h} ({h * w / 1e6:.0f} megapixels), over --max-pixels "
            f"{max_pixels}; the largest {setting} within it is {best} (or raise --max-pixels)"
        )
    available = available_memory() if memory else None
    if available is None:
        return
    budget = available * HEADROOM
    estimate = need(value)
    if estimate > budget:
        best = largest(lambda s: need(s) <= budget, low, value)
        hint = f"the largest {setting} that fits is {best}" if best else "nothing fits; free some memory"
        raise UsageError(
            f"{setting} {value}: {what} needs about {format_bytes(estimate)} of memory at {w}x{h}, more than "
            f"the {format_bytes(available)} available; {hint}"
        )


def _pixels(hw: tuple[int, int]) -> int:
    return hw[0] * hw[1]
