"""The backbone registry: names, layer tables, aliases, weights sources (mostly no torch)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from genart.core.errors import LayerError, UsageError
from genart.models import BackboneSpec, LayerInfo, WeightsSource, get_spec, list_specs

REQUIRED = ("vgg19", "vgg16", "vgg19-caffe", "googlenet", "googlenet-bvlc", "inception_v3", "resnet50", "alexnet")


def test_required_backbones_are_registered_with_a_family_and_weights():
    names = [s.name for s in list_specs()]
    assert set(REQUIRED) <= set(names)
    for spec in list_specs():
        assert spec.family in ("vgg", "googlenet", "inception", "resnet", "alexnet")
        assert spec.weights is not None and spec.weights.url.startswith("https://")
        assert spec.layers(), spec.name
        for layer in spec.default_dream_layers:
            assert spec.layer(layer).name == layer


def test_unknown_backbone_suggests_the_closest_name():
    with pytest.raises(UsageError, match="did you mean 'vgg19'"):
        get_spec("vgg91")


def test_vgg_layer_names_follow_block_depths():
    vgg19 = get_spec("vgg19").layer_names
    vgg16 = get_spec("vgg16").layer_names
    assert vgg19[:5] == ("conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1")
    assert "relu5_4" in vgg19 and "relu5_4" not in vgg16 and "relu5_3" in vgg16
    assert len(vgg19) == 16 * 2 + 5 and len(vgg16) == 13 * 2 + 5
    # torchvision's indices: conv3_4 is features.16 and conv4_1 features.19 in VGG19
    assert get_spec("vgg19").layer("conv3_4").modules == ("features.16",)
    assert get_spec("vgg19").layer("conv4_1").modules == ("features.19",)
    assert get_spec("vgg16").layer("conv4_1").modules == ("features.17",)
    assert get_spec("vgg19").layer("relu4_2").channels == 512


def test_googlenet_channel_counts_and_spellings():
    expected = {"3a": 256, "3b": 480, "4a": 512, "4b": 512, "4c": 512, "4d": 528, "4e": 832, "5a": 832, "5b": 1024}
    for name in ("googlenet", "googlenet-bvlc"):
        spec = get_spec(name)
        for block, channels in expected.items():
            assert spec.layer(f"inception_{block}").channels == channels
        assert spec.layer("inception4c").name == "inception_4c"  # torchvision's spelling
        assert spec.layer("maxpool3").name == "pool3"
        names = spec.layer_names
        assert names.index("pool3") == names.index("inception_3b") + 1
        assert names.index("pool4") == names.index("inception_4e") + 1
    bvlc = get_spec("googlenet-bvlc")
    assert bvlc.layer("inception_4c/output").name == "inception_4c"  # Caffe's blob name
    assert bvlc.layer("conv2/3x3").name == "conv2"
    assert bvlc.default_dream_layers == ("inception_4c",)


def test_other_families_name_their_layers():
    assert get_spec("inception_v3").layer("Mixed_6e").channels == 768
    assert get_spec("inception_v3").layer("mixed_7c").name == "Mixed_7c"  # case-insensitive
    assert [i.name for i in get_spec("resnet50").layers()][-4:] == ["layer1", "layer2", "layer3", "layer4"]
    assert get_spec("resnet50").layer("layer4").channels == 2048
    alex = get_spec("alexnet").layer_names
    assert alex == tuple(
        "conv1 relu1 pool1 conv2 relu2 pool2 conv3 relu3 conv4 relu4 conv5 relu5 pool5".split()
    )


def test_unknown_layer_is_a_layer_error_with_a_suggestion():
    with pytest.raises(LayerError, match="did you mean 'relu4_2'"):
        get_spec("vgg19").layer("relu4_22")
    with pytest.raises(LayerError, match="did you mean 'inception_4c'"):
        get_spec("googlenet-bvlc").layer("inception_4cc")


def test_layer_info_lists_channels_without_weights():
    layers = get_spec("vgg19-caffe").layers()
    assert all(isinstance(i, LayerInfo) for i in layers)
    assert [i.channels for i in layers if i.kind == "pool"] == [64, 128, 256, 512, 512]
    assert [i.stride for i in layers if i.kind == "pool"] == [2, 4, 8, 16, 32]


def test_weights_source_hash_from_file_name_or_full_digest():
    assert WeightsSource("vgg19-d01eb7cb.pth", "u").expected_hash == "d01eb7cb"
    assert WeightsSource("bvlc_googlenet.pth", "u").expected_hash is None
    assert WeightsSource("bvlc_googlenet.pth", "u").checksum_note == "no published checksum"
    assert WeightsSource("x.pth", "u", sha256="AB" * 32).expected_hash == "ab" * 32
    caffe = get_spec("vgg19-caffe").weights
    assert caffe.url == "https://web.eecs.umich.edu/~justincj/models/vgg19-d01eb7cb.pth"
    assert caffe.expected_hash == "d01eb7cb"
    assert get_spec("googlenet-bvlc").weights.expected_hash is None


def test_torchvision_backbones_match_torchvision_weights_metadata():
    from torchvision.models import get_weight

    for spec in list_specs():
        entry = get_weight(spec.tv_weights)
        assert len(entry.meta["categories"]) == 1000
        if spec.preprocess is None:  # a torchvision-trained network
            assert spec.weights.url == entry.url
            assert spec.weights.filename == entry.url.rsplit("/", 1)[-1]
            assert spec.min_size == max(entry.meta["min_size"])


def test_any_torchvision_classifier_by_name():
    spec = get_spec("resnet18")
    assert isinstance(spec, BackboneSpec)
    assert spec.family == "classifier" and spec.has_classifier and not spec.layers()
    assert spec.weights.filename == "resnet18-f37072fd.pth"
    with pytest.raises(LayerError, match="classification only"):
        spec.layer("layer1")


def test_registry_and_cli_import_without_torch():
    code = (
        "import sys; import genart.cli.models; from genart.models import get_spec, list_specs; "
        "[s.layers() for s in list_specs()]; get_spec('googlenet-bvlc').layer('inception4c'); "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_size_and_layer_checks_import_without_torch():
    # A CLI checks every input of a batch before it loads anything heavy.
    code = (
        "import sys; from genart.models import get_spec; "
        "from genart.commands.style import checks as s; from genart.commands.dream import checks as d; "
        "from genart.commands.doodle import checks as n; "
        "from genart.commands.style.config import StyleConfig; from genart.commands.dream.config import DreamConfig; "
        "from genart.commands.doodle.config import DoodleConfig; "
        "s.check_sizes(StyleConfig(), get_spec('vgg19'), content=(300, 400)); s.required_layers(StyleConfig()); "
        "d.check_sizes(DreamConfig(), get_spec('googlenet-bvlc'), image=(300, 400)); d.required_layers(DreamConfig(), get_spec('googlenet-bvlc')); "
        "n.check_sizes(DoodleConfig(), get_spec('vgg19'), style=(300, 400)); n.required_layers(DoodleConfig(), content=True); "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
