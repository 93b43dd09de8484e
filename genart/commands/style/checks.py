"""What a style run needs, known before any work: its layers and the input sizes it takes.

No torch here: a CLI can check every input of a batch before loading anything heavy.
Both functions are also exported by :mod:`genart.commands.style.algorithm`.
"""
from __future__ import annotations

from typing import Any

from .config import StyleConfig
from ...core.geometry import require_min_side

__all__ = ["check_sizes", "required_layers"]


def required_layers(config: StyleConfig) -> tuple[str, ...]:
    """The backbone layers ``stylize`` reads with ``config``: style layers, then content layers.

    Example::

        backbone.extractor(required_layers(cfg))  # a bad layer name fails here, up front
    """
    return tuple(dict.fromkeys(config.style_layers + config.content_layers))


def check_sizes(config: StyleConfig, spec: Any, *, content: tuple[int, int] | None = None) -> None:
    """Raise UsageError, before any work, for a content image too thin for the network.

    The output has the content's aspect ratio and the long side ``config.size``; its short
    side must give the deepest layer used at least one position (its stride, from
    ``spec``; ``spec.min_size`` for a spec without layer strides). Style images of any
    size and aspect work (one too thin for the network is enlarged), and masks and init
    images are resized to the output.

    Args:
        config: the settings (``size``).
        spec: the backbone's spec (``backbone.spec``).
        content: the content image's (height, width).

    Example::

        check_sizes(cfg, backbone.spec, content=(20, 2000))   # UsageError: content: ...
    """
    if content is not None:
        require_min_side("content", content, _min_input(config, spec), side=config.size, needs=spec.name)


def _min_input(config: StyleConfig, spec: Any) -> int:
    """The smallest input side that leaves the deepest layer used one position."""
    if not hasattr(spec, "layer"):
        return getattr(spec, "min_size", 1)
    return max(spec.layer(name).stride for name in required_layers(config))
