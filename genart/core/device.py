"""Where and how to compute: the device, bf16 autocast, and the tensor memory layout.

One place decides these for every command: :func:`select_device` for ``device``,
:func:`use_bf16` and :func:`autocast` for ``precision``, :func:`apply_memory_format` for
``memory_format``. torch is imported inside the functions so the CLI can import this
module cheaply.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Any, Callable, ContextManager, TypeVar

T = TypeVar("T")

from .config import param
from .errors import UsageError

__all__ = [
    "BF16_COMMANDS",
    "BF16_ENV",
    "MEMORY_FORMATS",
    "PRECISIONS",
    "Compute",
    "autocast",
    "bf16_is_faster",
    "memory_format_param",
    "precision_param",
    "select_device",
    "use_bf16",
    "use_channels_last",
]

PRECISIONS = ("auto", "fp32", "bf16")
MEMORY_FORMATS = ("auto", "channels-last", "contiguous")


def precision_param() -> Any:
    """The ``precision`` setting of a command that computes with a backbone."""
    return param(
        "auto", "Arithmetic: fp32, bf16 (autocast), or auto (bf16 where the device runs it faster).",
        choices=PRECISIONS,
    )


def memory_format_param(default: str = "auto") -> Any:
    """The ``memory_format`` setting of a command that computes with a backbone."""
    return param(
        default, "Tensor layout: channels-last, contiguous, or auto (channels-last on GPUs only).",
        choices=MEMORY_FORMATS,
    )
# Overrides the hardware check behind ``precision: auto`` (1: bf16, 0: fp32), e.g. to
# make a test suite or a comparison independent of the CPU it runs on.
BF16_ENV = "GENART_BF16"
# The commands for which ``precision: auto`` may pick bf16: on the real weights their
# results in bf16 equal those in fp32 (style and content losses within 1%, dream's
# objective within its seed-to-seed spread, classify's top-5 identical, images no further
# apart than two seeds), and bf16 is faster wherever the hardware has native bf16 (on an
# AVX512-BF16 CPU: style 1.6x, classify 1.5x, dream 1.25x per step).
# benchmarks/bench_precision_commands.py measures both; docs/PERFORMANCE.md has the figures.
# Commands not listed (and library calls that name none) follow the hardware alone.
BF16_COMMANDS = frozenset({"style", "dream", "classify"})


def select_device(name: str = "auto"):
    """The torch device for ``name``; ``auto`` prefers CUDA, then Apple MPS, then the CPU."""
    import torch

    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise UsageError("device cuda: no CUDA GPU is available")
    if name == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise UsageError("device mps: Apple MPS is not available")
    return torch.device(name)


def use_bf16(precision: str, device, command: str | None = None) -> bool:
    """Resolve a ``precision`` setting (``auto``, ``fp32`` or ``bf16``) for ``device``:
    ``auto`` means bf16 autocast only where :func:`bf16_is_faster` for ``command``."""
    if precision not in PRECISIONS:
        raise UsageError(f"precision: {precision!r} is not one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        return bf16_is_faster(device, command)
    return precision == "bf16"


def bf16_is_faster(device, command: str | None = None) -> bool:
    """Whether bfloat16 autocast pays off on ``device`` (for ``command``, when named).

    On CUDA GPUs it does from compute capability 8.0 (Ampere: bf16 tensor cores); older
    GPUs emulate it. On CPUs it does only where the CPU has native bf16 instructions (AMX
    or AVX512-BF16); elsewhere bf16 is emulated and 2-3.6x slower than fp32 (measured in
    benchmarks/bench_classify.py and bench_style.py). A named ``command`` must also be in
    :data:`BF16_COMMANDS` (those whose art bf16 leaves unchanged). The environment
    variable ``GENART_BF16`` (1 or 0) overrides all of this.

    Example::

        bf16_is_faster(torch.device("cpu"), "style")   # True on an AVX512-BF16 CPU
    """
    forced = _forced_bf16()
    if forced is not None:
        return forced
    if command is not None and command not in BF16_COMMANDS:
        return False
    if device.type == "cuda":
        return _cuda_has_bf16(device)
    if device.type == "cpu":
        return _cpu_has_bf16()
    return False


def use_channels_last(memory_format: str, device) -> bool:
    """Resolve a ``memory_format`` setting (``auto``, ``channels-last`` or ``contiguous``):
    ``auto`` means channels-last on CUDA only (on CPUs it measured no faster)."""
    if memory_format not in MEMORY_FORMATS:
        raise UsageError(f"memory_format: {memory_format!r} is not one of {', '.join(MEMORY_FORMATS)}")
    if memory_format == "auto":
        return device.type == "cuda"
    return memory_format == "channels-last"


def autocast(device, enabled: bool) -> ContextManager[Any]:
    """bfloat16 autocast for ``device`` when ``enabled``, else a context that does nothing
    (torch.autocast refuses some device types even when disabled)."""
    if not enabled:
        return contextlib.nullcontext()
    import torch

    return torch.autocast(device.type, dtype=torch.bfloat16)


@dataclass(frozen=True)
class Compute:
    """How a network runs on a device: bf16 autocast or not, channels-last input or not.

    Only the forward pass is autocast; callers compute losses from its outputs in fp32.

    Example::

        compute = Compute.resolve(device, precision="auto", memory_format="auto")
        feats = compute.run(extractor, image)
    """

    device: Any
    bf16: bool = False
    channels_last: bool = False

    @classmethod
    def resolve(
        cls, device, *, precision: str = "fp32", memory_format: str = "contiguous", command: str | None = None
    ) -> "Compute":
        """The settings ``precision`` and ``memory_format`` resolved for ``device`` (and
        ``command``, whose results must stay the same in bf16: :data:`BF16_COMMANDS`)."""
        return cls(device, use_bf16(precision, device, command), use_channels_last(memory_format, device))

    def autocast(self) -> ContextManager[Any]:
        return autocast(self.device, self.bf16)

    def layout(self, x):
        """``x`` in this memory layout (channels-last, or as it is)."""
        if not self.channels_last:
            return x
        import torch

        return x.contiguous(memory_format=torch.channels_last)

    def run(self, fn: Callable[[Any], T], x) -> T:
        """``fn(x)`` with ``x`` in this layout, under this autocast."""
        with self.autocast():
            return fn(self.layout(x))


def _forced_bf16() -> bool | None:
    value = os.environ.get(BF16_ENV, "").strip()
    if not value:
        return None
    if value not in ("0", "1"):
        raise UsageError(f"{BF16_ENV}={value!r}: use 1 (bf16) or 0 (fp32), or leave it unset")
    return value == "1"


def _cuda_has_bf16(device) -> bool:
    import torch

    return torch.cuda.get_device_capability(device) >= (8, 0)


def _cpu_has_bf16() -> bool:
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags
