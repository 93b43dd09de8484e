"""`genart style` through the real entry point (random-init weights, tiny images)."""
from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from PIL import Image

from genart.cli.main import main
from helpers import random_png
from helpers import run_cli as run
from genart.imageio import read_metadata

TINY = ["--model", "vgg19-caffe", "--weights", "random", "--size", "40", "--no-pyramid", "--iterations", "2",
        "--style-layers", "relu1_1,relu2_1", "--content-layers", "relu2_1", "-q"]


@pytest.fixture
def files(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    return {
        "photo": random_png(photos / "a.png", 0),
        "photo2": random_png(photos / "b.png", 1),
        "starry": random_png(tmp_path / "starry.png", 2, (40, 40)),
        "scream": random_png(tmp_path / "scream.png", 3, (44, 36)),
        "mask": random_png(tmp_path / "mask.png", 4),
    }


def test_style_writes_an_image_with_its_settings(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.png"
    code, stdout, _ = run(["style", str(files["photo"]), "-s", str(files["starry"]), "-o", str(out), "--json",
                           "--style-weight", "5", *TINY], monkeypatch, capsys)
    assert code == 0, stdout
    record = json.loads(stdout)
    assert record["status"] == "ok" and record["result"] == {"width": 40, "height": 30}
    with Image.open(out) as im:
        assert im.size == (40, 30)
    meta = read_metadata(out)
    assert meta["config"]["style_weight"] == 5.0 and meta["config"]["iterations"] == 2
    assert meta["style"] == [str(files["starry"])]
    code, _, err = run(["style", str(files["photo"]), "-s", str(files["starry"]), "-o", str(out), *TINY],
                       monkeypatch, capsys)
    assert code == 1 and "exists" in err


def test_folder_of_photos_times_two_styles_and_resume(files, tmp_path, monkeypatch, capsys):
    outdir = tmp_path / "styled"
    args = ["style", str(files["photo"].parent), "-s", str(files["starry"]), "-s", str(files["scream"]),
            "-o", str(outdir), "--json", *TINY]
    code, stdout, _ = run(args, monkeypatch, capsys)
    assert code == 0
    assert sorted(p.name for p in outdir.iterdir()) == ["a_scream.png", "a_starry.png", "b_scream.png", "b_starry.png"]
    assert [json.loads(line)["status"] for line in stdout.splitlines()] == ["ok"] * 4
    (outdir / "b_scream.png").unlink()
    code, stdout, _ = run(args, monkeypatch, capsys)
    statuses = [json.loads(line)["status"] for line in stdout.splitlines()]
    assert code == 0 and statuses.count("skipped") == 3 and statuses.count("ok") == 1


def test_blend_with_masks_and_intermediates(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "blend.png"
    blend = f"{files['starry']},{files['scream']}"
    code, _, err = run(["style", str(files["photo"]), "-s", blend, "--style-mask", f"{files['mask']},none",
                        "--style-blend-weights", "2,1", "--save-every", "1", "-o", str(out),
                        *[a if a != "2" else "3" for a in TINY]], monkeypatch, capsys)
    assert code == 0, err
    assert read_metadata(out)["style_mask"] == [str(files["mask"]), None]
    assert sorted(p.name for p in tmp_path.glob("blend_*.png")) == ["blend_scale1-step0001.png", "blend_scale1-step0002.png"]


def test_usage_errors_exit_2(files, tmp_path, monkeypatch, capsys):
    base = ["style", str(files["photo"]), "-o", str(tmp_path / "x.png"), *TINY]
    code, _, err = run([*base, "-s", str(files["starry"]), "--style-mask", "a.png,b.png"], monkeypatch, capsys)
    assert code == 2 and "2 masks for 1 style" in err
    code, _, err = run([*base, "-s", str(files["starry"]), "--style-layers", "relu9_9"], monkeypatch, capsys)
    assert code == 2 and "relu9_9" in err
    code, _, err = run([*base, "-s", str(files["starry"]), "--style-blend-weights", "1,2"], monkeypatch, capsys)
    assert code == 2 and "blend" in err
    code, _, err = run([*base, "-s", str(files["starry"]), "--init", "image"], monkeypatch, capsys)
    assert code == 2 and "--init-image" in err


def test_print_config_and_help(monkeypatch, capsys):
    code, stdout, _ = run(["style", "x.png", "-s", "y.png", "--preset", "gatys", "--iterations", "7", "--print-config"],
                          monkeypatch, capsys)
    assert code == 0 and "vgg19-caffe" in stdout and "7" in stdout
    code, stdout, _ = run(["style", "--help"], monkeypatch, capsys)
    for flag in ("--style-weight", "--content-weight", "--tv-weight", "--style-layers", "--content-layers",
                 "--style-blend-weights", "--style-scale", "--iterations", "--optimizer", "--learning-rate",
                 "--init", "--pooling", "--size", "--seed", "--model", "--weights", "--style-mask", "--color"):
        assert flag in stdout, flag


def test_stdin_to_stdout(files, monkeypatch, capsysbinary):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(files["photo"].read_bytes())))
    monkeypatch.setattr(sys, "argv", ["genart", "style", "-", "-s", str(files["starry"]), "-o", "-", *TINY])
    with pytest.raises(SystemExit) as info:
        main(["style", "-", "-s", str(files["starry"]), "-o", "-", *TINY])
    assert info.value.code == 0
    with Image.open(io.BytesIO(capsysbinary.readouterr().out)) as im:
        assert im.size == (40, 30) and im.format == "PNG"


def test_transparency_of_the_photo_is_restored(tmp_path, monkeypatch, capsys):
    rgba = np.zeros((36, 48, 4), dtype=np.uint8)
    rgba[..., :3] = (np.random.RandomState(3).rand(36, 48, 3) * 255).astype(np.uint8)
    rgba[:, :24, 3] = 255  # left half opaque, right half transparent
    Image.fromarray(rgba, "RGBA").save(tmp_path / "cut.png")
    style = random_png(tmp_path / "s.png", 4)
    out = tmp_path / "out.png"
    code, _, err = run(["style", str(tmp_path / "cut.png"), "-s", str(style), "-o", str(out), *TINY], monkeypatch, capsys)
    assert code == 0, err
    with Image.open(out) as result:
        assert result.mode == "RGBA"
        alpha = np.asarray(result)[..., 3]
    assert alpha[:, : alpha.shape[1] // 2 - 2].min() > 200 and alpha[:, alpha.shape[1] // 2 + 2 :].max() < 50


def test_a_layer_beyond_the_weights_fails_once_before_any_job(tmp_path, monkeypatch, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(3):
        random_png(photos / f"p{i}.png", i)
    style = random_png(tmp_path / "s.png", 9)
    args = [a if a != "relu1_1,relu2_1" else "relu1_1,relu9_9" for a in TINY]
    code, out, err = run(["style", str(photos), "-s", str(style), "-o", str(tmp_path / "out"), "--json", *args],
                         monkeypatch, capsys)
    assert code == 2 and out == ""  # no job ran, so no JSON lines
    assert err.count("relu9_9") == 1
    assert not (tmp_path / "out").exists()


def test_stop_tolerance_and_the_iterations_each_scale_ran_are_recorded(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.png"
    flags = [a if a != "2" else "40" for a in TINY]  # 40 iterations: room to stop early
    code, stdout, _ = run(["style", str(files["photo"]), "-s", str(files["starry"]), "-o", str(out),
                           "--stop-tolerance", "0.05", "--stop-window", "3", *flags], monkeypatch, capsys)
    assert code == 0, stdout
    meta = read_metadata(out)
    assert meta["config"]["stop_tolerance"] == 0.05 and meta["config"]["stop_window"] == 3
    assert len(meta["iterations_run"]) == 1 and 3 < meta["iterations_run"][0] < 40
