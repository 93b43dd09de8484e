"""`genart rules NAME` through the real entry point: seeds as jobs, formats, stdout, errors."""
from __future__ import annotations

import io
import json
import sys

import numpy as np
import pytest
from PIL import Image

from genart.cli.main import main
from genart.imageio import read_metadata
from helpers import run_cli as run


def test_count_makes_one_picture_per_seed_and_resumes(tmp_path, monkeypatch, capsys):
    args = ["rules", "mondrian", "--count", "3", "--seed", "5", "--size", "96", "-o", str(tmp_path / "grid"), "--json"]
    code, out, err = run(args, monkeypatch, capsys)
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "grid").iterdir())
    assert names == ["mondrian_0005.svg", "mondrian_0006.svg", "mondrian_0007.svg"]
    svgs = [(tmp_path / "grid" / n).read_bytes() for n in names]
    assert len(set(svgs)) == 3 and all(b"<path" in s or b"<rect" in s for s in svgs)
    assert [json.loads(line)["result"]["seed"] for line in out.splitlines()] == [5, 6, 7]
    (tmp_path / "grid" / "mondrian_0006.svg").unlink()
    code, out, _ = run(args, monkeypatch, capsys)
    assert [json.loads(line)["status"] for line in out.splitlines()] == ["skipped", "ok", "skipped"]
    assert (tmp_path / "grid" / "mondrian_0006.svg").read_bytes() == svgs[1]  # same seed, same bytes


def test_png_at_any_size_records_its_settings(tmp_path, monkeypatch, capsys):
    out = tmp_path / "m.png"
    code, _, err = run(["rules", "mondrian", "--seed", "3", "--size", "300", "-o", str(out)], monkeypatch, capsys)
    assert code == 0, err
    with Image.open(out) as im:
        assert max(im.size) == 300
    meta = read_metadata(out)
    assert meta["command"] == "rules/mondrian" and meta["config"]["seed"] == 3


def test_svg_to_stdout(monkeypatch, capsysbinary):
    monkeypatch.setattr(sys, "argv", ["genart", "rules", "ridgelines", "--rows", "8", "-o", "-", "-q"])
    with pytest.raises(SystemExit) as info:
        main(["rules", "ridgelines", "--rows", "8", "-o", "-", "-q"])
    assert info.value.code == 0
    svg = capsysbinary.readouterr().out
    assert svg.startswith(b"<svg ") and svg.rstrip().endswith(b"</svg>")


def test_rules_on_the_command_line_and_big_numbers(tmp_path, monkeypatch, capsys):
    code, out, _ = run(["rules", "lsystem", "--axiom", "F", "--rule", "F=F+F-F-F+F", "--rule", "G=GG", "--angle", "90",
                        "--iterations", "4", "--print-config"], monkeypatch, capsys)
    assert code == 0 and "F=F+F-F-F+F,G=GG" in out
    code, out, _ = run(["rules", "attractor", "--points", "1e8", "--print-config"], monkeypatch, capsys)
    assert code == 0 and "100000000" in out


@pytest.mark.parametrize("args, message", [
    (["lsystem", "--rule", "F=FF", "--iterations", "40"], "max_segments"),
    (["lsystem", "--rule", "FF"], "rule"),
    (["lsystem", "--preset", "fren"], "did you mean 'fern'"),
    (["attractor", "--kind", "custom", "--formula-x", "__import__('os').system('true')"], "formula"),
    (["mondrian", "-o", "x.txt"], "x.txt"),
])
def test_bad_rules_are_one_line_and_exit_2(args, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["rules", *args], monkeypatch, capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert list(tmp_path.iterdir()) == []


def test_a_mondrian_map_is_a_doodle_map(tmp_path, monkeypatch, capsys):
    sem = tmp_path / "m_sem.png"
    code, _, err = run(["rules", "mondrian", "--seed", "3", "--size", "64", "--as-map", "-o", str(sem)], monkeypatch, capsys)
    assert code == 0, err
    colours = np.unique(np.asarray(Image.open(sem).convert("RGB")).reshape(-1, 3), axis=0)
    assert 2 <= len(colours) <= 8  # flat regions, no antialiased blends
    painting = tmp_path / "painting.png"
    Image.fromarray((np.random.RandomState(0).rand(48, 64, 3) * 255).astype(np.uint8)).save(painting)
    Image.open(sem).resize((64, 48), Image.NEAREST).save(tmp_path / "painting_sem.png")
    code, _, err = run(["doodle", str(sem), "-s", str(painting), "--weights", "random", "--model", "vgg19-caffe",
                        "--style-layers", "relu1_1", "--size", "32", "--phases", "1", "--iterations", "1",
                        "-o", str(tmp_path / "m_painted.png")], monkeypatch, capsys)
    assert code == 0, err and (tmp_path / "m_painted.png").is_file()
