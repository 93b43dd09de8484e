"""`genart dream` through the real entry point (random-init weights, tiny images)."""
from __future__ import annotations

import io
import json
import sys

import numpy as np
import pytest
from PIL import Image

from genart.cli.main import main
from helpers import run_cli as run
from genart.imageio import read_metadata

TINY = ["--weights", "random", "--octaves", "1", "--iterations", "1", "--jitter", "2"]


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "in.png"
    pixels = (np.random.RandomState(0).rand(40, 56, 3) * 255).astype(np.uint8)
    Image.fromarray(pixels).save(path)
    return path


def test_dream_writes_an_image_with_its_settings(photo, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.png"
    code, stdout, _ = run(["dream", str(photo), "-o", str(out), "--json", "--preset", "shallow", *TINY], monkeypatch, capsys)
    assert code == 0
    assert json.loads(stdout)["result"] == {"width": 56, "height": 40}
    with Image.open(out) as im:
        assert im.size == (56, 40)
        assert np.abs(np.asarray(im, np.float32) - np.asarray(Image.open(photo), np.float32)).mean() > 0.1
    config = read_metadata(out)["config"]
    assert config["layers"] == ["inception_3b"] and config["iterations"] == 1  # preset < flag
    code, _, err = run(["dream", str(photo), "-o", str(out), *TINY], monkeypatch, capsys)
    assert code == 1 and "exists" in err


def test_size_resizes_the_input(photo, tmp_path, monkeypatch, capsys):
    out = tmp_path / "big.png"
    code, _, _ = run(["dream", str(photo), "-o", str(out), "--size", "80", *TINY, "-q"], monkeypatch, capsys)
    assert code == 0
    with Image.open(out) as im:
        assert im.size == (80, 57)


def test_print_config_shows_preset_and_flags(monkeypatch, capsys):
    code, stdout, _ = run(["dream", "x.png", "--preset", "class", "--label", "tabby", "--print-config"], monkeypatch, capsys)
    assert code == 0
    assert "tabby" in stdout and "laplacian" in stdout


def test_unknown_label_is_a_usage_error_with_suggestions(photo, tmp_path, monkeypatch, capsys):
    code, _, err = run(["dream", str(photo), "-o", str(tmp_path / "o.png"), "--label", "great dan", *TINY], monkeypatch, capsys)
    assert code == 2 and "Great Dane" in err


def test_frames_write_an_animation_and_resume(photo, tmp_path, monkeypatch, capsys):
    gif = tmp_path / "zoom.gif"
    args = ["dream", str(photo), "-o", str(gif), "--frames", "3", "--zoom", "1.1", *TINY]
    code, _, _ = run(args + ["-q"], monkeypatch, capsys)
    assert code == 0
    frames = sorted((tmp_path / "zoom_frames").iterdir())
    assert [f.name for f in frames] == ["zoom_00000.png", "zoom_00001.png", "zoom_00002.png"]
    with Image.open(gif) as anim:
        assert anim.n_frames == 3
    last = np.asarray(Image.open(frames[2]))
    frames[2].unlink()
    gif.unlink()
    code, _, err = run(args, monkeypatch, capsys)
    assert code == 0 and "resuming after 2 frame(s)" in err
    assert np.array_equal(np.asarray(Image.open(frames[2])), last)  # the same frame again


def test_frames_refuse_stdout(photo, monkeypatch, capsys):
    code, _, err = run(["dream", str(photo), "-o", "-", "--frames", "2", *TINY], monkeypatch, capsys)
    assert code == 2 and "stdout" in err


def test_stdin_to_stdout(photo, monkeypatch, capsysbinary):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(photo.read_bytes())))
    monkeypatch.setattr(sys, "argv", ["genart", "dream", "-", "-o", "-", "-q", *TINY])
    with pytest.raises(SystemExit) as info:
        main(["dream", "-", "-o", "-", "-q", *TINY])
    assert info.value.code == 0
    with Image.open(io.BytesIO(capsysbinary.readouterr().out)) as im:
        assert im.format == "PNG" and im.size == (56, 40)


def test_resized_dream_keeps_the_transparency(tmp_path, monkeypatch, capsys):
    rgba = np.zeros((40, 56, 4), dtype=np.uint8)
    rgba[..., :3] = 128
    rgba[20:, :, 3] = 255  # bottom half opaque
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    out = tmp_path / "d.png"
    code, _, err = run(["dream", str(tmp_path / "a.png"), "--size", "84", "-o", str(out), *TINY], monkeypatch, capsys)
    assert code == 0, err
    with Image.open(out) as result:
        assert result.size == (84, 60) and result.mode == "RGBA"
        alpha = np.asarray(result)[..., 3]
    assert alpha[:25].max() < 50 and alpha[35:].min() > 200


def test_visualize_renders_a_labelled_channel_atlas_without_inputs(tmp_path, monkeypatch, capsys):
    out = tmp_path / "atlas.png"
    args = ["dream", "--visualize", "inception_3a", "--grid", "2x3", "--atlas-size", "32", "--atlas-steps", "2",
            "--weights", "random", "-o", str(out), "--json"]
    code, stdout, err = run(args, monkeypatch, capsys)
    assert code == 0, err
    record = json.loads(stdout)
    assert record["input"] == "atlas_inception_3a" and record["status"] == "ok"
    with Image.open(out) as im:
        assert im.width > im.height > 2 * 32  # 3 columns, 2 rows, labels under the tiles
    assert read_metadata(out)["config"]["visualize"] == "inception_3a"
    code, _, err = run([*args[:3], str(out)], monkeypatch, capsys)
    assert code == 2 and "no input images" in err
