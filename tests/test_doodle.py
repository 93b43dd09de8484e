"""Neural Doodle on a tiny random network: mechanics, semantics, errors, events."""
from __future__ import annotations

import dataclasses

import pytest
import torch
import torch.nn as nn

from genart.commands.doodle.config import DoodleConfig
from genart.commands.doodle.algorithm import doodle, phase_sizes
from genart.core.errors import UsageError
from genart.core.events import Intermediate, Message, StageStarted, Step

RED, BLUE = torch.tensor([0.9, 0.15, 0.1]), torch.tensor([0.1, 0.2, 0.9])


class _TinyExtractor(nn.Module):
    def __init__(self, net: nn.ModuleDict, names: list[str]) -> None:
        super().__init__()
        self.net, self.names = net, names

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        out = {}
        for name, layer in self.net.items():
            x = layer(x)
            out[name] = x
        return {n: out[n] for n in self.names}


class TinyBackbone:
    """A seeded three-block conv net with VGG-style layer names (a stand-in, for speed)."""

    device = torch.device("cpu")

    def __init__(self) -> None:
        torch.manual_seed(0)
        self.net = nn.ModuleDict(
            {
                "relu1_1": nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU()),
                "relu2_1": nn.Sequential(nn.AvgPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU()),
                "relu3_1": nn.Sequential(nn.AvgPool2d(2), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU()),
            }
        ).eval().requires_grad_(False)

    def extractor(self, names: list[str]) -> _TinyExtractor:
        return _TinyExtractor(self.net, list(names))


@pytest.fixture(scope="module")
def backbone() -> TinyBackbone:
    return TinyBackbone()


def _halves(left: torch.Tensor, right: torch.Tensor, h: int = 24, w: int = 32, noise: float = 0.05) -> torch.Tensor:
    img = torch.empty(1, 3, h, w)
    img[..., : w // 2] = left.view(3, 1, 1)
    img[..., w // 2 :] = right.view(3, 1, 1)
    gen = torch.Generator().manual_seed(7)
    return (img + noise * torch.randn(img.shape, generator=gen)).clamp(0, 1)


WHITE, BLACK = torch.ones(3), torch.zeros(3)
# Adam: steady on this tiny random net, where L-BFGS without line search can overshoot.
# No colour term: these tests check that the patch and Gram losses alone follow the maps.
CFG = DoodleConfig(
    style_layers=("relu1_1", "relu2_1"), content_layers=("relu3_1",), size=32, phases=2, iterations=15,
    match_every=5, optimizer="adam", learning_rate=0.08, color_weight=0.0,
)


@pytest.mark.parametrize("mode", ["mrf", "gram"])
def test_each_region_takes_the_colour_of_its_source_region(backbone, mode):
    style = _halves(RED, BLUE)
    style_map = _halves(WHITE, BLACK, noise=0)
    target_map = _halves(BLACK, WHITE, noise=0)  # the doodle swaps the two regions
    out = doodle(style, style_map, target_map, dataclasses.replace(CFG, mode=mode), backbone=backbone)
    assert out.shape == (1, 3, 24, 32) and 0 <= out.min() and out.max() <= 1
    left, right = out[..., 3:-3, 3:13].mean(dim=(0, 2, 3)), out[..., 3:-3, 19:-3].mean(dim=(0, 2, 3))
    assert (left - BLUE).norm() < (left - RED).norm()
    assert (right - RED).norm() < (right - BLUE).norm()


def test_semantic_weight_zero_ignores_the_maps(backbone):
    style = _halves(RED, BLUE)
    maps = (_halves(WHITE, BLACK, noise=0), _halves(BLACK, WHITE, noise=0))
    strict = doodle(style, *maps, CFG, backbone=backbone)
    loose = doodle(style, *maps, dataclasses.replace(CFG, semantic_weight=0.0), backbone=backbone)
    assert (strict - loose).abs().mean() > 0.02


def test_gram_statistics_do_not_depend_on_the_semantic_weight(backbone):
    # semantic_weight scales the map channels appended to features for MRF matching; the
    # masks of per-region Gram matrices are plain masks (weight 0 once zeroed the loss).
    style = _halves(RED, BLUE)
    maps = (_halves(WHITE, BLACK, noise=0), _halves(BLACK, WHITE, noise=0))

    def style_loss(weight: float) -> dict:
        events = []
        cfg = dataclasses.replace(CFG, mode="gram", semantic_weight=weight, iterations=1, phases=1)
        doodle(style, *maps, cfg, backbone=backbone, callback=events.append)
        return {k: v for k, v in next(e for e in events if isinstance(e, Step)).metrics.items() if k.startswith("style:")}

    zero, default, strong = style_loss(0.0), style_loss(10.0), style_loss(100.0)
    assert all(v > 0 for v in zero.values())
    assert zero == pytest.approx(default, rel=1e-5) and strong == pytest.approx(default, rel=1e-5)


def test_texture_synthesis_without_maps_moves_toward_the_style(backbone):
    style = _halves(RED, RED, noise=0.1)
    out = doodle(style, None, None, CFG, backbone=backbone)
    assert out.shape == (1, 3, 24, 32)  # the style's aspect
    assert (out.mean(dim=(0, 2, 3)) - RED).norm() < 0.15  # from grey noise (distance ~0.6)


def test_content_keeps_the_layout(backbone):
    content = _halves(WHITE * 0.8, BLACK + 0.2, noise=0.02)
    style = _halves(RED, BLUE)
    cfg = dataclasses.replace(CFG, content_weight=5.0, style_weight=0.5)
    out = doodle(style, None, None, cfg, backbone=backbone, content=content)
    assert out.shape == (1, 3, 24, 32)
    assert out[..., :, :13].mean() > out[..., :, 19:].mean() + 0.1


def test_same_seed_same_result_and_different_seed_differs(backbone):
    style, cfg = _halves(RED, BLUE), dataclasses.replace(CFG, iterations=4)
    a = doodle(style, None, None, cfg, backbone=backbone)
    b = doodle(style, None, None, cfg, backbone=backbone)
    c = doodle(style, None, None, dataclasses.replace(cfg, seed=1), backbone=backbone)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_events_per_phase_step_frame_and_legend(backbone):
    events = []
    cfg = dataclasses.replace(CFG, iterations=4, save_every=2, variety=0.2)
    doodle(_halves(RED, BLUE), _halves(WHITE, BLACK, noise=0), _halves(BLACK, WHITE, noise=0), cfg,
           backbone=backbone, callback=events.append)
    stages = [e for e in events if isinstance(e, StageStarted)]
    assert [(s.index, s.count, s.steps) for s in stages] == [(0, 2, 4), (1, 2, 4)]
    steps = [e for e in events if isinstance(e, Step)]
    assert len(steps) == 8 and {"loss", "tv", "style:relu1_1", "ncc:relu2_1"} <= set(steps[0].metrics)
    frames = [e.tag for e in events if isinstance(e, Intermediate)]
    assert frames == ["phase1-step0002", "phase2-step0002"]
    legend = [e.text for e in events if isinstance(e, Message)]
    assert len(legend) == 2 and "#ffffff" in legend[0] + legend[1] and "50.0%" in legend[0]


def test_auto_map_builds_maps_from_the_images(backbone):
    style, content = _halves(RED, BLUE), _halves(BLUE, RED)
    cfg = dataclasses.replace(CFG, auto_map=True, regions=2, content_weight=0.0)
    out = doodle(style, None, None, cfg, backbone=backbone, content=content)
    assert (out[..., 3:-3, 3:13].mean(dim=(0, 2, 3)) - BLUE).norm() < 0.35


def test_phase_sizes_halve_from_the_final_size():
    assert phase_sizes((384, 512), 512, 3) == [(96, 128), (192, 256), (384, 512)]
    assert phase_sizes((100, 50), 64, 1) == [(64, 32)]


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((True, False), {}, "target map"),
        ((False, True), {}, "style map is missing"),
        ((True, True), {"content_map": True}, "not both"),
        ((True, "wide"), {"content": True}, "shapes differ"),
        ((False, False), {"config": {"init": "content"}}, "needs a content image"),
        ((False, False), {"config": {"auto_map": True}}, "auto_map needs a content"),
        ((False, False), {"config": {"size": 16, "phases": 3}}, "too small"),
    ],
)
def test_usage_errors(backbone, args, kwargs, message):
    style, flat = _halves(RED, BLUE), _halves(WHITE, BLACK, noise=0)
    maps = [flat if a is True else None for a in args]
    if args[1] == "wide":
        maps[1] = torch.ones(1, 3, 10, 60)
    extra = {k: (flat if v is True else v) for k, v in kwargs.items() if k != "config"}
    if extra.get("content") is not None:
        extra["content"] = style
    cfg = dataclasses.replace(CFG, iterations=1, **kwargs.get("config", {}))
    with pytest.raises(UsageError, match=message):
        doodle(style, maps[0], maps[1], cfg, backbone=backbone, **extra)


def test_required_layers_and_sizes_checked_up_front():
    from genart.commands.doodle.algorithm import check_sizes, required_layers
    from genart.models import get_spec

    cfg = dataclasses.replace(CFG, style_layers=("relu2_1", "relu3_1"), content_layers=("relu3_1", "relu4_2"))
    assert required_layers(cfg, content=False) == ("relu2_1", "relu3_1")
    assert required_layers(cfg, content=True) == ("relu2_1", "relu3_1", "relu4_2")
    spec = get_spec("vgg19")  # relu3_1 has stride 4: 3x3 patches need 12 px
    big = dataclasses.replace(cfg, size=256, phases=3)  # the first phase has a long side of 64 px
    check_sizes(big, spec, style=(48, 64), target=(12, 64))
    with pytest.raises(UsageError, match=r"^target map: 64x11 px at long side 64 becomes 64x11 px, too small; "
                                         r"the first phase needs at least 12 px per side \(use fewer phases or a size of at least 268 px\)"):
        check_sizes(big, spec, style=(48, 64), target=(11, 64))
    with pytest.raises(UsageError, match=r"^style: 640x10 px at long side 64 becomes 64x1 px"):
        check_sizes(big, spec, style=(10, 640), target=(48, 64))
    with pytest.raises(UsageError, match=r"^content: "):  # without a map, the content sets the shape
        check_sizes(big, spec, style=(48, 64), content=(4, 64))
    check_sizes(dataclasses.replace(big, mode="gram"), spec, style=(48, 64), target=(8, 64))  # gram: 1 position


def test_a_too_thin_style_fails_before_any_work_naming_the_style(backbone):
    with pytest.raises(UsageError, match=r"^style: 300x2 px"):
        doodle(torch.rand(1, 3, 2, 300), None, None, CFG, backbone=backbone, content=_halves(RED, BLUE))


def test_steps_offer_a_preview_of_the_current_image(backbone):
    previews = []
    cfg = dataclasses.replace(CFG, iterations=3, phases=1)
    out = doodle(_halves(RED, BLUE), None, None, cfg, backbone=backbone,
                 callback=lambda e: previews.append(e.preview()) if isinstance(e, Step) else None)
    assert len(previews) == 3 and torch.equal(previews[-1], out)


@pytest.mark.parametrize("mode", ["mrf", "gram"])
def test_runs_on_a_device_other_than_the_cpu(mode):
    # Every tensor doodle makes must follow the backbone's device (fake_device enforces
    # CUDA's rules): maps, colour statistics, content and matching included.
    from fake_device import FAKE, move_module, on_fake_device

    class Elsewhere(TinyBackbone):
        device = FAKE

        def __init__(self) -> None:
            super().__init__()
            move_module(self.net)

    cfg = dataclasses.replace(CFG, mode=mode, iterations=2, color_weight=10.0, variety=0.2 if mode == "mrf" else 0.0)
    args = (_halves(RED, BLUE), _halves(WHITE, BLACK, noise=0), _halves(BLACK, WHITE, noise=0))
    with on_fake_device():
        out = doodle(*args, cfg, backbone=Elsewhere(), content=_halves(BLUE, RED))
    assert out.device == FAKE
    assert torch.allclose(out.inner, doodle(*args, cfg, backbone=TinyBackbone(), content=_halves(BLUE, RED)), atol=1e-5)


def _count_calls(monkeypatch, module, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_propagated_matching_searches_everything_only_in_the_first_phase(backbone, monkeypatch):
    from genart.commands.doodle import terms

    maps = (_halves(WHITE, BLACK, noise=0), _halves(BLACK, WHITE, noise=0))
    cfg = dataclasses.replace(CFG, match_stable=0.0)
    full, local = _count_calls(monkeypatch, terms, "nearest_patches"), _count_calls(monkeypatch, terms, "refine_patches")
    out = doodle(_halves(RED, BLUE), *maps, dataclasses.replace(cfg, match_search="full"), backbone=backbone)
    assert local == [] and len(full) == 2 * 2 * 3  # 2 phases x 2 layers x 15 steps / 5
    full.clear()
    out = doodle(_halves(RED, BLUE), *maps, cfg, backbone=backbone)
    assert len(full) == 2 and len(local) == 2 * 2 * 3 - 2  # the first match of phase 1's layers only
    left, right = out[..., 3:-3, 3:13].mean(dim=(0, 2, 3)), out[..., 3:-3, 19:-3].mean(dim=(0, 2, 3))
    assert (left - BLUE).norm() < (left - RED).norm() and (right - RED).norm() < (right - BLUE).norm()


def test_settled_matches_are_refreshed_less_often(backbone, monkeypatch):
    from genart.commands.doodle import terms

    calls = _count_calls(monkeypatch, terms, "nearest_patches")
    cfg = dataclasses.replace(CFG, phases=1, iterations=40, match_search="full")
    doodle(_halves(RED, BLUE), None, None, dataclasses.replace(cfg, match_stable=0.0), backbone=backbone)
    every = len(calls)
    calls.clear()
    doodle(_halves(RED, BLUE), None, None, dataclasses.replace(cfg, match_stable=1.0), backbone=backbone)
    assert every == 2 * 8 and len(calls) == 2 * 4  # at 0, 5, 15, 35: the interval doubles


def test_a_converged_phase_stops_early_and_tolerance_zero_runs_every_step(backbone):
    maps = (_halves(WHITE, BLACK, noise=0), _halves(BLACK, WHITE, noise=0))

    def last_steps(**kw):
        events = []
        cfg = dataclasses.replace(CFG, iterations=80, **kw)
        doodle(_halves(RED, BLUE), *maps, cfg, backbone=backbone, callback=events.append)
        return [e.step for e in events if isinstance(e, Step) and e.step == e.steps]

    assert last_steps(stop_tolerance=0.0) == [80, 80]
    ran = last_steps(stop_tolerance=0.05, stop_window=5, match_stable=1.0)
    assert len(ran) == 2 and all(5 < n < 80 for n in ran), ran
    # Matches that never settle (match_stable 0) never let a phase stop: the loss changes meaning.
    assert last_steps(stop_tolerance=0.05, stop_window=5, match_stable=0.0) == [80, 80]
