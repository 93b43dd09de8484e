"""Backbones: the registry, where weights come from, and the named-layer feature extractor.

Imports are lazy: the spec registry (names, layers, weights files) needs no torch, so
``from genart.models import get_spec`` stays fast; ``load_backbone`` imports torch.

Example::

    from genart.models import get_spec, load_backbone

    get_spec("vgg19").layers()[:2]      # [LayerInfo('conv1_1', 64, ...), LayerInfo('relu1_1', 64, ...)]
    bb = load_backbone("vgg19-caffe", weights="random")
    feats = bb.extractor(["relu1_1", "relu4_2"])(img)    # img: RGB (N, 3, H, W) in [0, 1]
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_LAZY = {
    "BackboneSpec": "spec",
    "LayerInfo": "spec",
    "Preprocess": "spec",
    "WeightsSource": "spec",
    "get_spec": "registry",
    "list_specs": "registry",
    "register": "registry",
    "Backbone": "backbone",
    "ClassificationTransform": "backbone",
    "load_backbone": "backbone",
    "FeatureExtractor": "extractor",
    "WeightsLocation": "weights",
    "download_weights": "weights",
    "hub_checkpoints_dir": "weights",
    "locate_weights": "weights",
    "resolve_weights": "weights",
    "search_dirs": "weights",
    "WeightsStatus": "inventory",
    "VerifyResult": "inventory",
    "weights_status": "inventory",
    "verify_weights": "inventory",
}

__all__ = sorted(_LAZY)

if TYPE_CHECKING:  # pragma: no cover
    from .backbone import Backbone, ClassificationTransform, load_backbone
    from .extractor import FeatureExtractor
    from .inventory import VerifyResult, WeightsStatus, verify_weights, weights_status
    from .registry import get_spec, list_specs, register
    from .spec import BackboneSpec, LayerInfo, Preprocess, WeightsSource
    from .weights import (
        WeightsLocation,
        download_weights,
        hub_checkpoints_dir,
        locate_weights,
        resolve_weights,
        search_dirs,
    )


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
