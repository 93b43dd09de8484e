"""Choosing where to compute: ``--device auto|cpu|cuda|mps``."""
from __future__ import annotations

from .errors import UsageError


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
        raise UsageError("--device cuda: no CUDA GPU is available")
    if name == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise UsageError("--device mps: Apple MPS is not available")
    return torch.device(name)


def use_bf16(precision: str, device) -> bool:
    """Resolve a ``--precision`` setting (``auto``, ``fp32`` or ``bf16``) for ``device``:
    ``auto`` means bf16 autocast only where :func:`bf16_is_faster`."""
    if precision == "auto":
        return bf16_is_faster(device)
    return precision == "bf16"


def bf16_is_faster(device) -> bool:
    """Whether bfloat16 autocast pays off on ``device``.

    On CUDA GPUs with bf16 tensor cores it does. On CPUs it does only where the CPU has
    native bf16 matrix instructions (AMX or AVX512-BF16); elsewhere bf16 is emulated and
    slower than fp32 (measured in benchmarks/bench_classify.py).
    """
    import torch

    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type == "cpu":
        try:
            flags = open("/proc/cpuinfo").read()
        except OSError:
            return False
        return "amx_bf16" in flags or "avx512_bf16" in flags
    return False
