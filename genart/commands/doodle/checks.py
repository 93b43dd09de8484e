"""What a doodle needs, known before any work: its layers and the input sizes it takes.

No torch here: a CLI can check every input of a batch before loading anything heavy.
``required_layers`` and ``check_sizes`` are also exported by
:mod:`genart.commands.doodle.algorithm`.
"""
from __future__ import annotations

from typing import Any

from .config import DoodleConfig
from ...core.geometry import fit_long_side, min_long_side, require_min_side

__all__ = ["MIN_PHASE_SIDE", "check_sizes", "output_reference", "required_layers"]

# px; below this even relu2_1 features have no room for a 3x3 patch. Not spec.min_size:
# that is the classifier head's limit; features stop far earlier.
MIN_PHASE_SIDE = 8


def required_layers(config: DoodleConfig, *, content: bool) -> tuple[str, ...]:
    """The backbone layers a doodle reads: the style layers, plus the content layers when
    there is a content image.

    Example::

        backbone.extractor(required_layers(cfg, content=True))  # bad names fail up front
    """
    return tuple(dict.fromkeys(config.style_layers + (config.content_layers if content else ())))


Size = tuple[int, int]


def check_sizes(
    config: DoodleConfig, spec: Any, *, style: Size | None = None, target: Size | None = None, content: Size | None = None
) -> None:
    """Raise UsageError, before any work, for an input too small or too thin for the first phase.

    The output takes the aspect of the target (or content) map, else of the content, else
    of the style, with the long side ``config.size`` halved for each earlier phase. In the
    first phase the output and the style (scaled to the output's long side) must keep room
    for the deepest layer's features: its stride times the patch side in ``mrf`` mode
    (strides from ``spec``; 1 without one), and never less than 8 px.

    Args:
        config: the settings (``size``, ``phases``, layers, ``mode``, ``patch_size``).
        spec: the backbone's spec (``backbone.spec``), or None.
        style, target, content: (height, width) of the style image, of the target (or
            content) map, of the content image; each optional.

    Example::

        check_sizes(cfg, backbone.spec, style=(600, 800), target=(20, 900))  # UsageError: target map: ...
    """
    first = config.size / 2 ** (config.phases - 1)
    minimum = max(MIN_PHASE_SIDE, _feature_room(config, spec, content=content is not None))
    if style is not None or target is not None or content is not None:
        role, hw = output_reference(style, target, content)
        if min(fit_long_side(*hw, first)) < minimum:
            need = min_long_side(*hw, minimum) * 2 ** (config.phases - 1)
            hint = f"use fewer phases or a size of at least {need} px"
            require_min_side(role, hw, minimum, side=first, needs="the first phase", hint=hint)
        first = max(fit_long_side(*hw, first))
    if style is not None:
        require_min_side("style", style, minimum, side=first, needs="the first phase")


def output_reference(style: Size | None, target: Size | None, content: Size | None) -> tuple[str, Size]:
    """Which input gives the output its aspect ratio: (its role, its (h, w))."""
    for role, hw in (("target map", target), ("content", content), ("style", style)):
        if hw is not None:
            return role, hw
    raise ValueError("no input size given")


def _feature_room(config: DoodleConfig, spec: Any, *, content: bool) -> int:
    """Pixels the deepest layer needs: its stride x the patch side (MRF) or 1 position."""
    patch = config.patch_size if config.mode == "mrf" else 1
    stride = (lambda name: spec.layer(name).stride) if hasattr(spec, "layer") else (lambda name: 1)
    room = [stride(n) * patch for n in config.style_layers]
    room += [stride(n) for n in config.content_layers] if content else []
    return max(room)
