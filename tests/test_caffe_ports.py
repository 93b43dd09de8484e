"""The Caffe ports: BVLC GoogLeNet semantics, then the real weights in ../shared."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from genart.core.errors import LayerError, WeightsError
from helpers import EXPECTED_TOP1
from genart.models import load_backbone
from genart.models.caffe_googlenet import caffe_lrn

# ------------------------------------------------------------------ semantics, no weights


def caffe_lrn_reference(a: torch.Tensor, size=5, alpha=1e-4, beta=0.75, k=1.0) -> torch.Tensor:
    """Caffe's across-channel LRN written out: a / (k + alpha / n * sum of squares)^beta,
    the sum over a window of n channels centred on each channel, zero-padded."""
    c = a.shape[1]
    half = (size - 1) // 2
    out = torch.empty_like(a)
    for i in range(c):
        window = a[:, max(0, i - half) : min(c, i + half + 1)]
        scale = k + alpha / size * window.pow(2).sum(dim=1)
        out[:, i] = a[:, i] / scale.pow(beta)
    return out


def test_lrn_matches_caffe_formula():
    a = torch.rand(2, 12, 5, 5, generator=torch.Generator().manual_seed(0)) * 300  # Caffe-scale values
    assert torch.allclose(caffe_lrn()(a), caffe_lrn_reference(a), rtol=1e-5, atol=1e-4)


def test_bvlc_pooling_rounds_up_like_caffe():
    bb = load_backbone("googlenet-bvlc", weights="random")
    names = ["conv1", "pool1", "pool2", "pool3", "pool4", "inception_5b"]
    with torch.no_grad():
        feats = bb.extractor(names)(torch.rand(1, 3, 100, 100))
    # each pool maps n to ceil((n - 3) / 2) + 1: 50 -> 25 -> 12 -> 6 -> 3 (floor mode: 24, 11, 5, 2)
    assert [feats[n].shape[-1] for n in names] == [50, 25, 12, 6, 3, 3]


def test_bvlc_inception_branch_order():
    """The concatenation is 1x1 | 3x3 | 5x5 | pool_proj: zeroing one branch's weights zeroes
    exactly its channel range of the block's output."""
    bb = load_backbone("googlenet-bvlc", weights="random")
    block = bb.module.inception_3a
    x = torch.rand(1, 192, 8, 8)
    for branch, (lo, hi) in {"1x1": (0, 64), "3x3": (64, 192), "5x5": (192, 224), "pool_proj": (224, 256)}.items():
        conv = block._modules[branch]
        saved = conv.weight.clone(), conv.bias.clone()
        conv.weight.zero_(), conv.bias.zero_()
        out = block(x)
        conv.weight.copy_(saved[0]), conv.bias.copy_(saved[1])
        assert out[:, lo:hi].abs().sum() == 0, branch
        assert out[:, :lo].abs().sum() > 0 or lo == 0


# ------------------------------------------------------------------------- real weights
def photo(path) -> torch.Tensor:
    rgb = np.array(Image.open(path).convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(rgb).permute(2, 0, 1).unsqueeze(0)


@pytest.fixture(scope="module")
def bvlc(shared_dir):
    return load_backbone("googlenet-bvlc", weights=shared_dir / "weights" / "bvlc_googlenet.pth")


def test_real_bvlc_googlenet_loads_every_tensor(shared_dir, bvlc):
    state = bvlc.module.state_dict()
    assert len(state) == 116 and not any(t.is_meta for t in state.values())
    params = sum(p.numel() for p in bvlc.module.parameters())
    assert params == pytest.approx(7.0e6, rel=0.01)
    assert bvlc.available_layers[-1] == "inception_5b" and bvlc.has_classifier_weights
    raw = torch.load(shared_dir / "weights" / "bvlc_googlenet.pth", map_location="cpu", weights_only=True)
    assert torch.equal(bvlc.module.inception_4c._modules["5x5"].weight, raw["inception_4c_5x5.weight"])


def test_real_bvlc_channels_and_sizes_at_224(bvlc):
    channels = {"inception_3a": 256, "inception_3b": 480, "inception_4a": 512, "inception_4b": 512,
                "inception_4c": 512, "inception_4d": 528, "inception_4e": 832, "inception_5a": 832,
                "inception_5b": 1024}  # fmt: skip
    sizes = {"conv1": 112, "pool1": 56, "conv2": 56, "pool2": 28, "inception_3b": 28, "pool3": 14,
             "inception_4c": 14, "pool4": 7, "inception_5b": 7}  # fmt: skip
    with torch.no_grad():
        feats = bvlc.extractor(sorted(set(channels) | set(sizes)))(torch.rand(1, 3, 224, 224))
    for name, c in channels.items():
        assert feats[name].shape[1] == c, name
    for name, s in sizes.items():
        assert feats[name].shape[-2:] == (s, s), name


def test_real_bvlc_classifies_the_photos(shared_dir, bvlc):
    photos = shared_dir / "images" / "photos"
    top1 = {}
    with torch.no_grad():
        for name in [*EXPECTED_TOP1, "grace_hopper.bmp"]:
            logits = bvlc.classify(bvlc.classification_transform(photo(photos / name)))
            top = logits[0].topk(5).indices.tolist()
            top1[name] = [bvlc.categories[i] for i in top]
    for name, label in EXPECTED_TOP1.items():
        assert top1[name][0] == label, (name, top1[name])
    assert "military uniform" in top1["grace_hopper.bmp"]


def test_real_bvlc_without_classifier_extracts_but_cannot_classify(shared_dir, tmp_path):
    raw = torch.load(shared_dir / "weights" / "bvlc_googlenet.pth", map_location="cpu", weights_only=True)
    raw = {k: v for k, v in raw.items() if not k.startswith("loss3_")}
    raw["loss1_fc.weight"] = torch.zeros(1024, 2048)  # an auxiliary head, ignored
    torch.save(raw, tmp_path / "bvlc_features_only.pth")
    bb = load_backbone("googlenet-bvlc", weights=tmp_path / "bvlc_features_only.pth")
    assert bb.available_layers[-1] == "inception_5b"
    with pytest.raises(WeightsError, match="bvlc_features_only.pth: has no classifier weights"):
        bb.classify(torch.rand(1, 3, 224, 224))


def test_real_vgg19_caffe_partial_file(shared_dir):
    bb = load_backbone("vgg19-caffe", weights=shared_dir / "weights" / "vgg19-caffe-conv1_1-conv3_4.pth")
    img = photo(shared_dir / "images" / "art" / "starry_night.jpg")
    img = torch.nn.functional.interpolate(img, size=(64, 80), mode="area")
    with torch.no_grad():
        feats = bb.extractor(["relu1_1", "relu3_1"])(img)
    assert feats["relu3_1"].shape == (1, 256, 16, 20)
    # real filters respond: a good share of units fire, unlike on a flat grey image
    assert (feats["relu1_1"] > 0).float().mean() > 0.2
    with torch.no_grad():
        flat = bb.extractor(["relu3_1"])(torch.full((1, 3, 64, 80), 0.5))["relu3_1"]
    assert feats["relu3_1"].std() > 2 * flat.std()
    with pytest.raises(LayerError, match="relu3_4"):
        bb.extractor(["relu4_1"])
