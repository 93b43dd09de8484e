"""Style transfer on images too large for one pass of the network: exact tiled gradients.

The style loss depends on statistics of the whole image (a Gram matrix, a mean and a
covariance), so tiles cannot be optimised independently without each tile drifting to
its own copy of the style. Instead, every evaluation makes two passes over the tiles:

1. without autograd, add up the raw moments (sum f, sum f f^T) of every tile's *core*;
   compute the style loss from the totals and its gradient with respect to the totals;
2. with autograd, one tile at a time, backpropagate the linear surrogate
   <dL/dsum1, sum1_tile> + <dL/dsum2, sum2_tile> plus the tile's share of the (separable)
   content loss; the crop's pixel gradient is added into the image gradient.

That is the exact gradient of the whole-image loss, up to the features near a crop edge,
which see zero padding instead of their neighbours: each crop carries a ``margin`` of
context around its core, and the tile grid is shifted randomly at every evaluation so
the remaining error never piles up along fixed seams. Peak memory is that of one crop.

Crop and core borders are multiples of :data:`ALIGN` pixels (a multiple of every
layer's stride), so tile features line up exactly with whole-image features.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import torch
from torch import Tensor

from ...core.losses import Moments, moments
from .loss import FeatureFn, StyleTarget, Targets, Weights, add_tv, mask_at, style_term

__all__ = ["ALIGN", "Tile", "tile_grid", "probe_strides", "tiled_moments", "tiled_features", "tiled_loss"]

ALIGN = 32  # VGG's deepest stride is 16 (relu5_x), GoogLeNet's 32 (inception_5x)


@dataclass(frozen=True)
class Tile:
    """A tile: the ``core`` whose features it owns, inside the ``crop`` it computes."""

    core: tuple[int, int, int, int]  # y0, y1, x0, x1
    crop: tuple[int, int, int, int]


def _cuts(extent: int, tile: int, offset: int) -> list[int]:
    first = offset % tile
    cuts = [0] + list(range(first or tile, extent, tile)) + [extent]
    return sorted(set(cuts))


def tile_grid(height: int, width: int, *, tile: int, margin: int, offset: tuple[int, int] = (0, 0)) -> list[Tile]:
    """Tiles covering (height, width); cores partition the image, crops add ``margin``.

    ``tile``, ``margin`` and ``offset`` must be multiples of :data:`ALIGN`.
    """
    for name, v in (("tile", tile), ("margin", margin), ("offset", offset[0]), ("offset", offset[1])):
        if v % ALIGN:
            raise ValueError(f"{name} {v} is not a multiple of {ALIGN}")
    ys, xs = _cuts(height, tile, offset[0]), _cuts(width, tile, offset[1])
    tiles = []
    for y0, y1 in zip(ys, ys[1:]):
        for x0, x1 in zip(xs, xs[1:]):
            crop = (max(0, y0 - margin), min(height, y1 + margin), max(0, x0 - margin), min(width, x1 + margin))
            tiles.append(Tile((y0, y1, x0, x1), crop))
    return tiles


def probe_strides(features: FeatureFn, layers: list[str], *, channels: int = 3, device=None) -> dict[str, int]:
    """Each layer's stride in pixels, measured on a blank 256-px image."""
    side = 256
    with torch.no_grad():
        feats = features(torch.zeros(1, channels, side, side, device=device))
    return {name: max(1, round(side / feats[name].shape[-2])) for name in layers}


def _core_slices(t: Tile, stride: int, fh: int, fw: int, height: int, width: int):
    """(rows, cols) of the core inside the crop's features, and the core's full-map origin."""
    (y0, y1, x0, x1), (cy0, _, cx0, _) = t.core, t.crop
    a, c = (y0 - cy0) // stride, (x0 - cx0) // stride
    b = fh if y1 == height else (y1 - cy0) // stride
    d = fw if x1 == width else (x1 - cx0) // stride
    return slice(a, b), slice(c, d), (y0 // stride, x0 // stride)


def _crop(img: Tensor, box: tuple[int, int, int, int]) -> Tensor:
    return img[..., box[0]:box[1], box[2]:box[3]]


def _tile_moments(feats, t: Tile, targets: Targets, strides, size) -> dict[tuple[str, int], Moments]:
    out = {}
    for st in targets.style:
        f = feats[st.layer]
        rows, cols, _ = _core_slices(t, strides[st.layer], f.shape[-2], f.shape[-1], *size)
        region = targets.regions[st.region]
        mask = None if region is None else mask_at(_crop(region, t.crop), f.shape[-2:])[..., rows, cols]
        out[(st.layer, st.region)] = moments(f[..., rows, cols], mask)
    return out


def _accumulate(total: dict, part: dict) -> dict:
    for k, v in part.items():
        total[k] = v if k not in total else total[k] + v
    return total


def tiled_moments(features: FeatureFn, img: Tensor, layers: list[str], *, tile: int, margin: int, strides: Mapping[str, int]) -> dict[str, Moments]:
    """Moments of ``img``'s features at ``layers``, measured tile by tile (no autograd)."""
    dummy = torch.zeros(1)  # a minimal Targets: _tile_moments only reads layers and regions
    fake = Targets([StyleTarget(n, 0, 1.0, dummy, dummy, dummy, None) for n in layers], [], [None], "gram")
    size = tuple(img.shape[-2:])
    total: dict = {}
    with torch.no_grad():
        for t in tile_grid(*size, tile=tile, margin=margin):
            _accumulate(total, _tile_moments(features(_crop(img, t.crop)), t, fake, strides, size))
    return {layer: m for (layer, _), m in total.items()}


def tiled_features(features: FeatureFn, img: Tensor, layers: list[str], *, tile: int, margin: int, strides: Mapping[str, int]) -> dict[str, Tensor]:
    """Whole-image feature maps of ``img`` assembled from tile cores (no autograd)."""
    size = tuple(img.shape[-2:])
    parts: dict[str, list] = {n: [] for n in layers}
    with torch.no_grad():
        for t in tile_grid(*size, tile=tile, margin=margin):
            feats = features(_crop(img, t.crop))
            for n in layers:
                f = feats[n].float()
                rows, cols, (oy, ox) = _core_slices(t, strides[n], f.shape[-2], f.shape[-1], *size)
                parts[n].append((oy, ox, f[..., rows, cols]))
    return {n: _assemble(p) for n, p in parts.items()}


def _assemble(parts: list) -> Tensor:
    h = max(oy + p.shape[-2] for oy, _, p in parts)
    w = max(ox + p.shape[-1] for _, ox, p in parts)
    out = parts[0][2].new_zeros(*parts[0][2].shape[:-2], h, w)
    for oy, ox, p in parts:
        out[..., oy:oy + p.shape[-2], ox:ox + p.shape[-1]] = p
    return out


def _content_share(feats, t: Tile, targets: Targets, strides, size) -> Tensor:
    total = feats[next(iter(feats))].new_zeros((), dtype=torch.float32)
    for ct in targets.content:
        f = feats[ct.layer]
        rows, cols, (oy, ox) = _core_slices(t, strides[ct.layer], f.shape[-2], f.shape[-1], *size)
        core = f[..., rows, cols].float()
        ref = ct.feat[..., oy:oy + core.shape[-2], ox:ox + core.shape[-1]]
        total = total + ct.weight * (core - ref).pow(2).sum() / ct.feat.numel()
    return total


def _style_coefficients(stats: dict, targets: Targets, weight: float):
    """Unweighted style loss and the gradient of the weighted loss w.r.t. each sum."""
    leaves = {
        k: Moments(m.count, m.sum1.clone().requires_grad_(True), m.sum2.clone().requires_grad_(True))
        for k, m in stats.items()
    }
    loss = style_term(leaves, targets)
    flat = [t for m in leaves.values() for t in (m.sum1, m.sum2)]
    grads = torch.autograd.grad(weight * loss, flat, allow_unused=True)  # gram ignores sum1
    grads = [torch.zeros_like(t) if g is None else g for t, g in zip(flat, grads)]
    coeffs = {k: (grads[2 * i], grads[2 * i + 1]) for i, k in enumerate(leaves)}
    return loss.detach(), coeffs


def _surrogate(stats: dict, coeffs: dict) -> Tensor:
    """<dL/dsum1, sum1> + <dL/dsum2, sum2>: its gradient is the tile's share of dL/dx."""
    return sum((coeffs[k][0] * m.sum1).sum() + (coeffs[k][1] * m.sum2).sum() for k, m in stats.items())  # type: ignore[return-value]


def tiled_loss(
    features: FeatureFn,
    targets: Targets,
    weights: Weights,
    to_rgb: Callable[[Tensor], Tensor],
    *,
    tile: int,
    margin: int,
    strides: Mapping[str, int],
    generator: torch.Generator,
):
    """A loss function for :func:`genart.core.optim.optimize_image` that tiles the network.

    It returns a surrogate whose value is the loss and whose gradient is the tiled
    gradient, so the optimiser needs no special case.
    """

    def loss_fn(x: Tensor) -> tuple[Tensor, dict[str, float]]:
        size = tuple(x.shape[-2:])
        offset = tuple(int(v) * ALIGN for v in torch.randint(0, tile // ALIGN, (2,), generator=generator))
        grid = tile_grid(*size, tile=tile, margin=margin, offset=offset)
        xd = x.detach()
        stats: dict = {}
        with torch.no_grad():  # pass 1: whole-image statistics
            for t in grid:
                _accumulate(stats, _tile_moments(features(to_rgb(_crop(xd, t.crop))), t, targets, strides, size))
        style, coeffs = _style_coefficients(stats, targets, weights.style)
        grad = torch.zeros_like(xd)
        content = xd.new_zeros(())  # on the image's device: a CPU scalar cannot take CUDA sums
        for t in grid:  # pass 2: gradients, one crop at a time
            crop = _crop(xd, t.crop).clone().requires_grad_(True)
            feats = features(to_rgb(crop))
            share = _content_share(feats, t, targets, strides, size) if targets.content else crop.new_zeros(())
            part = weights.content * share + _surrogate(_tile_moments(feats, t, targets, strides, size), coeffs)
            part.backward()
            _crop(grad, t.crop).add_(crop.grad)
            content += share.detach()
        value = weights.style * style + weights.content * content
        total = (x * grad).sum() - (xd * grad).sum() + value
        metrics = {"style": float(style), "content": float(content)}
        return add_tv(total, metrics, x, weights.tv), metrics

    return loss_fn
