"""The doodle loss as a weighted sum of small terms, like dream's objectives.

Each term maps one phase's output image (and the network's features of it) to a scalar
and records what it measured in ``metrics``; :class:`DoodleObjective` runs the network
once per evaluation and adds the terms with their weights. :func:`build_objective` makes
the terms a configuration asks for:

- one style term per style layer: MRF patch matching (Li & Wand 2016) or masked Gram
  statistics per region (after Ulyanov's fast-neural-doodle);
- one content term per content layer (with a content image);
- a colour term (each region's RGB mean and covariance against its source region);
- a total-variation term.

Features are divided by the style's (or content's) mean per-position norm, so that the
weights mean the same at every layer and on every backbone.

Example::

    objective = build_objective(extractor, source, config, phase=0)
    loss, metrics = objective(image)     # metrics: {"style:relu3_1": ..., "tv": ...}
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import torch
from torch import Tensor

from . import semantic
from .config import DoodleConfig
from .mrf import Match, PatchVotes, enlarge_match, nearest_patches, refine_patches
from ...core.errors import UsageError
from ...core.losses import content_loss, gram_matrix, mean_cov, tv_loss

__all__ = [
    "StyleSource",
    "Term",
    "MrfTerm",
    "GramTerm",
    "ContentTerm",
    "ColorTerm",
    "TvTerm",
    "DoodleObjective",
    "Carried",
    "build_objective",
]

Features = Mapping[str, Tensor]
Metrics = dict[str, float]

# The TV term is a mean over pixels in [0, 1], some 100x smaller than the feature losses.
_TV_SCALE = 100.0


@dataclass(frozen=True)
class StyleSource:
    """The images of one phase, already at that phase's resolution."""

    style: Tensor
    style_labels: Tensor | None  # full-resolution labels; masks are area-resized per layer
    target_labels: Tensor | None
    regions: int
    content: Tensor | None
    out_hw: tuple[int, int] = (0, 0)  # the output's size in this phase

    @property
    def mapped(self) -> bool:
        """Whether both maps are there (regions are then painted from their own sources)."""
        return self.style_labels is not None and self.target_labels is not None


class Term:
    """One weighted part of the loss: ``term(image, feats, metrics)`` is its unweighted
    value; it records its own measurements in ``metrics``."""

    weight: float

    def __call__(self, image: Tensor, feats: Features, metrics: Metrics) -> Tensor:
        raise NotImplementedError


def _scale(feat: Tensor) -> float:
    """Mean L2 norm of the feature vectors at each position."""
    return float(feat.float().norm(dim=1).mean().clamp_min(1e-8))


def region_weights(source: StyleSource) -> dict[int, float]:
    """Share of the output covered by each region present in both maps."""
    if not source.mapped:
        return {}
    t = torch.bincount(source.target_labels.flatten(), minlength=source.regions).float()
    s = torch.bincount(source.style_labels.flatten(), minlength=source.regions)
    t = t / t.sum()
    return {k: float(t[k]) for k in range(source.regions) if t[k] > 0 and s[k] > 0}


class _StyleLayer(Term):
    """What the style terms share: the style's normalised features at one layer and the
    region masks of both maps at that layer's resolution (the output's made on first use)."""

    def __init__(self, layer: str, weight: float, style_feat: Tensor, source: StyleSource, *, min_side: int, phase: int):
        self.layer, self.weight, self.source = layer, weight, source
        self.min_side, self.phase = min_side, phase
        self._check_size(style_feat.shape[-2:])
        self.scale = _scale(style_feat)
        self.style = style_feat / self.scale
        self.style_sem: Tensor | None = None
        self.target_sem: Tensor | None = None
        if source.style_labels is not None:
            sem = semantic.masks(source.style_labels, source.regions, tuple(style_feat.shape[-2:]))
            self.style_sem = sem.to(style_feat.device)

    def _check_size(self, hw: Any) -> None:
        if min(hw) < self.min_side:
            p = self.min_side
            raise UsageError(
                f"phase {self.phase + 1} is too small for {self.layer}: its features are "
                f"{tuple(hw)}, less than a {p}x{p} patch; use fewer phases or a larger size"
            )

    def features(self, feats: Features) -> Tensor:
        return feats[self.layer].float() / self.scale

    def target_masks(self, feat: Tensor) -> Tensor | None:
        """The output map's region masks at ``feat``'s resolution (None without maps)."""
        if self.style_sem is None or self.source.target_labels is None:
            return None
        if self.target_sem is None or self.target_sem.shape[-2:] != feat.shape[-2:]:
            self._check_size(feat.shape[-2:])
            sem = semantic.masks(self.source.target_labels, self.source.regions, tuple(feat.shape[-2:]))
            self.target_sem = sem.to(feat.device)
        return self.target_sem


class MrfTerm(_StyleLayer):
    """Each output patch pulled toward its best-matching style patch (Li & Wand 2016).

    Matches are refreshed every ``match_every`` evaluations (each L-BFGS iteration is one
    evaluation); in between, the loss is a plain quadratic pull toward fixed patches,
    which L-BFGS converges on quickly. A refresh that changes fewer than ``match_stable``
    of the matches doubles the interval to the next: once matches stop changing,
    searching again buys nothing. Only matching sees the maps: their masks join the
    features as extra channels scaled by ``semantic_weight`` (Champandard 2016).

    With ``match_search="propagate"`` only a term without any earlier match searches every
    style patch; later matches start from the last one (or from ``seed``, the same layer's
    match in the previous, coarser phase, enlarged) and search around it
    (:func:`genart.commands.doodle.mrf.refine_patches`), which on a 512-px phase costs a
    small fraction of an exhaustive search.
    """

    def __init__(
        self, layer: str, weight: float, style_feat: Tensor, source: StyleSource, config: DoodleConfig,
        *, phase: int, seed: "Carried | None" = None,
    ):
        super().__init__(layer, weight, style_feat, source, min_side=config.patch_size, phase=phase)
        self.config = config
        self.calls = 0
        self.next_match = 0
        self.interval = config.match_every
        self.match: Match | None = None
        self.votes: PatchVotes | None = None
        self.seed = seed
        self.changed = 1.0  # share of the matches the last refresh changed (1: no refresh yet)
        self.matched_at = 0  # the evaluation that made the current match

    def __call__(self, image: Tensor, feats: Features, metrics: Metrics) -> Tensor:
        feat = self.features(feats)
        if self.match is None or self.calls >= self.next_match:
            self._rematch(feat)
        self.calls += 1
        metrics[f"ncc:{self.layer}"] = float(self.match.score.mean())
        value = self.votes.loss(feat)
        metrics[f"style:{self.layer}"] = float(value.detach())
        return value

    def _rematch(self, feat: Tensor) -> None:
        cfg = self.config
        out, style = feat.detach(), self.style
        target_sem = self.target_masks(feat)
        if target_sem is not None and self.style_sem is not None:
            out = torch.cat([out, cfg.semantic_weight * target_sem], dim=1)
            style = torch.cat([style, cfg.semantic_weight * self.style_sem], dim=1)
        start = self._start(out.shape[-2:])
        if start is None or cfg.variety > 0:
            match = nearest_patches(out, style, patch=cfg.patch_size, chunk_mb=cfg.chunk_mb, variety=cfg.variety)
        else:
            match = refine_patches(out, style, start, patch=cfg.patch_size, seed=cfg.seed + self.calls)
        if self.match is not None and self.match.index.shape == match.index.shape:
            self.changed = float((match.index != self.match.index).float().mean())
            if self.changed < cfg.match_stable:
                self.interval *= 2
        self.match = match
        self.votes = PatchVotes.of(self.style, match, tuple(feat.shape[-2:]), cfg.patch_size)
        self.matched_at = self.calls
        self.next_match = self.calls + self.interval

    def _start(self, hw: Any) -> Tensor | None:
        """Where a propagated search starts: the last match, else the enlarged seed."""
        if self.config.match_search != "propagate":
            return None
        p = self.config.patch_size
        grid = (hw[0] - p + 1, hw[1] - p + 1)
        if self.match is not None and tuple(self.match.index.shape) == grid:
            return self.match.index
        if self.seed is None:
            return None
        style_grid = (self.style.shape[2] - p + 1, self.style.shape[3] - p + 1)
        return enlarge_match(self.seed.match, grid, style_grid, self.seed.style_grid)

    def carried(self) -> "Carried | None":
        """What the next phase starts its matching from."""
        if self.match is None:
            return None
        p = self.config.patch_size
        return Carried(self.match, (self.style.shape[2] - p + 1, self.style.shape[3] - p + 1))


@dataclass(frozen=True)
class Carried:
    """A layer's last match and the style's patch grid it indexes, handed to the next phase."""

    match: Match
    style_grid: tuple[int, int]


class GramTerm(_StyleLayer):
    """Masked Gram loss per region, weighted by the region's share of the output.

    Gram entries of features with unit mean norm are about 1/C, so the squared error is
    multiplied by C^2 to sit on the same scale as the MRF loss. The masks are plain region
    masks: ``semantic_weight`` concerns MRF matching only.
    """

    def __init__(self, layer: str, weight: float, style_feat: Tensor, source: StyleSource, *, phase: int):
        super().__init__(layer, weight, style_feat, source, min_side=1, phase=phase)
        self.regions = region_weights(source)

    def __call__(self, image: Tensor, feats: Features, metrics: Metrics) -> Tensor:
        feat = self.features(feats)
        target_sem = self.target_masks(feat)
        c = feat.shape[1]
        if target_sem is None or self.style_sem is None:
            value = c * c * (gram_matrix(feat) - gram_matrix(self.style)).square().mean()
        else:
            value = feat.new_zeros(())
            for k, share in self.regions.items():
                diff = gram_matrix(feat, target_sem[:, k : k + 1]) - gram_matrix(self.style, self.style_sem[:, k : k + 1])
                value = value + share * c * c * diff.square().mean()
        metrics[f"style:{self.layer}"] = float(value.detach())
        return value


class ContentTerm(Term):
    """Squared distance to the content's features, per position (mean over channels x C)."""

    def __init__(self, layer: str, weight: float, content_feat: Tensor) -> None:
        self.layer, self.weight = layer, weight
        self.scale = _scale(content_feat)
        self.target = content_feat.float() / self.scale

    def __call__(self, image: Tensor, feats: Features, metrics: Metrics) -> Tensor:
        feat = feats[self.layer].float() / self.scale
        value = content_loss(feat, self.target) * feat.shape[1]
        metrics[f"content:{self.layer}"] = float(value.detach())
        return value


class ColorTerm(Term):
    """Squared error of each region's RGB mean and covariance against its source region.

    Not in Champandard (2016): relu2_1-relu4_1 patches say little about absolute colour,
    and without this term a region may settle on a neighbour's palette.
    """

    def __init__(self, weight: float, source: StyleSource) -> None:
        self.weight = weight
        self.parts = self._parts(source)

    @staticmethod
    def _parts(source: StyleSource) -> list[tuple[float, Tensor | None, Tensor, Tensor]]:
        """(share, output mask, source mean, source covariance) per region."""
        style = source.style.float()
        if not source.mapped:
            mean, cov = mean_cov(style)
            return [(1.0, None, mean, cov)]
        s_masks = semantic.masks(source.style_labels, source.regions, tuple(style.shape[-2:])).to(style.device)
        t_masks = semantic.masks(source.target_labels, source.regions, tuple(source.out_hw)).to(style.device)
        out = []
        for k, share in region_weights(source).items():
            mean, cov = mean_cov(style, s_masks[:, k : k + 1])
            out.append((share, t_masks[:, k : k + 1], mean, cov))
        return out

    def __call__(self, image: Tensor, feats: Features, metrics: Metrics) -> Tensor:
        value = image.new_zeros(())
        for share, mask, mean, cov in self.parts:
            m, c = mean_cov(image, mask)
            value = value + share * ((m - mean).square().sum() + (c - cov).square().sum())
        metrics["color"] = float(value.detach())
        return value


class TvTerm(Term):
    """Total variation of the image (smoothness)."""

    def __init__(self, weight: float) -> None:
        self.weight = weight

    def __call__(self, image: Tensor, feats: Features, metrics: Metrics) -> Tensor:
        value = tv_loss(image)
        metrics["tv"] = float(value.detach())
        return value


class DoodleObjective:
    """Callable ``image -> (loss, metrics)`` for :func:`genart.core.optim.optimize_image`:
    one forward pass, then the weighted sum of ``terms``."""

    def __init__(self, extractor: Any, terms: Sequence[Term]) -> None:
        self.extractor = extractor
        self.terms = tuple(terms)

    def __call__(self, image: Tensor) -> tuple[Tensor, Metrics]:
        feats = self.extractor(image)
        metrics: Metrics = {}
        total = image.new_zeros(())
        for term in self.terms:
            total = total + term.weight * term(image, feats, metrics)
        return total, metrics

    def settled_since(self) -> int | None:
        """The evaluation from which the loss has been one fixed function: 0 without MRF
        terms; otherwise the last refresh, if every MRF term's last refresh changed fewer
        than ``match_stable`` of its matches; else None (matches still moving)."""
        mrf = [t for t in self.terms if isinstance(t, MrfTerm)]
        if any(t.changed >= t.config.match_stable for t in mrf):
            return None
        return max((t.matched_at for t in mrf), default=0)

    def carried(self) -> dict[str, Carried]:
        """The MRF terms' last matches by layer, for the next phase's ``seeds``."""
        out = {}
        for term in self.terms:
            if isinstance(term, MrfTerm) and term.carried() is not None:
                out[term.layer] = term.carried()
        return out


def build_objective(
    extractor: Any, source: StyleSource, config: DoodleConfig, *, phase: int = 0,
    seeds: Mapping[str, Carried] | None = None,
) -> DoodleObjective:
    """The terms ``config`` asks for in this phase, with their weights.

    The style weight is shared out equally among the style layers and the content weight
    among the content layers (content terms only with a content image). ``seeds`` are the
    previous phase's matches by layer (:meth:`DoodleObjective.carried`).
    """
    with torch.no_grad():
        style_feats = extractor(source.style)
        content_feats = extractor(source.content) if source.content is not None else {}
    layers = config.style_layers
    weight = config.style_weight / max(1, len(layers))
    terms: list[Term] = []
    for name in layers:
        feat = style_feats[name].float()
        if config.mode == "mrf":
            terms.append(MrfTerm(name, weight, feat, source, config, phase=phase, seed=(seeds or {}).get(name)))
        else:
            terms.append(GramTerm(name, weight, feat, source, phase=phase))
    if source.content is not None:
        terms += [ContentTerm(n, config.content_weight / len(config.content_layers), content_feats[n]) for n in config.content_layers]
    if config.color_weight > 0:
        terms.append(ColorTerm(config.color_weight, source))
    terms.append(TvTerm(config.smoothness * _TV_SCALE))
    return DoodleObjective(extractor, terms)
