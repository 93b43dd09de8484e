"""What a dream maximises: layer activations, channels, an ImageNet class, a guide image.

Every term maps one forward pass to a scalar; :class:`DreamObjective` adds the weighted
terms and runs the network once per call (truncated after the deepest layer used, plus a
classifier pass only when a class is dreamed).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import torch

from .checks import dream_layers, guide_layers, required_layers
from ...core.device import Compute
from ...core.errors import LayerError, UsageError, WeightsError
from ...core.geometry import resize_long_side

Features = Mapping[str, torch.Tensor]


@dataclass(frozen=True)
class Term:
    """One weighted objective term; ``fn(features, logits)`` returns a scalar."""

    name: str
    weight: float
    fn: Callable[[Features, torch.Tensor | None], torch.Tensor]


def layer_l2(layer: str, channels: Sequence[int] = ()) -> Callable[..., torch.Tensor]:
    """Mean squared activation of ``layer`` (of some channels only).

    The notebook's ``objective_L2`` sets the layer's gradient to its activation, i.e. it
    maximises half the *sum* of squares; the mean has the same direction and lets terms
    of different layers be weighted on a common scale.
    """
    index = list(channels)

    def fn(feats: Features, logits: torch.Tensor | None) -> torch.Tensor:
        act = feats[layer].float()
        if index:
            act = act[:, index]
        return act.pow(2).mean()

    return fn


def guide_match(layer: str, guide: torch.Tensor) -> Callable[..., torch.Tensor]:
    """Mean over positions of the best dot product with any guide feature vector.

    Its gradient at each position is the guide vector that matches best, exactly the
    notebook's ``objective_guide`` (Mordvintsev et al. 2015). ``guide``: (C, M) features.
    """

    def fn(feats: Features, logits: torch.Tensor | None) -> torch.Tensor:
        x = feats[layer].float()[0].flatten(1)  # C x N
        return (x.t() @ guide).max(dim=1).values.mean()

    return fn


def class_logit(index: int) -> Callable[..., torch.Tensor]:
    """The pre-softmax score of ImageNet class ``index``."""

    def fn(feats: Features, logits: torch.Tensor | None) -> torch.Tensor:
        assert logits is not None
        return logits[0, index].float()

    return fn


def label_index(label: str, categories: Sequence[str]) -> int:
    """The index of an ImageNet class given by exact name (any case) or by number."""
    text = label.strip()
    if text.isdigit() and int(text) < len(categories):
        return int(text)
    lower = [c.lower() for c in categories]
    if text.lower() in lower:
        return lower.index(text.lower())
    close = difflib.get_close_matches(text.lower(), lower, n=3, cutoff=0.6)
    close += [c for c in lower if text.lower() in c and c not in close][: 6 - len(close)]
    hint = f"; did you mean: {', '.join(repr(categories[lower.index(c)]) for c in close)}" if close else ""
    raise UsageError(f"label: unknown ImageNet class {label!r}{hint}")


class DreamObjective:
    """The weighted sum of ``terms`` on one image (1, 3, h, w) in [0, 1]."""

    def __init__(self, terms: Sequence[Term], *, extractor: Any, classify: Any, compute: Compute):
        self.terms = tuple(terms)
        self.extractor = extractor
        self.classify = classify
        self.compute = compute

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        return self.compute.run(self._forward, image)

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        feats = self.extractor(x) if self.extractor is not None else {}
        logits = self.classify(x) if self.classify is not None else None
        return sum(t.weight * t.fn(feats, logits) for t in self.terms)


def build_objective(
    config: Any, backbone: Any, guide: torch.Tensor | None = None, *, compute: Compute | None = None
) -> DreamObjective:
    """The objective ``config`` asks for on ``backbone``; validates names and channels.

    Layer terms use :func:`dream_layers`, guide terms :func:`guide_layers`; the network
    runs only up to the deepest of them (the classifier runs whole for a class).
    ``compute`` (default: from ``config.precision`` and ``config.memory_format`` on the
    backbone's device) says how the network runs.

    Raises:
        UsageError: ``config.guide`` is set but no guide image was passed, or the reverse.
    """
    spec = backbone.spec
    if (config.guide is None) != (guide is None):
        given = "no guide image was passed" if guide is None else "guide is not set"
        raise UsageError(f"guide: a guide image and the guide setting go together; {given}")
    terms = _layer_terms(config, spec, dream_layers(config, spec))
    if guide is not None:
        terms += _guide_terms(config, backbone, guide, guide_layers(config, spec))
    classify = None
    if config.label is not None:
        if not spec.has_classifier:
            raise UsageError(f"label: {spec.name} has no ImageNet classifier to dream a class with")
        if not getattr(backbone, "has_classifier_weights", True):
            source = getattr(backbone, "weights_path", None) or spec.name
            raise WeightsError(f"label: {source} has no classifier weights to dream a class with")
        terms.append(Term("label", config.label_weight, class_logit(label_index(config.label, backbone.categories))))
        classify = backbone.classify
    needed = required_layers(config, spec)
    extractor = backbone.extractor(list(needed)) if needed else None
    compute = compute or Compute.resolve(
        torch.device(backbone.device), precision=config.precision, memory_format=config.memory_format
    )
    return DreamObjective(terms, extractor=extractor, classify=classify, compute=compute)


def _layer_terms(config: Any, spec: Any, layers: Sequence[str]) -> list[Term]:
    if not layers:
        return []
    weights = tuple(config.layer_weights) or (1.0,) * len(layers)
    for layer in layers:
        count = spec.layer(layer).channels  # LayerError for an unknown name
        bad = [c for c in config.channels if c >= count]
        if bad:
            raise LayerError(f"{spec.name}: {layer} has {count} channels; channel {bad[0]} is out of range")
    return [Term(f"layer:{l}", w, layer_l2(l, config.channels)) for l, w in zip(layers, weights)]


def _guide_terms(config: Any, backbone: Any, guide: torch.Tensor, layers: Sequence[str]) -> list[Term]:
    with torch.no_grad():
        feats = backbone.extractor(list(layers))(resize_long_side(guide.to(backbone.device), config.guide_size))
    out = []
    for layer in layers:
        g = feats[layer].float()[0].flatten(1)
        out.append(Term(f"guide:{layer}", config.guide_weight, guide_match(layer, g)))
    return out
