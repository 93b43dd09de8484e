"""What a dream needs, known before any work: its layers and the input sizes it takes.

No torch here: a CLI can check every input of a batch before loading anything heavy.
``required_layers`` and ``check_sizes`` are also exported by
:mod:`genart.commands.dream.algorithm`.
"""
from __future__ import annotations

from typing import Any

from .config import DreamConfig
from ...core.geometry import require_min_side

__all__ = ["check_sizes", "dream_layers", "guide_layers", "required_layers"]


def dream_layers(config: DreamConfig, spec: Any) -> tuple[str, ...]:
    """The layers whose activations are amplified: ``config.layers``, else the model's
    default dream layers when neither a class nor a guide is dreamed; else none."""
    if config.layers:
        return tuple(config.layers)
    if config.label is None and config.guide is None:
        return tuple(spec.default_dream_layers)
    return ()


def guide_layers(config: DreamConfig, spec: Any) -> tuple[str, ...]:
    """The layers where a guide is matched (none without ``config.guide``)."""
    if config.guide is None:
        return ()
    return tuple(config.guide_layers or config.layers or spec.default_dream_layers)


def required_layers(config: DreamConfig, spec: Any) -> tuple[str, ...]:
    """Every layer a dream with ``config`` reads on a backbone with ``spec``: the dream
    layers, then the guide layers (a class objective runs the classifier, not listed).

    Example::

        backbone.extractor(required_layers(cfg, backbone.spec))  # bad names fail up front
    """
    return tuple(dict.fromkeys(dream_layers(config, spec) + guide_layers(config, spec)))


def check_sizes(
    config: DreamConfig, spec: Any, *, image: tuple[int, int] | None = None, guide: tuple[int, int] | None = None
) -> None:
    """Raise UsageError, before any work, for an input too small for the network.

    The image (resized to ``config.size`` if set) and the guide (resized to
    ``config.guide_size``) must both reach ``spec.min_size`` px on their short side.

    Args:
        config: the settings (``size``, ``guide_size``).
        spec: the backbone's spec (``backbone.spec``).
        image: the input image's (height, width).
        guide: the guide image's (height, width).

    Example::

        check_sizes(cfg, backbone.spec, image=(480, 640), guide=(8, 900))  # UsageError: guide: ...
    """
    if image is not None:
        require_min_side("image", image, spec.min_size, side=config.size, needs=spec.name)
    if guide is not None:
        require_min_side("guide", guide, spec.min_size, side=config.guide_size, needs=spec.name)
