"""Feature-extractor mechanics on random-init backbones (tiny inputs, seeded)."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from genart.core.errors import ImageError, LayerError, UsageError
from genart.models import FeatureExtractor, get_spec, list_specs, load_backbone

FAMILIES = [s.name for s in list_specs()]


_CACHE: dict = {}


@pytest.fixture(autouse=True, scope="module")
def _free_backbones():
    """Backbones are shared by this module's tests and freed when it ends."""
    yield
    _CACHE.clear()


def random_backbone(name: str, pooling: str = "max"):
    key = (name, pooling)
    if key not in _CACHE:
        _CACHE[key] = load_backbone(name, weights="random", pooling=pooling)
    return _CACHE[key]


def image(size: int, seed: int = 0, n: int = 1) -> torch.Tensor:
    return torch.rand(n, 3, size, size, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("name", FAMILIES)
def test_layer_table_matches_activations(name):
    bb = random_backbone(name)
    spec = bb.spec
    assert bb.available_layers == spec.layer_names
    size = max(spec.min_size, 40)
    with torch.no_grad():
        feats = bb.extractor(spec.layer_names)(image(size))
    assert list(feats) == list(spec.layer_names)
    prev_size, prev_stride = size, 1
    for info in spec.layers():
        n, c, h, w = feats[info.name].shape
        assert (n, c, h) == (1, info.channels, w), info.name
        assert torch.isfinite(feats[info.name]).all()
        # where the declared stride grows by d, the map shrinks by about d (padding aside)
        d = info.stride / prev_stride
        assert 0.75 * d <= prev_size / h <= 1.5 * d, (info.name, prev_size, h, d)
        prev_size, prev_stride = h, info.stride


@pytest.mark.parametrize("name", FAMILIES)
def test_min_size_is_accepted(name):
    spec = get_spec(name)
    deepest = spec.layer_names[-1]
    with torch.no_grad():
        out = random_backbone(name).extractor([deepest])(image(spec.min_size))[deepest]
    assert min(out.shape[-2:]) >= 1


def test_too_small_input_is_an_image_error():
    bb = random_backbone("googlenet-bvlc")
    with pytest.raises(ImageError, match="too small"):
        bb.extractor(["inception_5b"])(image(bb.spec.min_size - 8))
    # shallow layers still work on small images
    assert bb.extractor(["conv1"])(image(8))["conv1"].shape[-1] == 4


def _calls(module: nn.Module, run) -> set[str]:
    called: set[str] = set()
    handles = [
        m.register_forward_hook(lambda mod, inp, out, name=name: called.add(name))
        for name, m in module.named_modules()
        if name
    ]
    try:
        run()
    finally:
        for h in handles:
            h.remove()
    return called


def test_extractor_stops_after_the_deepest_layer_vgg():
    bb = random_backbone("vgg19")
    ext = bb.extractor(["relu1_1", "relu2_1"])
    called = _calls(bb.module, lambda: ext(image(32)))
    assert {"features.0", "features.1", "features.5", "features.6"} <= called
    assert "features.7" not in called and "features.34" not in called
    assert not any(n.startswith("classifier") for n in called)
    assert ext.deepest == "relu2_1"


def test_extractor_stops_after_the_deepest_layer_googlenet():
    bb = random_backbone("googlenet-bvlc")
    called = _calls(bb.module, lambda: bb.extractor(["inception_3b"])(image(64)))
    assert "inception_3b" in called and "inception_3a.5x5" in called
    assert not any(n.startswith(("pool3", "inception_4", "inception_5", "loss3")) for n in called)


def test_extractor_returns_requested_names_including_aliases():
    bb = random_backbone("googlenet")
    feats = bb.extractor(["inception4a", "inception_3a"])(image(48))
    assert list(feats) == ["inception4a", "inception_3a"]
    assert feats["inception4a"].shape[1] == 512
    assert isinstance(bb.extractor("pool1"), FeatureExtractor)


def test_unknown_layer_is_rejected_when_the_extractor_is_made():
    bb = random_backbone("vgg16")
    with pytest.raises(LayerError, match="did you mean 'relu4_3'"):
        bb.extractor(["relu1_1", "relu4_33"])
    with pytest.raises(LayerError, match="no layers"):
        bb.extractor([])


def test_avg_pooling_switch_changes_pool_layers_only():
    x = image(32)
    max_bb = random_backbone("vgg19")
    avg_bb = random_backbone("vgg19", "avg")
    assert avg_bb.pooling == "avg"
    with torch.no_grad():
        fm = max_bb.extractor(["relu1_2", "pool1", "relu2_1"])(x)
        fa = avg_bb.extractor(["relu1_2", "pool1", "relu2_1"])(x)
    # same seed, same weights: identical before the first pool
    assert torch.equal(fm["relu1_2"], fa["relu1_2"])
    expected = nn.functional.avg_pool2d(fa["relu1_2"], 2)
    assert torch.allclose(fa["pool1"], expected)
    assert not torch.allclose(fm["pool1"], fa["pool1"])
    assert isinstance(dict(avg_bb.extractor(["pool1"]).stages.named_children())["pool1"], nn.AvgPool2d)
    # and per extractor
    with torch.no_grad():
        override = max_bb.extractor(["pool1"], pooling="avg")(x)["pool1"]
    assert torch.allclose(override, fa["pool1"])
    assert isinstance(max_bb.module.features[4], nn.MaxPool2d)  # the backbone is not modified
    with pytest.raises(UsageError):
        load_backbone("vgg19", weights="random", pooling="median")


def test_activations_are_differentiable_and_parameters_frozen():
    bb = random_backbone("vgg19-caffe")
    assert not bb.module.training
    assert all(not p.requires_grad for p in bb.module.parameters())
    ext = bb.extractor(["relu2_1", "relu3_1"])
    ext.train()  # a frozen extractor ignores this
    assert not ext.training
    x = image(32).requires_grad_(True)
    feats = ext(x)
    (feats["relu2_1"].pow(2).mean() + feats["relu3_1"].mean()).backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert all(p.grad is None for p in bb.module.parameters())


def test_relu_output_does_not_overwrite_the_conv_output():
    bb = random_backbone("vgg19")
    feats = bb.extractor(["conv1_1", "relu1_1"])(image(32))
    assert (feats["conv1_1"] < 0).any()  # an in-place ReLU would have zeroed these
    assert torch.equal(feats["relu1_1"], feats["conv1_1"].clamp(min=0))


@pytest.mark.parametrize("name", ["googlenet-bvlc", "vgg19-caffe", "resnet50"])
def test_channels_last_and_bf16_autocast(name):
    bb = random_backbone(name)
    layer = bb.spec.default_dream_layers[0]
    ext = bb.extractor([layer])
    x = image(max(16, bb.spec.min_size))
    with torch.no_grad():
        ref = ext(x)[layer]
        out = ext(x.to(memory_format=torch.channels_last))[layer]
        with torch.autocast("cpu", dtype=torch.bfloat16):
            low = ext(x.to(memory_format=torch.channels_last))[layer]
    assert ((out - ref).norm() / ref.norm()) < 1e-5
    assert low.dtype == torch.bfloat16
    assert ((low.float() - ref).norm() / ref.norm()) < 0.05


def test_random_weights_are_seeded():
    a = load_backbone("alexnet", weights="random", seed=3)
    b = load_backbone("alexnet", weights="random", seed=3)
    c = load_backbone("alexnet", weights="random", seed=4)
    x = image(63)
    with torch.no_grad():
        fa, fb, fc = (bb.extractor(["relu2"])(x)["relu2"] for bb in (a, b, c))
    assert torch.equal(fa, fb) and not torch.equal(fa, fc)


def test_normalize_caffe_and_torchvision():
    x = image(4)
    caffe = random_backbone("vgg19-caffe").normalize(x)
    bgr_mean = torch.tensor([103.939, 116.779, 123.68]).view(1, 3, 1, 1)
    assert torch.allclose(caffe, x.flip(1) * 255 - bgr_mean)
    tv = random_backbone("vgg19").normalize(x)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    assert torch.allclose(tv, (x - mean) / std)
    bvlc = random_backbone("googlenet-bvlc").normalize(x)
    assert torch.allclose(bvlc[:, 0], x[:, 2] * 255 - 104)  # blue first
    with pytest.raises(ImageError, match="N, 3, H, W"):
        random_backbone("vgg19").extractor(["relu1_1"])(torch.rand(3, 8, 8))


@pytest.mark.parametrize("name, tv_name", [("googlenet", "googlenet"), ("inception_v3", "inception_v3")])
def test_tf_range_preprocessing_equals_torchvision_transform_input(name, tv_name):
    """torchvision runs these nets with transform_input=True on ImageNet-normalised input;
    genart builds them without it and normalises to [-1, 1]: the logits must agree."""
    import torchvision

    bb = random_backbone(name)
    x = image(max(bb.spec.min_size, 40))  # the sizes test_layer_table_matches_activations ran
    with torch.no_grad():
        ours = bb.classify(x)
        with torch.device("meta"):
            ref_model = torchvision.models.get_model(
                tv_name, weights=None, aux_logits=False, transform_input=True, init_weights=False
            )
        ref_model.load_state_dict(bb.module.state_dict(), assign=True)
        mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
        std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
        ref = ref_model.eval()((x - mean) / std)
    assert torch.allclose(ours, ref, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["vgg19", "googlenet-bvlc", "resnet18"])
def test_random_classify_gives_1000_logits(name):
    bb = load_backbone(name, weights="random")  # not cached: VGG's head is 0.5 GB
    size = max(bb.spec.min_size, 32)
    with torch.no_grad():
        logits = bb.classify(image(size))
    assert logits.shape == (1, 1000) and torch.isfinite(logits).all()
    assert len(bb.categories) == 1000 and bb.categories[1] == "goldfish"


def test_classification_transform_sizes():
    x = image(300)[:, :, :200]  # 200 x 300
    assert random_backbone("googlenet-bvlc").classification_transform(x).shape == (1, 3, 224, 224)
    assert random_backbone("inception_v3").classification_transform(x).shape == (1, 3, 299, 299)
    resized = random_backbone("vgg19").classification_transform(x)
    assert resized.shape == (1, 3, 224, 224)
    assert 0.0 <= resized.min() and resized.max() <= 1.0


@pytest.mark.parametrize("name", ["efficientnet_b0", "swin_t", "resnet50", "vgg19"])
def test_classification_preprocessing_equals_the_weights_transforms(name):
    # EfficientNet and Swin were evaluated with bicubic resizing (and Swin/ResNet-50 V2 at
    # 232 px): genart must resize, crop and normalise exactly as their transforms do.
    import torchvision

    bb = load_backbone(name, weights="random")
    transforms = torchvision.models.get_weight(bb.spec.tv_weights).transforms()
    x = image(300)[:, :, :200]  # 200 x 300: resized, then centre-cropped
    ours = bb.normalize(bb.classification_transform(x))
    assert torch.allclose(ours, transforms(x), atol=1e-5)
    if name in ("efficientnet_b0", "swin_t"):
        assert "bicubic" in repr(bb.classification_transform)
