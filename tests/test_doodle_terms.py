"""The doodle loss composed of terms (genart.commands.doodle.terms) gives the values of the
single DoodleLoss class it replaced: recorded from that class on these seeded tiny cases."""
from __future__ import annotations

import dataclasses

import pytest
import torch

from genart.commands.doodle import semantic
from genart.commands.doodle.terms import StyleSource, build_objective

from test_doodle import BLACK, BLUE, CFG, RED, WHITE, TinyBackbone, _halves

# Loss of 7 successive evaluations (patches re-matched every 3) per mode / content / maps,
# as the former genart.commands.doodle.algorithm.DoodleLoss computed them.
RECORDED = {
    "mrf-none-nomaps": (1.90278, 2.04588, 2.21841, 2.39006, 2.64396, 2.89859, 3.15543),
    "mrf-none-maps": (4.88374, 5.033, 5.23589, 5.40423, 5.66807, 5.93888, 6.18794),
    "mrf-content-nomaps": (2.05748, 2.20268, 2.37889, 2.55118, 2.8078, 3.06626, 3.32439),
    "mrf-content-maps": (5.03844, 5.1898, 5.39637, 5.56536, 5.83191, 6.10655, 6.3569),
    "gram-none-nomaps": (1.95004, 2.1039, 2.28978, 2.4867, 2.74828, 3.01837, 3.29967),
    "gram-none-maps": (5.15015, 5.30243, 5.50953, 5.67852, 5.94443, 6.21986, 6.47337),
    "gram-content-nomaps": (2.10473, 2.26069, 2.45026, 2.64782, 2.91211, 3.18604, 3.46863),
    "gram-content-maps": (5.30484, 5.45923, 5.67001, 5.83964, 6.10826, 6.38753, 6.64233),
}


def _source(content: bool, maps: bool) -> StyleSource:
    qm = semantic.quantize_maps(_halves(WHITE, BLACK, noise=0), _halves(BLACK, WHITE, noise=0)) if maps else None
    return StyleSource(
        style=_halves(RED, BLUE), style_labels=None if qm is None else qm.style,
        target_labels=None if qm is None else qm.target, regions=0 if qm is None else qm.count,
        content=_halves(BLUE, RED) if content else None, out_hw=(24, 32),
    )


def _config(mode: str):
    return dataclasses.replace(CFG, mode=mode, match_every=3, color_weight=10.0, variety=0.2 if mode == "mrf" else 0.0)


def _images():
    g = torch.Generator().manual_seed(5)
    img = torch.rand(1, 3, 24, 32, generator=g)
    return [(img + 0.05 * i * torch.rand(1, 3, 24, 32, generator=g)).clamp(0, 1) for i in range(7)]


@pytest.mark.parametrize("case", list(RECORDED))
def test_composed_terms_give_the_former_loss(case):
    mode, content, maps = case.split("-")
    content, maps = content == "content", maps == "maps"
    cfg = _config(mode)
    layers = list(dict.fromkeys(cfg.style_layers + (cfg.content_layers if content else ())))
    objective = build_objective(TinyBackbone().extractor(layers), _source(content, maps), cfg)
    values = []
    for x in _images():
        x.requires_grad_(True)
        loss, metrics = objective(x)
        loss.backward()  # every term is differentiable
        assert x.grad is not None and torch.isfinite(x.grad).all()
        values.append(loss.item())
    assert values == pytest.approx(RECORDED[case], rel=1e-4)
    expected = {"tv", "color", *(f"style:{n}" for n in cfg.style_layers)}
    expected |= {f"content:{n}" for n in cfg.content_layers} if content else set()
    expected |= {f"ncc:{n}" for n in cfg.style_layers} if mode == "mrf" else set()
    assert set(metrics) == expected


def test_each_term_carries_its_weight():
    cfg = dataclasses.replace(CFG, style_weight=3.0, content_weight=2.0, color_weight=5.0, smoothness=1e-3)
    objective = build_objective(TinyBackbone().extractor(["relu1_1", "relu2_1", "relu3_1"]), _source(True, True), cfg)
    weights = {type(t).__name__ + ":" + getattr(t, "layer", ""): t.weight for t in objective.terms}
    assert weights == {"MrfTerm:relu1_1": 1.5, "MrfTerm:relu2_1": 1.5, "ContentTerm:relu3_1": 2.0,
                        "ColorTerm:": 5.0, "TvTerm:": pytest.approx(0.1)}

