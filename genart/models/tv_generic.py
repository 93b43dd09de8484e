"""Any torchvision ImageNet classifier by its torchvision name, for classification only.

Registered backbones (``vgg19``, ``googlenet``...) carry named feature layers; every other
torchvision classifier (``resnet18``, ``convnext_tiny``...) is described here on demand from
its default Weights entry: URL, file name, transforms, labels and minimum size. torchvision
is imported only when such a name is asked for.
"""
from __future__ import annotations

import functools
import os
from urllib.parse import urlparse

from .spec import BackboneSpec, WeightsSource

__all__ = ["torchvision_classifier_names", "torchvision_spec"]


@functools.lru_cache(maxsize=1)
def torchvision_classifier_names() -> tuple[str, ...]:
    """The names of torchvision's ImageNet classification models."""
    import torchvision

    return tuple(torchvision.models.list_models(module=torchvision.models))


@functools.lru_cache(maxsize=None)
def torchvision_spec(name: str) -> BackboneSpec | None:
    """A classification-only spec for torchvision model ``name``, or None if there is none."""
    if name not in torchvision_classifier_names():
        return None
    from torchvision.models import get_model_weights

    entry = get_model_weights(name).DEFAULT
    min_side = max(entry.meta.get("min_size", (1, 1)))
    return BackboneSpec(
        name=name,
        family="classifier",
        description=f"torchvision {name} ({type(entry).__name__}.{entry.name}), classification only",
        build=functools.partial(_build, name),
        min_size=int(min_side),
        weights=WeightsSource(os.path.basename(urlparse(entry.url).path), entry.url),
        has_classifier=True,
        tv_weights=f"{type(entry).__name__}.{entry.name}",
        # Some torchvision models create tensors in __init__ that a meta-device build
        # would lose; these are built the ordinary way and loaded strictly.
        lazy_init=False,
    )


def _build(name: str):
    import torchvision

    return torchvision.models.get_model(name, weights=None)
