"""``genart models ...`` through click's CliRunner, on the group object itself."""
from __future__ import annotations

import dataclasses
import hashlib
import json

import click
import pytest
import torch
from click.testing import CliRunner

from genart.cli.models import models
from genart.core.errors import UsageError, WeightsError, WeightsUnavailableOffline
from genart.models import WeightsSource, get_spec, hub_checkpoints_dir, list_specs, load_backbone
from genart.models import registry
from test_weights_download import DIGEST, PAYLOAD, server  # noqa: F401  (the local HTTP server fixture)


def run(*args: str):
    return CliRunner().invoke(models, list(args))


@pytest.fixture()
def weights_dir(tmp_path, monkeypatch):
    folder = tmp_path / "weights"
    folder.mkdir()
    monkeypatch.setenv("GENART_WEIGHTS_DIR", str(folder))
    return folder


def test_every_command_has_help():
    for name, command in models.commands.items():
        assert command.help, name
        result = run(name, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_list_shows_every_backbone_and_its_status(weights_dir):
    (weights_dir / "bvlc_googlenet.pth").write_bytes(b"x" * 2_000_000)
    result = run("list")
    assert result.exit_code == 0, result.output
    backbones = result.stdout.split("\n\n")[0]  # the second table lists the files found
    lines = {line.split()[0]: line for line in backbones.splitlines()[1:]}
    assert set(lines) == {s.name for s in list_specs()}
    assert "cached" in lines["googlenet-bvlc"] and "2.0 MB" in lines["googlenet-bvlc"]
    assert str(weights_dir / "bvlc_googlenet.pth") in lines["googlenet-bvlc"]
    assert "missing" in lines["vgg19"] and "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth" in lines["vgg19"]


def test_list_json(weights_dir):
    (weights_dir / "vgg19-d01eb7cb.pth").write_bytes(b"x")
    rows = {row["name"]: row for row in json.loads(run("list", "--json").stdout)}
    assert rows["vgg19-caffe"]["status"] == "cached" and rows["vgg19-caffe"]["origin"] == "GENART_WEIGHTS_DIR"
    assert rows["vgg19-caffe"]["checksum"].startswith("sha256 prefix d01eb7cb")
    assert rows["alexnet"]["status"] == "missing" and rows["alexnet"]["origin"] == "download"
    assert rows["googlenet-bvlc"]["checksum"] == "no published checksum"


def test_path_prints_the_folders_in_search_order(weights_dir):
    result = run("path")
    assert result.stdout.splitlines() == [str(weights_dir), str(hub_checkpoints_dir())]


def test_layers_table_and_json():
    result = run("layers", "vgg16")
    assert result.exit_code == 0
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    assert [r[0] for r in rows] == list(get_spec("vgg16").layer_names)
    assert ["relu4_3", "512", "relu", "8"] in rows
    data = json.loads(run("layers", "googlenet-bvlc", "--json").stdout)
    assert {"name": "inception_4c", "channels": 512, "kind": "block", "stride": 16} in data


def test_layers_with_a_partial_file(tmp_path):
    bb = load_backbone("vgg19-caffe", weights="random")
    torch.save({k: v for k, v in bb.module.state_dict().items() if k.startswith(("features.0.", "features.2."))}, tmp_path / "p.pth")
    data = json.loads(run("layers", "vgg19-caffe", "--weights", str(tmp_path / "p.pth"), "--json").stdout)
    covered = [row["name"] for row in data if row["available"]]
    assert covered == ["conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1"]


def test_layers_errors():
    assert isinstance(run("layers", "vgg91").exception, UsageError)
    assert isinstance(run("layers", "resnet18").exception, UsageError)  # classification only


def test_download_prints_the_path_and_reports_progress_on_stderr(server, tmp_path, monkeypatch):
    httpd, base = server
    httpd.routes["/w.pth"] = (PAYLOAD, len(PAYLOAD))
    spec = dataclasses.replace(get_spec("alexnet"), weights=WeightsSource(f"a-{DIGEST[:8]}.pth", base + "/w.pth"))
    monkeypatch.setitem(registry._registry(), "alexnet", spec)
    result = run("download", "alexnet", "--to", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / spec.weights.filename)
    assert "downloaded" in result.stderr
    assert (tmp_path / spec.weights.filename).read_bytes() == PAYLOAD


def test_download_offline_is_exit_code_4_error():
    result = run("download", "alexnet")
    assert isinstance(result.exception, WeightsUnavailableOffline)
    assert result.exception.exit_code == 4


def test_verify_checks_hash_prefix_and_loading(weights_dir):
    bb = load_backbone("vgg19-caffe", weights="random")
    state = {k: v for k, v in bb.module.state_dict().items() if k.startswith("features.0.")}
    good = weights_dir / "vgg19-d01eb7cb.pth"
    torch.save(state, good)
    digest = hashlib.sha256(good.read_bytes()).hexdigest()
    result = run("verify", "vgg19-caffe")  # the real file's hash is d01eb7cb..., ours is not
    assert isinstance(result.exception, WeightsError)
    assert "mismatch" in result.stdout and "FAILED" in result.stdout
    spec = dataclasses.replace(get_spec("vgg19-caffe"), weights=WeightsSource(f"v-{digest[:8]}.pth", None))
    good.rename(weights_dir / spec.weights.filename)
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(registry._registry(), "vgg19-caffe", spec)
        result = run("verify", "--json")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert result.exit_code == 0, result.output
    assert rows["vgg19-caffe"]["checksum"] == "ok" and rows["vgg19-caffe"]["loads"]
    assert "layers up to relu1_1" in rows["vgg19-caffe"]["detail"]


def test_verify_reports_a_file_that_does_not_load(weights_dir):
    (weights_dir / "bvlc_googlenet.pth").write_bytes(b"garbage")
    result = run("verify", "googlenet-bvlc")
    assert isinstance(result.exception, WeightsError)
    assert "no published checksum" in result.stdout and "not a readable torch weights file" in result.stdout


def test_verify_missing_named_file_fails():
    result = run("verify", "alexnet")
    assert isinstance(result.exception, WeightsError) and "not on disk" in result.stdout


def test_group_is_a_click_group():
    assert isinstance(models, click.Group)
    assert {"list", "download", "verify", "path", "layers"} <= set(models.commands)


def test_list_shows_the_weights_files_found_and_what_they_cover(shared_dir, weights_dir):
    import shutil

    for name in ("vgg19-caffe-conv1_1-conv3_4.pth", "bvlc_googlenet.pth"):
        shutil.copy(shared_dir / "weights" / name, weights_dir / name)
    (weights_dir / "notes.pth").write_bytes(b"not weights")
    result = run("list")
    assert result.exit_code == 0, result.output
    files = {line.split()[0]: line for line in result.stdout.split("\n\n")[1].splitlines()[1:]}
    assert "vgg19-caffe" in files["vgg19-caffe-conv1_1-conv3_4.pth"]
    assert "up to relu3_4 (partial)" in files["vgg19-caffe-conv1_1-conv3_4.pth"]
    assert "googlenet-bvlc" in files["bvlc_googlenet.pth"] and "the whole network" in files["bvlc_googlenet.pth"]
    assert "not a readable torch weights file" in files["notes.pth"]
    rows = {row["name"]: row for row in json.loads(run("list", "--json").stdout)}
    assert rows["vgg19-caffe"]["files"][0]["deepest"] == "relu3_4" and rows["vgg19-caffe"]["files"][0]["partial"]
