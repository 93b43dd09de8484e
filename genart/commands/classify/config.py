"""Settings of ``genart classify`` (no torch imports)."""
from __future__ import annotations

from dataclasses import dataclass

from ...core.config import param
from ...core.device import MEMORY_FORMATS, PRECISIONS


@dataclass(frozen=True)
class ClassifyConfig:
    """ImageNet top-k classification.

    The default network is the BVLC GoogLeNet (Szegedy et al. 2014), the network of the
    original DeepDream; any registered backbone with a classifier, or any torchvision
    classifier by name, works too.
    """

    model: str = param("googlenet-bvlc", "Backbone name (see `genart models list`).")
    weights: str | None = param(None, "Weights file to use instead of the cache/download.", path=True)
    topk: int = param(5, "How many classes to report per image.", min=1, max=1000)
    batch_size: int = param(8, "Images per forward pass.", min=1)
    precision: str = param(
        "auto",
        "Arithmetic: fp32, bf16 (autocast), or auto (bf16 where the device runs it faster).",
        choices=PRECISIONS,
    )
    memory_format: str = param(
        "channels-last", "Tensor layout: channels-last, contiguous, or auto (channels-last on GPUs only).",
        choices=MEMORY_FORMATS,
    )
