"""Settings of ``genart classify`` (no torch imports)."""
from __future__ import annotations

from dataclasses import dataclass

from ...core.config import param
from ...core.device import memory_format_param, precision_param


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
    precision: str = precision_param()
    memory_format: str = memory_format_param("channels-last")
