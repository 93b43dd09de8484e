"""Neural style transfer (Gatys, Ecker & Bethge, CVPR 2016) as one library call.

:func:`stylize` grows the picture through a coarse-to-fine pyramid (:mod:`genart.core.pyramid`),
computes the style and content targets once per scale (:mod:`genart.commands.style.loss`), tiles
the network at scales too large for one pass (:mod:`genart.commands.style.tiling`), optimises with
L-BFGS or Adam (:mod:`genart.core.optim`) and applies colour control (:mod:`genart.commands.style.color`).
It never reads or writes files: images are RGB tensors (1, 3, H, W) in [0, 1].

Example::

    bb = load_backbone("vgg19")
    out = stylize(photo, [painting], StyleConfig(size=512), backbone=bb)
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping, Sequence

import torch
from torch import Tensor

from .checks import check_sizes, required_layers
from .color import ColorPlan, plan_color, visible_part
from .config import StyleConfig
from ...core.device import Compute
from ...core.errors import UsageError
from ...core.events import EventCallback, Intermediate, StageStarted, Step, emit
from ...core.losses import Moments, moments
from ...core.optim import Convergence, optimize_image
from ...core.geometry import fit_long_side, min_long_side, resize
from .pyramid import Scale, plan_scales, scale_sides
from .loss import (
    FeatureFn,
    Targets,
    TemporalTarget,
    Weights,
    build_content_targets,
    build_style_targets,
    whole_image_loss,
    with_temporal,
)
from .tiling import ALIGN, probe_strides, tiled_features, tiled_loss, tiled_moments

__all__ = ["stylize", "TemporalTarget", "check_sizes", "required_layers", "DEFAULT_LEARNING_RATES", "TILE_MARGIN"]

# Per-pixel step sizes on the [0, 1] scale: L-BFGS picks its own scale after the first
# step (1 is the usual value); Adam's 0.02 is ~5/255 per step, with iterate averaging.
DEFAULT_LEARNING_RATES = {"lbfgs": 1.0, "adam": 0.02}
# Context around each tile's core (px). VGG's relu4_2 sees ~±90 px, but most of its
# receptive field's weight lies within ~±50 px; shifted tile grids average out the rest.
TILE_MARGIN = 64


def stylize(
    content: Tensor,
    styles: Sequence[Tensor],
    config: StyleConfig,
    *,
    backbone: Any,
    style_masks: Sequence[Tensor | None] | None = None,
    init_image: Tensor | None = None,
    temporal: Sequence[TemporalTarget] = (),
    callback: EventCallback | None = None,
) -> Tensor:
    """Paint ``content`` in the style of ``styles``; return the RGB result at ``config.size``.

    Args:
        content: the photo, RGB (1, 3, H, W) in [0, 1], any size.
        styles: one or more style images, RGB (1, 3, h, w) in [0, 1].
        config: every setting (see :class:`genart.commands.style.config.StyleConfig`).
        backbone: a loaded :class:`genart.models.Backbone`.
        style_masks: per style image, None or a (1, 1, H', W') mask in [0, 1] (any size,
            stretched to the output) saying where that style paints.
        init_image: the start image for ``config.init == "image"``.
        temporal: for a video frame, what to stay close to (the previous output warped
            into this frame, with its reliability mask; Ruder et al. 2016), weighted by
            ``config.temporal_weight``. Works with tiling too (it is a pixel term).
        callback: receives StageStarted per scale, Step per iteration, Intermediate
            every ``config.save_every`` iterations.

    Raises:
        UsageError: mismatched numbers of styles, masks and blend weights; a missing
            init image. LayerError: a layer the backbone or its weights lack.
    """
    masks = _check_inputs(content, styles, style_masks, init_image, config)
    min_side = getattr(backbone.spec, "min_size", 1)
    check_sizes(config, backbone.spec, content=tuple(content.shape[-2:]))
    device = backbone.device
    features, layers = _feature_fn(backbone, config)
    plan = plan_color(config.color, content.to(device), [s.to(device) for s in styles])
    to_rgb = _to_rgb(plan.content.shape[1])
    scales = _scales(content, config, min_side)
    gen = torch.Generator().manual_seed(config.seed)
    image: Tensor | None = None
    for index, scale in enumerate(scales):
        name = f"scale {index + 1}/{len(scales)} ({scale.width}x{scale.height})"
        emit(callback, StageStarted(name, index, len(scales), scale.iterations))
        start = _start_image(plan, scale, image, init_image, config, gen, device)
        loss_fn = _scale_loss(features, layers, plan, masks, scale, config, to_rgb, gen, min_side)
        loss_fn = _temporal_loss(loss_fn, temporal, scale, config, device)
        image = optimize_image(
            start,
            loss_fn,
            optimizer=config.optimizer,
            iterations=scale.iterations,
            learning_rate=_learning_rate(config),
            history_size=config.history_size,
            callback=_finishing(callback, plan),
            save_every=config.save_every,
            tag=f"scale{index + 1}-",
            stop=Convergence(config.stop_tolerance, config.stop_window),
        )
    assert image is not None
    return plan.finish(image).clamp(0, 1)


def _check_inputs(content, styles, style_masks, init_image, config: StyleConfig) -> list[Tensor | None]:
    if content.dim() != 4 or content.shape[:2] != (1, 3):
        raise UsageError(f"content: expected an RGB tensor (1, 3, H, W), got {tuple(content.shape)}")
    if not styles:
        raise UsageError("style: at least one style image is needed")
    if config.style_blend_weights and len(config.style_blend_weights) != len(styles):
        raise UsageError(f"style_blend_weights: {len(config.style_blend_weights)} weights for {len(styles)} style images")
    masks = list(style_masks) if style_masks is not None else [None] * len(styles)
    if len(masks) != len(styles):
        raise UsageError(f"style_mask: {len(masks)} masks for {len(styles)} style images")
    if config.init == "image" and init_image is None:
        raise UsageError("init: 'image' needs an init image (init_image)")
    # An RGB mask (as loaded from a file) counts by its mean brightness.
    return [m.mean(dim=1, keepdim=True) if m is not None and m.shape[1] != 1 else m for m in masks]


def _feature_fn(backbone: Any, config: StyleConfig) -> tuple[FeatureFn, list[str]]:
    """The extractor, run with the configured precision and memory layout.

    Only the forward pass is autocast: Gram matrices, statistics and losses are computed
    afterwards in fp32 (:mod:`genart.core.losses` casts), so bf16 cannot overflow them.
    """
    layers = list(required_layers(config))
    extractor = backbone.extractor(layers, pooling=config.pooling)
    compute = Compute.resolve(backbone.device, precision=config.precision, memory_format=config.memory_format)
    return (lambda x: compute.run(extractor, x)), layers


def _to_rgb(channels: int) -> Callable[[Tensor], Tensor]:
    if channels == 1:  # luminance-only optimisation: the network sees a grey image
        return lambda x: x.expand(-1, 3, -1, -1)
    return lambda x: x


def _scales(content: Tensor, config: StyleConfig, min_side: int) -> list[Scale]:
    h, w = content.shape[-2:]
    if config.pyramid:
        sides = scale_sides(config.size, start=config.start_size, ratio=config.scale_ratio, explicit=config.scales)
    else:
        sides = [config.size]
    return plan_scales(
        h, w, sides=sides, iterations=config.iterations, coarse_iterations=config.coarse_iterations,
        scale_iterations=config.scale_iterations if config.pyramid else (), min_side=min_side,
    )


def _learning_rate(config: StyleConfig) -> float:
    if config.learning_rate is not None:
        return config.learning_rate
    return DEFAULT_LEARNING_RATES[config.optimizer]


def _start_image(plan: ColorPlan, scale: Scale, previous, init_image, config, gen, device) -> Tensor:
    """The previous scale's result upsampled, else the configured initialisation."""
    size = (scale.height, scale.width)
    if previous is not None:
        return resize(previous, size).clamp(0, 1)
    if config.init == "noise":  # white noise, as Gatys et al. (2016)
        return torch.rand(1, plan.content.shape[1], *size, generator=gen).to(device)
    if config.init == "image":
        start = init_image.to(device)
        if plan.content.shape[1] == 1:
            start = plan_color("luminance", start, []).content
        return resize(start, size).clamp(0, 1)
    return resize(plan.content, size)


def _finishing(callback: EventCallback | None, plan: ColorPlan) -> EventCallback | None:
    """Forward events; intermediate images and previews go through the colour plan's
    finish first (a luminance-only optimisation becomes an RGB picture)."""
    if callback is None:
        return None

    def finish(image: Tensor) -> Tensor:
        return plan.finish(image).clamp(0, 1)

    def forward(event: Any) -> None:
        if isinstance(event, Intermediate):
            event = Intermediate(event.tag, finish(event.image))
        elif isinstance(event, Step) and event.preview is not None:
            raw = event.preview
            event = dataclasses.replace(event, preview=lambda: finish(raw()))
        callback(event)

    return forward


def _temporal_loss(loss_fn, temporal: Sequence[TemporalTarget], scale: Scale, config: StyleConfig, device):
    """The scale's loss plus the temporal term, its targets resized to the scale."""
    if not temporal or config.temporal_weight <= 0:
        return loss_fn
    size = (scale.height, scale.width)
    view = visible_part(config.color)
    targets = [
        TemporalTarget(view(resize(t.image.to(device).float(), size)).clamp(0, 1),
                       resize(t.mask.to(device).float(), size).clamp(0, 1), t.weight)
        for t in temporal
    ]
    return with_temporal(loss_fn, targets, config.temporal_weight, view)


def _tiled(side: int, config: StyleConfig) -> bool:
    return bool(config.tile_size) and side > config.tile_size


def _tile(config: StyleConfig) -> int:
    return max(ALIGN, config.tile_size // ALIGN * ALIGN)


def _scale_loss(features, layers, plan, masks, scale: Scale, config: StyleConfig, to_rgb, gen, min_side):
    """Targets for this scale (computed once) and the loss function over them."""
    size = (scale.height, scale.width)
    tiled = _tiled(scale.long_side, config)
    style_sizes = [_style_size(s, scale, config, min_side) for s in plan.styles]
    # Tile strides are needed as soon as anything is tiled: the output, or a style image
    # (one enlarged to the network's minimum may be tiled while the output is not).
    any_tiled = tiled or any(_tiled(max(hw), config) for hw in style_sizes)
    strides = probe_strides(features, layers, device=plan.content.device) if any_tiled else {}
    style_stats = [_style_moments(features, resize(to_rgb(s), hw), config, strides) for s, hw in zip(plan.styles, style_sizes)]
    regions = [None if m is None else resize(m.to(plan.content.device).float(), size).clamp(0, 1) for m in masks]
    style_targets, regions = build_style_targets(style_stats, regions, config)
    content = to_rgb(resize(plan.content, size))
    content_targets = []
    if config.content_layers and config.content_weight > 0:
        feats = _content_features(features, content, config, tiled, strides)
        content_targets = build_content_targets(feats, config)
    targets = Targets(style_targets, content_targets, regions, config.style_loss)
    weights = Weights(config.style_weight, config.content_weight, config.tv_weight)
    if tiled:
        return tiled_loss(features, targets, weights, to_rgb, tile=_tile(config), margin=TILE_MARGIN, strides=strides, generator=gen)
    return whole_image_loss(features, targets, weights, to_rgb)


def _style_size(style: Tensor, scale: Scale, config: StyleConfig, min_side: int) -> tuple[int, int]:
    """The style's size at this scale: long side ``style_scale`` x the output's, enlarged
    (whatever its aspect ratio) until its short side reaches the network's minimum."""
    sh, sw = style.shape[-2:]
    h, w = fit_long_side(sh, sw, max(round(config.style_scale * scale.long_side), 1))
    if min(h, w) < min_side:
        h, w = fit_long_side(sh, sw, min_long_side(sh, sw, min_side))
    return h, w


def _style_moments(features, img: Tensor, config: StyleConfig, strides) -> dict[str, Moments]:
    if _tiled(max(img.shape[-2:]), config):
        return tiled_moments(features, img, list(config.style_layers), tile=_tile(config), margin=TILE_MARGIN, strides=strides)
    with torch.no_grad():
        feats = features(img)
    return {n: _detach(moments(feats[n])) for n in config.style_layers}


def _detach(m: Moments) -> Moments:
    return Moments(*(t.detach() for t in m))


def _content_features(features, content: Tensor, config: StyleConfig, tiled: bool, strides) -> Mapping[str, Tensor]:
    layers = list(config.content_layers)
    if tiled:
        return tiled_features(features, content, layers, tile=_tile(config), margin=TILE_MARGIN, strides=strides)
    with torch.no_grad():
        feats = features(content)
    return {n: feats[n] for n in layers}
