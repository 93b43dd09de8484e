"""Neural Doodle (Champandard 2016, "Semantic Style Transfer and Turning Two-Bit Doodles
into Fine Artworks"): paint a picture from a colour-coded map, taking each region's
texture from the matching region of a painting.

Three uses of one function: a doodle becomes a painting (style + style map + target map);
a photo is restyled region by region (add ``content``, whose layout the output keeps); or
a texture is synthesised without maps. Style is carried by an MRF loss on feature patches
(Li & Wand 2016; ``mode="mrf"``) or, faster, by masked Gram matrices per region
(``mode="gram"``, in the manner of Ulyanov's fast-neural-doodle). Phases run coarse to
fine, each starting from the enlarged previous result.

Example::

    bb = load_backbone("vgg19-caffe", weights="vgg19-caffe-conv1_1-conv3_4.pth")
    cfg = DoodleConfig(style_layers=("relu2_1", "relu3_1"), size=256)
    out = doodle(monet, monet_map, coastline_map, cfg, backbone=bb)  # (1, 3, H, W) in [0, 1]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import torch
from torch import Tensor

from . import semantic
from ...core.losses import content_loss, gram_matrix, mean_cov, tv_loss
from .mrf import Match, matched_patches_loss, nearest_patches
from .config import DoodleConfig
from ...core.errors import UsageError
from ...core.events import EventCallback, Message, StageStarted, emit
from ...core.optim import optimize_image
from ...core.geometry import fit_long_side, resize

__all__ = ["DoodleConfig", "doodle", "prepare_maps", "phase_sizes"]

_MIN_PHASE_SIDE = 8  # px; below this even relu2_1 features have no room for a 3x3 patch
_ASPECT_TOLERANCE = 0.03  # a map may differ from its image by rounding, not by shape


def doodle(
    style: Tensor,
    style_map: Tensor | None,
    target_map: Tensor | None,
    config: DoodleConfig,
    *,
    backbone: Any,
    content: Tensor | None = None,
    content_map: Tensor | None = None,
    callback: EventCallback | None = None,
    map_names: tuple[str, str] | None = None,
) -> Tensor:
    """Paint an image whose regions follow ``target_map`` in the style of ``style``.

    Args:
        style: the painting, RGB (1, 3, H, W) in [0, 1].
        style_map: its semantic map (RGB, same aspect), or None for no maps.
        target_map: the doodle the output follows, or None (then ``content_map`` is used).
        config: the settings; see :class:`DoodleConfig`.
        backbone: a loaded ``genart.models.Backbone``.
        content: a photo whose layout the output keeps (content loss), or None.
        content_map: the content's semantic map; stands in for ``target_map``.
        callback: receives StageStarted per phase, Step per iteration, Intermediate
            frames (``save_every``) and Messages (the legend of regions).
        map_names: how errors name the style map and the target/content map (e.g. their
            file names); default "style map" and "target map"/"content map".

    Returns:
        RGB (1, 3, h, w) in [0, 1], long side ``config.size``, aspect of the target map
        (else of the content, else of the style).
    """
    maps = prepare_maps(style, style_map, target_map, content, content_map, config, map_names)
    if maps is not None:
        for region in semantic.legend(maps):
            emit(callback, Message(_legend_line(region), "debug"))
    if content is None and config.init == "content":
        raise UsageError("init 'content' needs a content image (--content)")
    reference = maps.target if maps is not None else (content if content is not None else style)
    sizes = phase_sizes(tuple(reference.shape[-2:]), config.size, config.phases)
    _check_smallest(sizes[0])
    layers = tuple(dict.fromkeys(config.style_layers + (config.content_layers if content is not None else ())))
    extractor = backbone.extractor(list(layers))
    device = getattr(backbone, "device", torch.device("cpu"))
    gen = torch.Generator().manual_seed(config.seed)
    image = None
    for index, hw in enumerate(sizes):
        emit(callback, StageStarted(f"phase {index + 1}/{len(sizes)} ({hw[1]}x{hw[0]})", index, len(sizes), config.iterations))
        image = _start(image, hw, content, config, gen).to(device)
        source = StyleSource(
            # The style's long side equals the output's: brush strokes keep their size.
            style=_resize(style, fit_long_side(*style.shape[-2:], max(hw))).to(device),
            style_labels=None if maps is None else maps.style,
            target_labels=None if maps is None else maps.target,
            regions=0 if maps is None else maps.count,
            content=None if content is None else _resize(content, hw).to(device),
            out_hw=hw,
        )
        loss = DoodleLoss(extractor, source, config, phase=index)
        image = optimize_image(
            image,
            loss,
            optimizer=config.optimizer,
            iterations=config.iterations,
            learning_rate=config.learning_rate,
            callback=callback,
            save_every=config.save_every,
            tag=f"phase{index + 1}-",
        )
    assert image is not None
    return image.clamp(0, 1)


def prepare_maps(
    style: Tensor,
    style_map: Tensor | None,
    target_map: Tensor | None,
    content: Tensor | None,
    content_map: Tensor | None,
    config: DoodleConfig,
    map_names: tuple[str, str] | None = None,
) -> semantic.SemanticMaps | None:
    """Quantised maps for the run, made by clustering with ``auto_map``; None without maps."""
    if target_map is not None and content_map is not None:
        raise UsageError("give either a target map or a content map, not both")
    target_map = target_map if target_map is not None else content_map
    names = map_names or ("style map", "target map" if content_map is None else "content map")
    if config.auto_map and (style_map is None or target_map is None):
        if content is None:
            raise UsageError("--auto-map needs a content image to draw the output's map from")
        style_map, target_map = semantic.auto_maps([style, content], config.regions, seed=config.seed)
    if style_map is None and target_map is None:
        return None
    if style_map is None or target_map is None:
        missing = "style map" if style_map is None else "target map (or content map)"
        raise UsageError(f"maps come in pairs: the {missing} is missing (or use --auto-map)")
    _check_aspect(style_map, style, "style map", "style image")
    if content is not None:
        _check_aspect(target_map, content, names[1], "content image")
    return semantic.quantize_maps(style_map, target_map, names=names)


def phase_sizes(reference_hw: tuple[int, int], size: int, phases: int) -> list[tuple[int, int]]:
    """(h, w) of each phase: the last has long side ``size``, each earlier one half that."""
    return [fit_long_side(*reference_hw, size / 2 ** (phases - 1 - p)) for p in range(phases)]


def _check_smallest(hw: tuple[int, int]) -> None:
    # Not spec.min_size: that is the classifier head's limit; features stop far earlier.
    if min(hw) < _MIN_PHASE_SIDE:
        raise UsageError(
            f"the first phase would be {hw[1]}x{hw[0]} px, too small (at least "
            f"{_MIN_PHASE_SIDE} px); use fewer --phases or a larger --size"
        )


def _start(previous: Tensor | None, hw: tuple[int, int], content: Tensor | None, config: DoodleConfig, gen: torch.Generator) -> Tensor:
    """The first phase starts from noise or the content; later ones from the last result."""
    if previous is not None:
        return _resize(previous, hw)
    if content is not None and config.init in ("auto", "content"):
        return _resize(content, hw)
    # Mid-grey noise: strong enough to break symmetry, far from saturating the clamp.
    return 0.5 + 0.1 * torch.randn((1, 3, *hw), generator=gen)


def _resize(img: Tensor, hw: tuple[int, int]) -> Tensor:
    return resize(img.float(), hw).clamp(0, 1)


def _check_aspect(map_: Tensor, image: Tensor, map_name: str, image_name: str) -> None:
    mh, mw = map_.shape[-2:]
    ih, iw = image.shape[-2:]
    if abs(mw / mh - iw / ih) > _ASPECT_TOLERANCE * (iw / ih):
        raise UsageError(f"the {map_name} is {mw}x{mh} but the {image_name} is {iw}x{ih}: their shapes differ")


def _legend_line(region: semantic.Region) -> str:
    return f"region {region.color}: {region.style_share:.1%} of the style map, {region.target_share:.1%} of the target"


# ------------------------------------------------------------------------------ the loss
@dataclass(frozen=True)
class StyleSource:
    """The images of one phase, already at that phase's resolution."""

    style: Tensor
    style_labels: Tensor | None  # full-resolution labels; masks are area-resized per layer
    target_labels: Tensor | None
    regions: int
    content: Tensor | None
    out_hw: tuple[int, int] = (0, 0)  # the output's size in this phase


@dataclass
class _Layer:
    """One style layer. Features are divided by ``scale`` (the style's mean per-position
    norm) so that weights mean the same at every layer and on every backbone."""

    scale: float
    style: Tensor  # (1, C, h, w) normalised style features
    style_sem: Tensor | None = None  # (1, K, h, w) style region masks
    target_sem: Tensor | None = None  # (1, K, h', w') output masks, made on first use


class DoodleLoss:
    """Callable ``image -> (loss, metrics)`` for :func:`genart.core.optim.optimize_image`.

    MRF matches are recomputed every ``config.match_every`` evaluations (each L-BFGS
    iteration is one evaluation); in between, the loss is a plain quadratic pull toward
    fixed patches, which L-BFGS converges on quickly.
    """

    def __init__(self, extractor: Any, source: StyleSource, config: DoodleConfig, *, phase: int = 0) -> None:
        self.extractor, self.config, self.phase, self.source = extractor, config, phase, source
        self.calls = 0
        self.matches: dict[str, Match] = {}
        self.region_weights = _region_weights(source)
        self.colors = self._colors() if config.color_weight > 0 else []
        self.content: dict[str, tuple[float, Tensor]] = {}
        with torch.no_grad():
            feats = extractor(source.style)
            self.layers = {n: self._layer(n, feats[n].float()) for n in config.style_layers}
            if source.content is not None:
                c_feats = extractor(source.content)
                for n in config.content_layers:
                    scale = _scale(c_feats[n])
                    self.content[n] = (scale, c_feats[n].float() / scale)

    def _layer(self, name: str, feat: Tensor) -> _Layer:
        self._check_size(name, feat.shape[-2:])
        scale = _scale(feat)
        layer = _Layer(scale, feat / scale)
        if self.source.style_labels is not None:
            sem = semantic.masks(self.source.style_labels, self.source.regions, tuple(feat.shape[-2:]))
            layer.style_sem = sem.to(feat.device)
        return layer

    def _check_size(self, name: str, hw: Any) -> None:
        p = self.config.patch_size if self.config.mode == "mrf" else 1
        if min(hw) < p:
            raise UsageError(
                f"phase {self.phase + 1} is too small for {name}: its features are "
                f"{tuple(hw)}, less than a {p}x{p} patch; use fewer --phases or a larger --size"
            )

    def _target_sem(self, layer: _Layer, name: str, feat: Tensor) -> Tensor | None:
        if layer.style_sem is None or self.source.target_labels is None:
            return None
        if layer.target_sem is None or layer.target_sem.shape[-2:] != feat.shape[-2:]:
            self._check_size(name, feat.shape[-2:])
            sem = semantic.masks(self.source.target_labels, self.source.regions, tuple(feat.shape[-2:]))
            layer.target_sem = sem.to(feat.device)
        return layer.target_sem

    def __call__(self, image: Tensor) -> tuple[Tensor, Mapping[str, float]]:
        cfg = self.config
        feats = self.extractor(image)
        rematch = self.calls % cfg.match_every == 0
        self.calls += 1
        metrics: dict[str, float] = {}
        style_total = image.new_zeros(())
        for name, layer in self.layers.items():
            feat = feats[name].float() / layer.scale
            target_sem = self._target_sem(layer, name, feat)
            if cfg.mode == "mrf":
                term = self._mrf(name, layer, feat, target_sem, rematch, metrics)
            else:
                term = self._gram(layer, feat, target_sem)
            metrics[f"style:{name}"] = float(term.detach())
            style_total = style_total + term
        total = cfg.style_weight * style_total / max(1, len(self.layers))
        for name, (scale, target) in self.content.items():
            feat = feats[name].float() / scale
            # content_loss is a mean over channels too; * C makes it a per-position distance.
            term = content_loss(feat, target) * feat.shape[1]
            metrics[f"content:{name}"] = float(term.detach())
            total = total + cfg.content_weight * term / len(self.content)
        if self.colors:
            term = self._color(image)
            metrics["color"] = float(term.detach())
            total = total + cfg.color_weight * term
        tv = tv_loss(image)
        metrics["tv"] = float(tv.detach())
        return total + cfg.smoothness * _TV_SCALE * tv, metrics

    def _mrf(self, name: str, layer: _Layer, feat: Tensor, target_sem: Tensor | None, rematch: bool, metrics: dict) -> Tensor:
        cfg = self.config
        if rematch or name not in self.matches:
            out, style = feat.detach(), layer.style
            if target_sem is not None and layer.style_sem is not None:
                # Only matching sees the maps, as extra channels scaled by the semantic weight.
                out = torch.cat([out, cfg.semantic_weight * target_sem], dim=1)
                style = torch.cat([style, cfg.semantic_weight * layer.style_sem], dim=1)
            self.matches[name] = nearest_patches(out, style, patch=cfg.patch_size, chunk_mb=cfg.chunk_mb, variety=cfg.variety)
        match = self.matches[name]
        metrics[f"ncc:{name}"] = float(match.score.mean())
        return matched_patches_loss(feat, layer.style, match, cfg.patch_size)

    def _colors(self) -> list[tuple[float, Tensor | None, Tensor, Tensor]]:
        """(weight, output mask, source mean, source covariance) of RGB for each region."""
        src = self.source
        style = src.style.float()
        if src.style_labels is None or src.target_labels is None:
            mean, cov = mean_cov(style)
            return [(1.0, None, mean, cov)]
        s_masks = semantic.masks(src.style_labels, src.regions, tuple(style.shape[-2:])).to(style.device)
        t_masks = semantic.masks(src.target_labels, src.regions, tuple(src.out_hw)).to(style.device)
        out = []
        for k, weight in self.region_weights.items():
            mean, cov = mean_cov(style, s_masks[:, k : k + 1])
            out.append((weight, t_masks[:, k : k + 1], mean, cov))
        return out

    def _color(self, image: Tensor) -> Tensor:
        """Squared error of each region's RGB mean and covariance against its source region.

        Not in Champandard (2016): relu2_1-relu4_1 patches say little about absolute
        colour, and without this term a region may settle on a neighbour's palette.
        """
        total = image.new_zeros(())
        for weight, mask, mean, cov in self.colors:
            m, c = mean_cov(image, mask)
            total = total + weight * ((m - mean).square().sum() + (c - cov).square().sum())
        return total

    def _gram(self, layer: _Layer, feat: Tensor, target_sem: Tensor | None) -> Tensor:
        """Masked Gram loss per region, weighted by the region's share of the output.

        Gram entries of features with unit mean norm are about 1/C, so the squared error
        is multiplied by C^2 to sit on the same scale as the MRF loss.
        """
        c = feat.shape[1]
        if target_sem is None or layer.style_sem is None:
            return c * c * (gram_matrix(feat) - gram_matrix(layer.style)).square().mean()
        total = feat.new_zeros(())
        for k, weight in self.region_weights.items():
            s_mask, t_mask = layer.style_sem[:, k : k + 1], target_sem[:, k : k + 1]
            diff = gram_matrix(feat, t_mask) - gram_matrix(layer.style, s_mask)
            total = total + weight * c * c * diff.square().mean()
        return total


# The TV term is a mean over pixels in [0, 1], some 100x smaller than the feature losses.
_TV_SCALE = 100.0


def _scale(feat: Tensor) -> float:
    """Mean L2 norm of the feature vectors at each position."""
    return float(feat.float().norm(dim=1).mean().clamp_min(1e-8))


def _region_weights(source: StyleSource) -> dict[int, float]:
    """Share of the output covered by each region present in both maps."""
    if source.style_labels is None or source.target_labels is None:
        return {}
    t = torch.bincount(source.target_labels.flatten(), minlength=source.regions).float()
    s = torch.bincount(source.style_labels.flatten(), minlength=source.regions)
    t = t / t.sum()
    return {k: float(t[k]) for k in range(source.regions) if t[k] > 0 and s[k] > 0}
