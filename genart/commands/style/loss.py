"""Style-transfer loss assembly: targets from the images, then the weighted sum of terms.

The style term is written on :class:`genart.core.losses.Moments` (sums over positions) so
that the same code serves a whole image and an image measured tile by tile
(:mod:`genart.commands.style.tiling`). Layer normalisation ("target") divides every term by its value
for an all-zero feature map, so each starts near 1 whatever the backbone's activation
scale: 0.25 * mean(A^2) for a Gram target A, E|f|^2 / C for Wasserstein-2, mean(P^2) for
content features P. That keeps one set of weights meaningful across backbones (Caffe
VGG on 0-255 inputs has activations ~50x torchvision's) and across layers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import torch.nn.functional as F
from torch import Tensor

from .config import StyleConfig
from ...core.losses import Moments, content_loss, gram_distance, moments, sqrtm_psd, tv_loss, w2_distance

__all__ = [
    "StyleTarget",
    "ContentTarget",
    "Targets",
    "Weights",
    "layer_weights",
    "mask_at",
    "build_style_targets",
    "build_content_targets",
    "style_term",
    "content_term",
    "whole_image_loss",
    "TemporalTarget",
    "temporal_term",
    "with_temporal",
]

FeatureFn = Callable[[Tensor], Mapping[str, Tensor]]


@dataclass(frozen=True)
class StyleTarget:
    """The statistics one region of the output should have at one layer."""

    layer: str
    region: int  # index into Targets.regions
    weight: float  # layer weight x style weight / normaliser
    mean: Tensor  # (1, C)
    gram: Tensor  # (1, C, C): E[f f^T]
    cov: Tensor  # (1, C, C)
    root: Tensor | None  # cov^1/2, for w2 only


@dataclass(frozen=True)
class ContentTarget:
    layer: str
    weight: float  # layer weight / normaliser
    feat: Tensor  # (1, C, h, w)


@dataclass(frozen=True)
class Targets:
    style: list[StyleTarget]
    content: list[ContentTarget]
    regions: list[Tensor | None]  # pixel masks (1, 1, H, W) at this scale; None = everywhere
    kind: str  # "gram" or "w2"


@dataclass(frozen=True)
class Weights:
    style: float
    content: float
    tv: float


def layer_weights(layers: Sequence[str], given: Sequence[float]) -> dict[str, float]:
    """Per-layer weights summing to 1 (equal by default: w_l = 1/L as in Gatys et al.)."""
    raw = list(given) or [1.0] * len(layers)
    total = sum(raw) or 1.0
    return {name: w / total for name, w in zip(layers, raw)}


def mask_at(mask: Tensor | None, size: tuple[int, int]) -> Tensor | None:
    """A pixel mask averaged down (area) to a feature map's (h, w)."""
    if mask is None or tuple(mask.shape[-2:]) == tuple(size):
        return mask
    return F.interpolate(mask, size=size, mode="area" if mask.shape[-1] >= size[-1] else "bilinear")


def _blend(stats: Sequence[Moments], weights: Sequence[float]) -> tuple[Tensor, Tensor]:
    """Mean and E[ff^T] of a mixture of styles (a Gram blend, as in neural-style)."""
    total = sum(weights)
    mean = sum(w / total * m.mean() for w, m in zip(weights, stats))
    gram = sum(w / total * m.gram() for w, m in zip(weights, stats))
    return mean, gram  # type: ignore[return-value]


def _style_target(layer: str, region: int, weight: float, mean: Tensor, gram: Tensor, kind: str, norm: bool) -> StyleTarget:
    cov = gram - mean.unsqueeze(-1) * mean.unsqueeze(-2)
    if kind == "gram":
        scale = 0.25 * gram.pow(2).mean().item()
    else:
        scale = gram.diagonal(dim1=-2, dim2=-1).mean().item()
    w = weight / max(scale, 1e-12) if norm else weight
    root = sqrtm_psd(cov) if kind == "w2" else None
    return StyleTarget(layer, region, w, mean, gram, cov, root)


def build_style_targets(
    style_stats: Sequence[Mapping[str, Moments]],
    masks: Sequence[Tensor | None],
    config: StyleConfig,
) -> tuple[list[StyleTarget], list[Tensor | None]]:
    """Targets and regions from each style image's moments at the style layers.

    Without masks the styles are blended into one target per layer (weights
    ``style_blend_weights``); with masks each style gets its own region.
    """
    n = len(style_stats)
    blend = list(config.style_blend_weights) or [1.0] * n
    lw = layer_weights(config.style_layers, config.style_layer_weights)
    norm = config.layer_norm == "target"
    targets = []
    if all(m is None for m in masks):
        for layer, w in lw.items():
            mean, gram = _blend([s[layer] for s in style_stats], blend)
            targets.append(_style_target(layer, 0, w, mean, gram, config.style_loss, norm))
        return targets, [None]
    share = [b * n / sum(blend) for b in blend]
    for i, stats in enumerate(style_stats):
        for layer, w in lw.items():
            m = stats[layer]
            targets.append(_style_target(layer, i, w * share[i], m.mean(), m.gram(), config.style_loss, norm))
    return targets, list(masks)


def build_content_targets(feats: Mapping[str, Tensor], config: StyleConfig) -> list[ContentTarget]:
    lw = layer_weights(config.content_layers, config.content_layer_weights)
    norm = config.layer_norm == "target"
    out = []
    for layer, w in lw.items():
        f = feats[layer].detach().float()
        scale = f.pow(2).mean().item() if norm else 1.0
        out.append(ContentTarget(layer, w / max(scale, 1e-12), f))
    return out


def _distance(stats: Moments, t: StyleTarget, kind: str) -> Tensor:
    if kind == "gram":
        return gram_distance(stats.gram(), t.gram)
    return w2_distance(stats.mean(), stats.cov(), t.mean, t.cov, target_cov_sqrt=t.root)


def style_term(stats: Mapping[tuple[str, int], Moments], targets: Targets) -> Tensor:
    """Weighted style loss from the image's moments keyed by (layer, region)."""
    return sum(t.weight * _distance(stats[(t.layer, t.region)], t, targets.kind) for t in targets.style)  # type: ignore[return-value]


def content_term(feats: Mapping[str, Tensor], targets: Targets) -> Tensor:
    return sum(t.weight * content_loss(feats[t.layer], t.feat) for t in targets.content)  # type: ignore[return-value]


def image_moments(feats: Mapping[str, Tensor], targets: Targets) -> dict[tuple[str, int], Moments]:
    """Moments of the image's features for every (layer, region) a target needs."""
    out = {}
    for t in targets.style:
        f = feats[t.layer]
        out[(t.layer, t.region)] = moments(f, mask_at(targets.regions[t.region], f.shape[-2:]))
    return out


def add_tv(total: Tensor, metrics: dict[str, float], image: Tensor, weight: float) -> Tensor:
    """``total`` plus ``weight`` x the total variation of ``image`` (recorded in ``metrics``)."""
    if weight > 0:
        tv = tv_loss(image)
        total = total + weight * tv
        metrics["tv"] = float(tv.detach())
    return total


def whole_image_loss(features: FeatureFn, targets: Targets, weights: Weights, to_rgb: Callable[[Tensor], Tensor]):
    """The loss function for :func:`genart.core.optim.optimize_image` on an untiled image."""

    def loss_fn(x: Tensor) -> tuple[Tensor, dict[str, float]]:
        feats = features(to_rgb(x))
        style = style_term(image_moments(feats, targets), targets)
        total = weights.style * style
        metrics = {"style": float(style.detach())}
        if targets.content:
            content = content_term(feats, targets)
            total = total + weights.content * content
            metrics["content"] = float(content.detach())
        return add_tv(total, metrics, x, weights.tv), metrics

    return loss_fn


@dataclass(frozen=True)
class TemporalTarget:
    """What a video frame should stay close to: the previous output warped into this frame.

    Ruder, Dosovitskiy & Brox, "Artistic style transfer for videos" (GCPR 2016), eq. 7:
    the loss is the mean over all pixels and channels (their 1/D) of
    ``mask * (x - image)**2``, so pixels the flow cannot follow (``mask`` 0: occluded,
    disoccluded, motion boundaries) are free. For long-term consistency pass one target
    per earlier frame, each with the mask of the pixels it is the nearest reliable view of.

    Attributes:
        image: RGB (1, 3, H, W) in [0, 1] (resized to each scale).
        mask: (1, 1, H, W) in [0, 1], 1 where ``image`` is reliable.
        weight: relative weight (the config's ``temporal_weight`` multiplies it).
    """

    image: Tensor
    mask: Tensor
    weight: float = 1.0


def temporal_term(x: Tensor, targets: Sequence[TemporalTarget]) -> Tensor:
    """Weighted sum of each target's masked mean squared difference (targets at x's size)."""
    return sum(t.weight * (t.mask * (x - t.image).pow(2)).mean() for t in targets)  # type: ignore[return-value]


def with_temporal(
    loss_fn: Callable, targets: Sequence[TemporalTarget], weight: float, view: Callable[[Tensor], Tensor] = lambda x: x
) -> Callable:
    """``loss_fn`` plus ``weight`` x :func:`temporal_term` of ``view(x)`` (a pixel term:
    tiled or not, the same autograd path as total variation). ``view`` keeps the part of
    the optimised image that reaches the output (its luminance when colours are kept)."""
    if not targets or weight <= 0:
        return loss_fn

    def loss(x: Tensor) -> tuple[Tensor, dict[str, float]]:
        total, metrics = loss_fn(x)
        term = temporal_term(view(x), targets)
        metrics["temporal"] = float(term.detach())
        return total + weight * term, metrics

    return loss
