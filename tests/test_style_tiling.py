"""Tiled gradients equal whole-image gradients when the margin covers the receptive field."""
from __future__ import annotations

import pytest
import torch

from genart.commands.style.config import StyleConfig
from genart.core.losses import moments
from genart.commands.style.loss import Targets, Weights, build_content_targets, build_style_targets, whole_image_loss
from genart.commands.style.tiling import probe_strides, tile_grid, tiled_features, tiled_loss, tiled_moments

from test_style_standin import TinyBackbone

LAYERS = ["relu1_1", "relu2_1", "relu3_1", "relu4_1"]


def test_tile_cores_partition_the_image_and_crops_add_the_margin():
    tiles = tile_grid(100, 70, tile=32, margin=32, offset=(64, 32))
    covered = torch.zeros(100, 70)
    for t in tiles:
        y0, y1, x0, x1 = t.core
        covered[y0:y1, x0:x1] += 1
        cy0, cy1, cx0, cx1 = t.crop
        assert cy0 == max(0, y0 - 32) and cy1 == min(100, y1 + 32)
        assert cx0 == max(0, x0 - 32) and cx1 == min(70, x1 + 32)
    assert torch.equal(covered, torch.ones(100, 70))
    with pytest.raises(ValueError, match="multiple of 32"):
        tile_grid(100, 70, tile=40, margin=32)


def _setup(kind: str, masked: bool):
    net = TinyBackbone().extractor(LAYERS + ["relu4_2"])
    g = torch.Generator().manual_seed(0)
    x = torch.rand(1, 3, 100, 136, generator=g)  # not multiples of the tile size
    styles = [torch.rand(1, 3, 64, 64, generator=g), torch.rand(1, 3, 48, 80, generator=g) ** 2]
    cfg = StyleConfig(model="tiny", style_layers=tuple(LAYERS), content_layers=("relu4_2",), style_loss=kind)
    stats = [{n: moments(net(s)[n]) for n in LAYERS} for s in styles]
    left = torch.zeros(1, 1, 100, 136)
    left[..., :70] = 1.0
    masks = [left, 1 - left] if masked else [None, None]
    style_targets, regions = build_style_targets(stats, masks, cfg)
    content_targets = build_content_targets(net(torch.rand(1, 3, 100, 136, generator=g)), cfg)
    targets = Targets(style_targets, content_targets, regions, kind)
    return net, x, targets


def _bf16(net):
    def features(img):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return net(img)

    return features


def _whole_and_tiled_gradients(net, x, targets):
    weights = Weights(style=10.0, content=1.0, tv=0.5)
    identity = lambda img: img
    strides = probe_strides(net, LAYERS + ["relu4_2"])
    tiled = tiled_loss(net, targets, weights, identity, tile=32, margin=32, strides=strides,
                       generator=torch.Generator().manual_seed(3))
    out = []
    for fn in (whole_image_loss(net, targets, weights, identity), tiled):
        xg = x.clone().requires_grad_(True)
        loss, metrics = fn(xg)
        loss.backward()
        out.append((loss, metrics, xg.grad))
    return out


@pytest.mark.parametrize("kind", ["gram", "w2"])
def test_tiled_loss_and_gradient_match_the_whole_image_under_bf16(kind):
    # The tiled path is exact under bf16 autocast too, up to bf16's own rounding (~0.4%).
    net, x, targets = _setup(kind, False)
    (la, ma, ga), (lb, mb, gb) = _whole_and_tiled_gradients(_bf16(net), x, targets)
    assert torch.allclose(la, lb, rtol=1e-3)
    assert mb["style"] == pytest.approx(ma["style"], rel=1e-2)
    cos = torch.nn.functional.cosine_similarity(ga.flatten(), gb.flatten(), dim=0)
    assert cos > 0.999
    assert (ga - gb).abs().max() < 0.03 * ga.abs().max()


@pytest.mark.parametrize("kind,masked", [("gram", False), ("gram", True), ("w2", False)])
def test_tiled_loss_and_gradient_match_the_whole_image(kind, masked):
    net, x, targets = _setup(kind, masked)
    assert probe_strides(net, LAYERS + ["relu4_2"]) == {"relu1_1": 1, "relu2_1": 2, "relu3_1": 4, "relu4_1": 8, "relu4_2": 8}
    (la, ma, ga), (lb, mb, gb) = _whole_and_tiled_gradients(net, x, targets)
    assert torch.allclose(la, lb, rtol=1e-4)
    assert mb["style"] == pytest.approx(ma["style"], rel=1e-4)
    assert mb["content"] == pytest.approx(ma["content"], rel=1e-4)
    cos = torch.nn.functional.cosine_similarity(ga.flatten(), gb.flatten(), dim=0)
    assert cos > 0.9999
    assert torch.allclose(ga, gb, atol=1e-4 * ga.abs().max().item())


def test_tiled_statistics_and_features_match_the_whole_image():
    net = TinyBackbone().extractor(LAYERS)
    img = torch.rand(1, 3, 90, 130, generator=torch.Generator().manual_seed(1))
    strides = probe_strides(net, LAYERS)
    whole = net(img)
    tm = tiled_moments(net, img, LAYERS, tile=32, margin=32, strides=strides)
    tf = tiled_features(net, img, LAYERS, tile=32, margin=32, strides=strides)
    for n in LAYERS:
        assert torch.allclose(tm[n].gram(), moments(whole[n]).gram(), rtol=1e-4, atol=1e-5)
        assert tf[n].shape == whole[n].shape
        assert torch.allclose(tf[n], whole[n], atol=1e-4)


def test_tiled_loss_stays_on_the_image_device():
    # On a GPU, every tensor the tiled loss makes must live on the image's device: one
    # made on the CPU and added into fails there (Elsewhere enforces the same rules).
    from fake_device import elsewhere

    g = torch.Generator().manual_seed(0)
    w1, w2 = elsewhere(torch.randn(4, 3, 3, 3, generator=g)), elsewhere(torch.randn(6, 4, 3, 3, generator=g))

    def features(img):
        a = torch.relu(torch.nn.functional.conv2d(img, w1, padding=1))
        b = torch.relu(torch.nn.functional.conv2d(torch.nn.functional.avg_pool2d(a, 2), w2, padding=1))
        return {"a": a, "b": b}

    cfg = StyleConfig(model="tiny", style_layers=("a", "b"), content_layers=("b",))
    style = elsewhere(torch.rand(1, 3, 40, 40, generator=g))
    stats = [{n: moments(f) for n, f in features(style).items()}]
    style_targets, regions = build_style_targets(stats, [None], cfg)
    content_targets = build_content_targets(features(elsewhere(torch.rand(1, 3, 70, 90, generator=g))), cfg)
    targets = Targets(style_targets, content_targets, regions, "gram")
    loss_fn = tiled_loss(features, targets, Weights(10.0, 1.0, 0.1), lambda img: img, tile=32, margin=32,
                         strides={"a": 1, "b": 2}, generator=torch.Generator().manual_seed(0))
    x = elsewhere(torch.rand(1, 3, 70, 90, generator=g)).requires_grad_(True)
    loss, metrics = loss_fn(x)
    loss.backward()
    assert x.grad is not None and x.grad.device == x.device
    assert metrics["content"] > 0 and metrics["style"] > 0
