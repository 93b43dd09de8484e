"""DeepDream (Mordvintsev, Olah & Tyka 2015), faithful to the original notebook.

The image is shrunk into octaves; at each octave, from the smallest up, the gradient of
the objective is followed for ``iterations`` steps, each under a random jitter roll and
divided by its mean absolute value, with pixels clipped to the valid range. The detail
gained (dream minus base) is enlarged and added to the next octave's base.

Example::

    bb = load_backbone("googlenet-bvlc", weights="bvlc_googlenet.pth")
    out = dream(image, DreamConfig(), backbone=bb)      # (1, 3, H, W) in [0, 1]
"""
from __future__ import annotations

import dataclasses
from typing import Any, Iterator

import torch

from .config import DreamConfig
from .gradients import NORMALIZERS, tiled_gradient
from .checks import check_sizes, required_layers
from .objectives import DreamObjective, build_objective
from .octaves import octave_sizes, resize
from .transforms import quantize, randint, random_affine, zoom_frame
from ...core.errors import ImageError
from ...core.geometry import resize_long_side
from ...core.events import EventCallback, Intermediate, Message, StageStarted, Step, emit

__all__ = ["DreamConfig", "check_sizes", "dream", "dream_frames", "required_layers", "video_frame_config", "video_start"]


def dream(
    image: torch.Tensor,
    config: DreamConfig,
    *,
    backbone: Any,
    guide: torch.Tensor | None = None,
    callback: EventCallback | None = None,
) -> torch.Tensor:
    """Dream on ``image``: RGB (1, 3, H, W) in [0, 1] in, the same range out, at its size
    or with the long side ``config.size`` when that is set.

    Args:
        image: the photo to dream on (with ``init="noise"`` only its size is used).
        config: the settings; see :class:`DreamConfig`.
        backbone: a loaded ``genart.models.Backbone``.
        guide: the guide image (1, 3, h, w) in [0, 1] when ``config.guide`` is set.
        callback: receives StageStarted per octave and Step per iteration.
    """
    image = _prepare(image, config, backbone, guide)
    objective = build_objective(config, backbone, guide)
    generator = torch.Generator().manual_seed(config.seed)
    if config.init == "noise":
        image = _noise_like(image, generator)
    return _dream_octaves(image, config, objective, backbone.spec.min_size, generator, callback)


def dream_frames(
    image: torch.Tensor,
    config: DreamConfig,
    *,
    backbone: Any,
    guide: torch.Tensor | None = None,
    start_frame: int = 0,
    callback: EventCallback | None = None,
) -> Iterator[tuple[int, torch.Tensor]]:
    """Yield ``(index, frame)`` for frames ``start_frame .. config.frames - 1``.

    Frame 0 dreams on ``image``; frame k dreams on frame k-1 zoomed by ``config.zoom``
    and rotated by ``config.rotate`` (the notebook's zoom loop). To resume, pass the last
    frame written (index ``start_frame - 1``) as ``image``: frames are rounded to 8-bit
    before the next zoom and each frame has its own seed, so a resumed run reproduces an
    uninterrupted one.
    """
    image = _prepare(image, config, backbone, guide)
    objective = build_objective(config, backbone, guide)
    frame = quantize(image)
    for index in range(start_frame, config.frames):
        emit(callback, StageStarted(f"frame {index + 1}/{config.frames}", index, config.frames, 0))
        generator = torch.Generator().manual_seed(config.seed * 100_003 + index)
        if index > 0:
            frame = zoom_frame(frame, zoom=config.zoom, degrees=config.rotate)
        elif config.init == "noise":
            frame = _noise_like(frame, generator)
        frame = quantize(_dream_octaves(frame, config, objective, backbone.spec.min_size, generator, callback))
        yield index, frame


def video_start(
    source: torch.Tensor, warped: torch.Tensor | None, mask: torch.Tensor | None, blend: float
) -> torch.Tensor:
    """The image a video frame's dream starts from: the new source frame with the previous
    dreamed frame, warped into it by the optical flow, blended in where the flow is reliable.

    ``source + blend * mask * (warped - source)``: the classic DeepDream video loop, so that
    patterns follow the motion instead of boiling; at a cut (``warped`` None) the source.

    Args:
        source: the frame, RGB (1, 3, H, W) in [0, 1].
        warped: the previous dreamed frame warped into this one, or None.
        mask: (1, 1, H, W), 1 where the warp is reliable (None: everywhere).
        blend: 0 (the source only) to 1 (the warped dream wherever reliable).

    Example::

        start = video_start(ctx.tensor("source"), ctx.tensor("warped"), ctx.tensor("mask"), 0.5)
        frame = dream(start, cfg, backbone=bb)
    """
    if warped is None or blend <= 0:
        return source
    weight = blend if mask is None else blend * mask.to(source)
    return source + weight * (warped.to(source) - source)


def video_frame_config(config: DreamConfig, first: bool) -> DreamConfig:
    """A video frame's settings: a shot's first frame (or every frame, with ``blend`` 0) as
    configured; a later one with ``frame_iterations`` steps per octave (default half).

    A later frame starts from ``blend`` of the previous dream, so the pattern's strength
    settles where a frame's new dreaming equals what the blend lets fade: about
    ``steps / (1 - blend)``. Fewer steps with more blend keep that strength (half the
    steps at 0.75 settle where all of them settle at 0.5) with more of the previous frame
    kept, which is what steadiness is made of.
    """
    if first or config.blend <= 0:
        return config
    steps = config.frame_iterations or max(1, config.iterations // 2)
    return dataclasses.replace(config, iterations=steps)


def _dream_octaves(
    image: torch.Tensor,
    config: DreamConfig,
    objective: DreamObjective,
    min_size: int,
    generator: torch.Generator,
    callback: EventCallback | None,
) -> torch.Tensor:
    h, w = image.shape[-2:]
    sizes = octave_sizes(h, w, octaves=config.octaves, scale=config.octave_scale, min_size=min_size)
    if len(sizes) < config.octaves:
        emit(callback, Message(f"octaves capped at {len(sizes)}: the network needs >= {min_size} px", "warning"))
    detail = torch.zeros((1, 3, *sizes[0]), device=image.device)
    dreamed = image  # replaced in the first octave; kept for a type checker
    for index, size in enumerate(sizes):
        base = resize(image, size)
        name = f"octave {index + 1}/{len(sizes)} ({size[1]}x{size[0]})"
        emit(callback, StageStarted(name, index, len(sizes), config.iterations))
        # In place on the enlarged detail (a fresh tensor; at the first octave, the zeros).
        dreamed = resize(detail, size).add_(base).clamp_(0.0, 1.0)
        for it in range(config.iterations):
            dreamed, value = _step(dreamed, config, objective, min_size, generator)
            # ``dreamed`` is updated in place: the preview shows the image as it is when called.
            preview = lambda image=dreamed: image.detach().clone()  # noqa: E731
            emit(callback, Step(it + 1, config.iterations, {"objective": value}, preview=preview))
        emit(callback, Intermediate(f"octave{index + 1}", dreamed))
        if index + 1 < len(sizes):
            detail = dreamed - base
    return dreamed


def _step(
    image: torch.Tensor, config: DreamConfig, objective: DreamObjective, min_size: int, generator: torch.Generator
) -> tuple[torch.Tensor, float]:
    """One normalised gradient-ascent step under a random roll (and transforms)."""
    shift = [randint(generator, -config.jitter, config.jitter) for _ in range(2)]
    h, w = image.shape[-2:]
    if config.tile_size and max(h, w) > config.tile_size:
        # Move the tile grid by up to a whole tile, so seams never stay in place.
        shift = [s + randint(generator, 0, config.tile_size - 1) for s in shift]
    fn = random_affine(objective, generator, scale_jitter=config.scale_jitter, rotate_jitter=config.rotate_jitter)
    grad, value = tiled_gradient(fn, image, shift=(shift[0], shift[1]), tile_size=config.tile_size, min_size=min_size)
    grad = NORMALIZERS[config.grad_norm](grad, config.laplacian_levels)
    # Step size is in 0-255 units, as in the notebook; images here live in [0, 1].
    # In place: ``image`` is this octave's own tensor, and large images need no copies.
    return image.add_(grad, alpha=config.step_size / 255.0).clamp_(0.0, 1.0), value


def _prepare(image: torch.Tensor, config: DreamConfig, backbone: Any, guide: torch.Tensor | None) -> torch.Tensor:
    """The input checked, on the backbone's device, resized to ``config.size`` if set."""
    if image.dim() != 4 or image.shape[:2] != (1, 3):
        raise ImageError(f"dream: expected an RGB image of shape (1, 3, H, W), got {tuple(image.shape)}")
    guide_hw = None if guide is None else tuple(guide.shape[-2:])
    check_sizes(config, backbone.spec, image=tuple(image.shape[-2:]), guide=guide_hw)
    image = image.detach().to(device=backbone.device, dtype=torch.float32)
    return image if config.size is None else resize_long_side(image, config.size)


def _noise_like(image: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Grey with faint noise, like the notebook's ``uniform(size) + 100`` start."""
    noise = torch.rand(image.shape, generator=generator).to(image.device)
    return 0.45 + 0.1 * noise
