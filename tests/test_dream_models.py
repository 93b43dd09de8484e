"""Dream on the real backbone registry with random-init weights (mechanics, not art)."""
from __future__ import annotations

import pytest

from genart.commands.dream.algorithm import DreamConfig, dream
from genart.core.errors import LayerError
from test_dream_fakes import photo

models = pytest.importorskip("genart.models")
QUICK = dict(octaves=2, iterations=2, jitter=4)


@pytest.fixture(scope="module")
def bvlc():
    return models.load_backbone("googlenet-bvlc", weights="random")


@pytest.mark.parametrize("name,size", [("googlenet-bvlc", 64), ("vgg19", 48), ("resnet50", 48), ("inception_v3", 96)])
def test_default_dream_layers_work_on_every_family(name, size):
    bb = models.load_backbone(name, weights="random")
    image = photo(size, size)
    out = dream(image, DreamConfig(model=name, **QUICK), backbone=bb)
    assert out.shape == image.shape and float((out - image).abs().max()) > 0


def test_octaves_never_go_below_the_network_minimum(bvlc):
    events = []
    dream(photo(48, 64), DreamConfig(octaves=6, iterations=1), backbone=bvlc, callback=events.append)
    sizes = [e.name for e in events if type(e).__name__ == "StageStarted"]
    assert sizes == ["octave 1/2 (46x34)", "octave 2/2 (64x48)"]  # 34 / 1.4 < 31 px


def test_channels_last_bf16_and_label(bvlc):
    image = photo(64, 64)
    config = DreamConfig(label="goldfish", layers=("inception_3a",), channels=(0, 7), precision="bf16", **QUICK)
    out = dream(image, config, backbone=bvlc)
    assert out.shape == image.shape and float(out.min()) >= 0 and float(out.max()) <= 1


def test_unknown_layer_and_channel_are_named(bvlc):
    with pytest.raises(LayerError, match="inception_4z"):
        dream(photo(64, 64), DreamConfig(layers=("inception_4z",)), backbone=bvlc)
    with pytest.raises(LayerError, match="inception_4c has 512 channels; channel 512"):
        dream(photo(64, 64), DreamConfig(layers=("inception_4c",), channels=(512,)), backbone=bvlc)
