"""`genart doodle` through the real entry point (random-init weights, tiny images)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from helpers import random_png
from helpers import run_cli as run
from genart.imageio import read_metadata

TINY = ["--model", "vgg19-caffe", "--weights", "random", "--size", "32", "--phases", "1", "--iterations", "2",
        "--style-layers", "relu1_1,relu2_1", "--content-layers", "relu2_1", "-q"]


def _map(path, colours, size=(24, 32)):
    """Vertical bands of flat colours."""
    arr = np.zeros((*size, 3), np.uint8)
    for i, c in enumerate(colours):
        arr[:, i * size[1] // len(colours) : (i + 1) * size[1] // len(colours)] = c
    Image.fromarray(arr).save(path)
    return str(path)


@pytest.fixture
def files(tmp_path):
    return {
        "style": str(random_png(tmp_path / "Monet.png", 0, (24, 32))),
        "style_map": _map(tmp_path / "Monet_sem.png", [(255, 255, 255), (0, 0, 255)]),
        "doodle": _map(tmp_path / "Coast_sem.png", [(0, 0, 255), (255, 255, 255)]),
        "bad": _map(tmp_path / "Bad_sem.png", [(0, 255, 0), (255, 255, 255)]),
        "photo": str(random_png(tmp_path / "photo.png", 1, (24, 32))),
    }


def test_paints_a_doodle_with_the_sem_convention_and_records_params(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.png"
    code, stdout, _ = run(["doodle", files["doodle"], "--style", files["style"], "-o", str(out), "--json", *TINY],
                          monkeypatch, capsys)
    assert code == 0
    assert Image.open(out).size == (32, 24)
    record = json.loads(stdout.strip().splitlines()[-1])
    assert record["status"] == "ok"
    meta = read_metadata(out)
    assert meta["command"] == "doodle" and meta["style_map"].endswith("Monet_sem.png")
    assert meta["config"]["phases"] == 1 and meta["target_map"].endswith("Coast_sem.png")
    assert meta["config"]["stop_tolerance"] == 0.01 and meta["iterations_run"] == [2]  # one phase, 2 steps


def test_colour_missing_from_the_style_map_is_a_usage_error(files, tmp_path, monkeypatch, capsys):
    code, _, err = run(["doodle", "--target-map", files["bad"], "--style", files["style"], "-o",
                        str(tmp_path / "x.png"), *TINY], monkeypatch, capsys)
    assert code == 2  # the usage error of the only job sets the exit code
    assert "#00ff00" in err
    assert str(files["bad"]) in err  # the error names the doodle's file
    assert not (tmp_path / "x.png").exists()


def test_texture_and_content_modes(files, tmp_path, monkeypatch, capsys):
    code, _, _ = run(["doodle", "--style", files["style"], "-o", str(tmp_path / "tex.png"), *TINY],
                     monkeypatch, capsys)
    assert code == 0 and Image.open(tmp_path / "tex.png").size == (32, 24)
    code, _, _ = run(["doodle", "--style", files["style"], "--content", files["photo"], "--auto-map",
                      "--regions", "2", "-o", str(tmp_path / "c.png"), *TINY], monkeypatch, capsys)
    assert code == 0 and Image.open(tmp_path / "c.png").size == (32, 24)


def test_print_config_and_presets(files, monkeypatch, capsys):
    code, stdout, _ = run(["doodle", "--style", files["style"], "--preset", "vgg19-partial", "--print-config"],
                          monkeypatch, capsys)
    assert code == 0
    assert "relu2_1" in stdout and "vgg19-caffe" in stdout


def test_save_every_writes_intermediates_beside_the_output_and_v_shows_the_legend(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "o" / "coast.png"
    code, _, err = run(["doodle", files["doodle"], "--style", files["style"], "-o", str(out), "--save-every", "1",
                        *[a for a in TINY if a != "-q"], "-v"], monkeypatch, capsys)
    assert code == 0, err
    frames = sorted(p.name for p in out.parent.iterdir() if p.name != "coast.png")
    assert frames and all(name.startswith("coast_") and name.endswith(".png") for name in frames)
    assert read_metadata(out.parent / frames[0])["intermediate"] in frames[0]
    assert "#0000ff" in err  # the legend of regions, shown with -v
