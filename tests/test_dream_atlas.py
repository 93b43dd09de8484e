"""Channel atlas (dream --visualize): mechanics on random weights, real channels on BVLC GoogLeNet."""
from __future__ import annotations

import pytest
import torch

from genart.commands.dream.atlas import (
    FourierImage,
    RedirectedReLU,
    atlas_grid,
    channel_atlas,
    channel_means,
    dream_atlas,
    spread_channels,
)
from genart.commands.dream.config import DreamConfig, grid_shape
from genart.core.errors import ConfigError, LayerError, UsageError
from genart.models import load_backbone


@pytest.fixture(scope="module")
def random_bb():
    return load_backbone("googlenet-bvlc", weights="random", seed=0)


def test_grid_and_channel_helpers():
    assert grid_shape("4x4") == (4, 4) and grid_shape(" 2 X 3 ") == (2, 3)
    for bad in ("4", "0x3", "axb", "4x4x4"):
        with pytest.raises(ConfigError, match="grid"):
            DreamConfig(grid=bad)
    assert spread_channels(4, 512) == [0, 170, 341, 511]
    with pytest.raises(UsageError, match="only 3 channels"):
        spread_channels(4, 3)
    assert DreamConfig().grid == "4x4"


def test_dream_atlas_lays_out_the_configured_grid(random_bb):
    cfg = DreamConfig(visualize="inception_3a", grid="1x2", atlas_size=32, atlas_steps=2)
    sheet = dream_atlas(cfg, random_bb)
    assert sheet.shape[0] == 1 and sheet.shape[1] == 3 and sheet.shape[-1] > sheet.shape[-2]
    with pytest.raises(UsageError, match="do not fit"):
        dream_atlas(DreamConfig(visualize="inception_3a", grid="1x1", channels=(1, 2), atlas_steps=1), random_bb)


def test_fourier_image_is_a_valid_batch_with_a_1_over_f_start():
    gen = torch.Generator().manual_seed(0)
    img = FourierImage(3, 64, decay=1.0, generator=gen)()
    assert img.shape == (3, 3, 64, 64) and 0 < img.min() and img.max() < 1
    # the start is close to grey: lucid's small initial spectrum
    assert (img - 0.5).abs().max() < 0.1
    # energy is concentrated in low frequencies
    spec = torch.fft.rfft2(img - img.mean()).abs()
    assert spec[..., :4, :4].mean() > 5 * spec[..., 20:, 20:].mean()


def test_redirected_relu_lets_dead_units_climb():
    x = torch.full((2, 1, 2, 2), -1.0, requires_grad=True)
    x.data[1, 0, 0, 0] = 1.0  # sample 1 has a live unit, sample 0 has none
    y = RedirectedReLU.apply(x)
    assert torch.equal(y, x.clamp_min(0))
    (-y.sum()).backward()  # maximising: the gradient would raise every unit
    assert (x.grad[0] == -1).all()  # dead sample: the gradient passes
    assert x.grad[1, 0, 0, 0] == -1 and (x.grad[1].flatten()[1:] == 0).all()  # live one: plain ReLU


def test_atlas_mechanics_random_weights(random_bb):
    seen = []
    tiles = channel_atlas(random_bb, "inception_3a", [0, 5], size=40, steps=4, seed=1, callback=seen.append)
    assert [c for c, _ in tiles] == [0, 5]
    for _, img in tiles:
        assert img.shape == (1, 3, 40, 40) and 0 <= img.min() and img.max() <= 1
    steps = [e for e in seen if hasattr(e, "metrics")]
    assert len(steps) == 4 and steps[-1].metrics["objective"] > steps[0].metrics["objective"]
    again = channel_atlas(random_bb, "inception_3a", [0, 5], size=40, steps=4, seed=1)
    assert all(torch.equal(a, b) for (_, a), (_, b) in zip(tiles, again))
    with pytest.raises(LayerError, match="out of range"):
        channel_atlas(random_bb, "inception_3a", [256], size=40, steps=1)
    with pytest.raises(LayerError):
        channel_atlas(random_bb, "inception_9z", [0], size=40, steps=1)


def test_atlas_grid_lays_out_and_labels():
    tiles = [torch.full((1, 3, 32, 32), v) for v in (0.0, 0.5, 1.0)]
    grid = atlas_grid(tiles, grid=(2, 2), labels=["a:0", "a:1", "a:2"])
    assert grid.shape[:2] == (1, 3) and grid.shape[-1] > 64 and grid.shape[-2] > 64
    assert grid.max() <= 1 and grid.min() >= 0
    with pytest.raises(UsageError):
        atlas_grid(tiles, grid=(1, 2), labels=["a", "b", "c"])


def test_real_channels_rise_far_above_their_start(shared_dir):
    bb = load_backbone("googlenet-bvlc", weights=str(shared_dir / "weights" / "bvlc_googlenet.pth"))
    layer, channels = "inception_4c", [34, 341]
    gen = torch.Generator().manual_seed(0)
    start = FourierImage(len(channels), 64, decay=1.0, generator=gen)()  # the atlas's own start
    tiles = channel_atlas(bb, layer, channels, size=64, steps=24, seed=0)
    index = torch.tensor(channels)
    extractor = bb.extractor([layer])
    with torch.no_grad():
        before = channel_means(extractor, start, layer, index)
        after = channel_means(extractor, torch.cat([t for _, t in tiles]), layer, index)
    assert (after > before * 3 + 1.0).all(), (before, after)
    # and the picture is not flat grey: real structure in every tile
    assert all(float(t.std()) > 0.05 for _, t in tiles)
