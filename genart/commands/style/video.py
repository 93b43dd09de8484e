"""Style transfer for videos, one frame at a time (Ruder, Dosovitskiy & Brox, GCPR 2016).

:func:`stylize_frame` is a ``render_frame`` for :func:`genart.video.render_video`: the
first frame of a shot is stylised like a photo (the whole pyramid); every later frame
starts from the previous output warped into it by the optical flow, and a temporal loss
keeps the pixels the flow follows close to that warp, so the style does not flicker.
Starting that close to the answer, a later frame needs only ``frame_iterations``
iterations at the output size.

The start is the warp everywhere, as Ruder et al. start (sec. 4.1), not the photo where
the flow is unreliable: on the shared phone clip DIS fails in the textureless sky, and
photo pixels there stayed pale, barely stylised patches after the later frames' few
iterations; the warped previous frame is already painted, and the optimisation repaints
what the flow got wrong (the temporal loss leaves those pixels free).

Example::

    from genart.video import render_video

    def frame(ctx):
        return stylize_frame(ctx, [painting], cfg, backbone=bb)

    render_video("clip.mp4", "clip_styled.mp4", frame, size=cfg.size, long_term=cfg.long_term)
"""
from __future__ import annotations

import dataclasses
from typing import Any, Sequence

from torch import Tensor

from .algorithm import TemporalTarget, stylize
from .config import StyleConfig
from ...core.events import EventCallback

__all__ = ["frame_config", "stylize_frame", "temporal_targets"]


def frame_config(config: StyleConfig, first: bool) -> StyleConfig:
    """The settings for one frame: a shot's first frame (or every frame, with
    ``temporal_weight`` 0) as configured; a later frame at one scale, ``--size``, with
    ``frame_iterations`` iterations from the warped previous frame."""
    if first or config.temporal_weight <= 0:
        return config
    return dataclasses.replace(
        config, pyramid=False, scales=(), scale_iterations=(), iterations=config.frame_iterations, init="image"
    )


def temporal_targets(ctx: Any, device: Any = None) -> list[TemporalTarget]:
    """The previous output warped into this frame, then the long-term warps, as targets."""
    if ctx.warped is None:
        return []
    targets = [TemporalTarget(ctx.tensor("warped", device), ctx.tensor("mask", device))]
    for past in ctx.long_term:
        targets.append(TemporalTarget(_tensor(past.image, device), _tensor(past.mask, device)))
    return targets


def _tensor(array: Any, device: Any) -> Tensor:
    from ...video.render import as_tensor

    return as_tensor(array, device)


def stylize_frame(
    ctx: Any,
    styles: Sequence[Tensor],
    config: StyleConfig,
    *,
    backbone: Any,
    style_masks: Sequence[Tensor | None] | None = None,
    init_image: Tensor | None = None,
    callback: EventCallback | None = None,
) -> Tensor:
    """One output frame from a :class:`genart.video.FrameContext`; RGB (1, 3, H, W).

    Args:
        ctx: the frame's context (source, previous output warped, mask, long-term warps).
        styles, config, backbone, style_masks, callback: as :func:`stylize`.
        init_image: the start image of a shot's first frame with ``config.init == "image"``.
    """
    first = ctx.new_shot or config.temporal_weight <= 0
    cfg = frame_config(config, first)
    start, temporal = (init_image, []) if first else (ctx.tensor("warped"), temporal_targets(ctx))
    return stylize(ctx.tensor("source"), styles, cfg, backbone=backbone, style_masks=style_masks,
                   init_image=start, temporal=temporal, callback=callback)
