"""Weights files: resolution order, offline errors, partial files, bad files, missing classifier."""
from __future__ import annotations

import pytest
import torch

from genart.core.errors import ExitCode, LayerError, WeightsError, WeightsUnavailableOffline
from genart.models import get_spec, hub_checkpoints_dir, load_backbone, locate_weights, resolve_weights, search_dirs


def vgg_state(seed: int = 0) -> dict[str, torch.Tensor]:
    """A random VGG19 trunk state dict in torchvision's layout (features.N.*)."""
    bb = load_backbone("vgg19", weights="random", seed=seed)
    return {k: v for k, v in bb.module.state_dict().items() if k.startswith("features.")}


@pytest.fixture(scope="module")
def vgg_features() -> dict[str, torch.Tensor]:
    return vgg_state()


def first_blocks(state: dict[str, torch.Tensor], last_index: int) -> dict[str, torch.Tensor]:
    return {k: v for k, v in state.items() if int(k.split(".")[1]) <= last_index}


# --------------------------------------------------------------------------- partial files
def test_partial_file_covers_shallow_layers_only(tmp_path, vgg_features):
    path = tmp_path / "vgg19-first3.pth"
    torch.save(first_blocks(vgg_features, 16), path)  # conv1_1 .. conv3_4, like ../shared's file
    bb = load_backbone("vgg19-caffe", weights=path)
    assert bb.available_layers[-3:] == ("conv3_4", "relu3_4", "pool3")
    x = torch.rand(1, 3, 32, 32)
    feats = bb.extractor(["relu1_1", "relu3_1"])(x)
    assert feats["relu3_1"].shape == (1, 256, 8, 8)
    with pytest.raises(LayerError, match="covers layers up to relu3_4"):
        bb.extractor(["relu3_1", "relu4_1"])
    with pytest.raises(LayerError, match="vgg19-first3.pth"):
        bb.extractor(["relu5_1"])


def test_partial_file_loads_the_same_values(tmp_path, vgg_features):
    torch.save(first_blocks(vgg_features, 7), tmp_path / "two-blocks.pth")
    full = load_backbone("vgg19-caffe", weights="random", seed=0)
    part = load_backbone("vgg19-caffe", weights=tmp_path / "two-blocks.pth")
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(full.extractor(["relu2_2"])(x)["relu2_2"], part.extractor(["relu2_2"])(x)["relu2_2"])


def test_missing_layers_are_never_filled_with_random_values(tmp_path, vgg_features):
    torch.save(first_blocks(vgg_features, 16), tmp_path / "part.pth")
    bb = load_backbone("vgg19-caffe", weights=tmp_path / "part.pth")
    assert bb.module.features[19].weight.is_meta  # conv4_1: never materialised
    assert not bb.module.features[16].weight.is_meta
    assert not bb.has_classifier_weights
    with pytest.raises(WeightsError, match="classification needs the whole network"):
        bb.classify(torch.rand(1, 3, 224, 224))


def test_file_without_the_first_layer_is_rejected(tmp_path, vgg_features):
    state = {k: v for k, v in vgg_features.items() if not k.startswith("features.0.")}
    torch.save(state, tmp_path / "holey.pth")
    with pytest.raises(WeightsError, match="first layer"):
        load_backbone("vgg19-caffe", weights=tmp_path / "holey.pth")


# ------------------------------------------------------------------------------ bad files
@pytest.mark.parametrize(
    "content, message",
    [
        (b"this is not a torch file at all\n" * 10, "not a readable torch weights file"),
        (b"", "not a readable torch weights file"),
    ],
)
def test_non_torch_files_are_weights_errors(tmp_path, content, message):
    path = tmp_path / "bad.pth"
    path.write_bytes(content)
    with pytest.raises(WeightsError, match=message) as info:
        load_backbone("vgg19-caffe", weights=path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_truncated_file_is_a_weights_error(tmp_path, vgg_features):
    path = tmp_path / "truncated.pth"
    torch.save(first_blocks(vgg_features, 7), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(WeightsError, match="truncated.pth: not a readable"):
        load_backbone("vgg19-caffe", weights=path)


def test_wrong_network_wrong_shapes_and_odd_contents(tmp_path, vgg_features):
    cases = {
        "resnet.pth": ({"conv1.weight": torch.zeros(64, 3, 7, 7)}, "none of its keys belong to vgg19-caffe"),
        "extra.pth": ({**first_blocks(vgg_features, 2), "features.3.weight": torch.zeros(1)}, "features.3.weight"),
        "shape.pth": ({"features.0.weight": torch.zeros(32, 3, 3, 3)}, r"shape \(32, 3, 3, 3\).*\(64, 3, 3, 3\)"),
        "list.pth": ([1, 2, 3], "does not hold a state dict"),
        "value.pth": ({"features.0.weight": 3}, "not a tensor"),
    }
    for name, (content, message) in cases.items():
        torch.save(content, tmp_path / name)
        with pytest.raises(WeightsError, match=message):
            load_backbone("vgg19-caffe", weights=tmp_path / name)


def test_pickled_module_is_refused_by_the_safe_loader(tmp_path):
    torch.save(torch.nn.Linear(2, 2), tmp_path / "module.pth")
    with pytest.raises(WeightsError, match="module.pth: not a readable torch weights file"):
        load_backbone("vgg19-caffe", weights=tmp_path / "module.pth")


def test_missing_explicit_file(tmp_path):
    with pytest.raises(WeightsError, match="no such weights file"):
        load_backbone("vgg19", weights=tmp_path / "nope.pth")


def test_wrapped_and_data_parallel_state_dicts_load(tmp_path, vgg_features):
    part = first_blocks(vgg_features, 2)
    torch.save({"state_dict": {f"module.{k}": v for k, v in part.items()}}, tmp_path / "ckpt.pth")
    bb = load_backbone("vgg19", weights=tmp_path / "ckpt.pth")
    assert bb.available_layers[-1] == "pool1"


def test_generic_classifier_loads_whole_files_only(tmp_path):
    bb = load_backbone("resnet18", weights="random", seed=1)
    state = bb.module.state_dict()
    torch.save(state, tmp_path / "whole.pth")
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(load_backbone("resnet18", weights=tmp_path / "whole.pth").classify(x), bb.classify(x))
    state.pop("fc.weight")
    torch.save(state, tmp_path / "resnet18.pth")
    with pytest.raises(WeightsError, match="fc.weight"):
        load_backbone("resnet18", weights=tmp_path / "resnet18.pth")


# --------------------------------------------------------------------- BVLC GoogLeNet files
def bvlc_file_state(with_classifier: bool, with_aux: bool) -> dict[str, torch.Tensor]:
    """A random BVLC GoogLeNet state dict keyed like the circulated Caffe ports."""
    bb = load_backbone("googlenet-bvlc", weights="random")
    bb.classify(torch.rand(1, 3, 64, 64))  # materialise the (random) classifier too
    to_file = bb.spec.key_to_file
    state = {to_file(k): v for k, v in bb.module.state_dict().items()}
    assert "inception_4c_5x5_reduce.weight" in state and len(state) == 116
    if not with_classifier:
        del state["loss3_classifier.weight"], state["loss3_classifier.bias"]
    if with_aux:
        state["loss1_conv.weight"] = torch.zeros(128, 512, 1, 1)
        state["loss2_fc.weight"] = torch.zeros(1024, 2048)
    return state


def test_bvlc_file_with_aux_heads_and_without_classifier(tmp_path):
    torch.save(bvlc_file_state(with_classifier=False, with_aux=True), tmp_path / "bvlc_features.pth")
    bb = load_backbone("googlenet-bvlc", weights=tmp_path / "bvlc_features.pth")
    assert bb.available_layers[-1] == "inception_5b"
    assert bb.extractor(["inception_4c"])(torch.rand(1, 3, 64, 64))["inception_4c"].shape[1] == 512
    assert not bb.has_classifier_weights
    with pytest.raises(WeightsError, match="no classifier weights \\(loss3_classifier"):
        bb.classify(torch.rand(1, 3, 224, 224))


def test_bvlc_file_with_classifier_classifies(tmp_path):
    torch.save(bvlc_file_state(with_classifier=True, with_aux=False), tmp_path / "bvlc.pth")
    bb = load_backbone("googlenet-bvlc", weights=tmp_path / "bvlc.pth")
    assert bb.has_classifier_weights
    assert bb.classify(torch.rand(2, 3, 64, 64)).shape == (2, 1000)


# ----------------------------------------------------------------------------- resolution
@pytest.fixture()
def dirs(tmp_path, monkeypatch):
    env_dir = tmp_path / "env"
    env_dir.mkdir()
    monkeypatch.setenv("GENART_WEIGHTS_DIR", str(env_dir))
    hub = hub_checkpoints_dir()
    hub.mkdir(parents=True)
    return env_dir, hub


def test_hub_cache_honours_torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "th"))
    assert hub_checkpoints_dir() == tmp_path / "th" / "hub" / "checkpoints"


def test_resolution_order(tmp_path, dirs):
    env_dir, hub = dirs
    spec = get_spec("googlenet-bvlc")
    name = spec.weights.filename
    (hub / name).write_bytes(b"hub")
    assert resolve_weights(spec) == hub / name
    assert locate_weights(spec).origin == "hub cache"
    (env_dir / name).write_bytes(b"env")
    assert resolve_weights(spec) == env_dir / name
    assert locate_weights(spec).origin == "GENART_WEIGHTS_DIR"
    explicit = tmp_path / "mine.pth"
    explicit.write_bytes(b"mine")
    assert resolve_weights(spec, explicit) == explicit
    assert resolve_weights(spec, str(explicit)) == explicit
    assert [d for _, d in search_dirs()] == [env_dir, hub]


def test_bare_file_name_is_looked_up_in_the_search_folders(dirs):
    env_dir, _ = dirs
    (env_dir / "vgg19-caffe-conv1_1-conv3_4.pth").write_bytes(b"x")
    assert resolve_weights("vgg19-caffe", "vgg19-caffe-conv1_1-conv3_4.pth") == env_dir / "vgg19-caffe-conv1_1-conv3_4.pth"


def test_offline_missing_weights_name_file_url_and_folder(dirs):
    env_dir, _ = dirs
    with pytest.raises(WeightsUnavailableOffline) as info:
        load_backbone("vgg19-caffe")  # GENART_OFFLINE=1 from conftest
    message = str(info.value)
    assert "vgg19-d01eb7cb.pth" in message
    assert "https://web.eecs.umich.edu/~justincj/models/vgg19-d01eb7cb.pth" in message
    assert str(env_dir) in message
    assert info.value.exit_code == ExitCode.WEIGHTS_OFFLINE == 4


def test_offline_flag_without_weights_dir_names_the_hub_folder(monkeypatch):
    monkeypatch.delenv("GENART_OFFLINE")
    with pytest.raises(WeightsUnavailableOffline, match="hub/checkpoints") as info:
        resolve_weights("alexnet", offline=True)
    assert "alexnet-owt-7be5be79.pth" in str(info.value)


def test_random_weights_never_look_for_a_file(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("looked for a weights file")

    monkeypatch.setattr("genart.models.backbone.resolve_weights", fail)
    assert load_backbone("alexnet", weights="random").weights_path is None
