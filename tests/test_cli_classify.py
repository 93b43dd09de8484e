"""`genart classify` end to end: random-init weights for mechanics, real ones for labels."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from helpers import EXPECTED_TOP1
from helpers import run_cli as run



@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in ("a.png", "b.jpg", "c.webp"):
        Image.fromarray(rng.integers(0, 255, (40, 56, 3), dtype=np.uint8)).save(folder / name)
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    return folder


RANDOM = ["--model", "googlenet-bvlc", "--weights", "random"]


def test_batch_json_lines_continue_past_bad_file(photos, monkeypatch, capsys):
    code, out, err = run(["classify", str(photos), *RANDOM, "--json", "--topk", "3", "--batch-size", "2"], monkeypatch, capsys)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 3
    assert [r["status"] for r in rows] == ["ok", "ok", "failed", "ok"]  # a, b, broken, c
    ok = rows[0]
    assert len(ok["result"]) == 3 and [p["rank"] for p in ok["result"]] == [1, 2, 3]
    probs = [p["probability"] for p in ok["result"]]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1.0 + 1e-6
    assert "broken.png" in rows[2]["error"]
    assert "broken.png" in err and "1 failed" in err


def test_csv_and_table_formats(photos, monkeypatch, capsys):
    code, out, _ = run(["classify", str(photos / "a.png"), *RANDOM, "--format", "csv", "--topk", "2"], monkeypatch, capsys)
    lines = out.splitlines()
    assert code == 0 and lines[0] == "input,rank,label,probability,index" and len(lines) == 3
    code, out, _ = run(["classify", str(photos / "a.png"), *RANDOM, "--topk", "2"], monkeypatch, capsys)
    assert code == 0 and out.splitlines()[0].endswith("a.png") and len(out.splitlines()) == 3


def test_stdin(photos, monkeypatch, capsys):
    data = (photos / "b.jpg").read_bytes()
    code, out, _ = run(["classify", "-", *RANDOM, "--format", "jsonl"], monkeypatch, capsys, stdin=data)
    row = json.loads(out)
    assert code == 0 and row["input"] == "<stdin>" and len(row["result"]) == 5


def test_offline_missing_weights_is_exit_4(photos, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("GENART_WEIGHTS_DIR", str(tmp_path / "empty"))
    code, out, err = run(["classify", str(photos / "a.png"), "--offline"], monkeypatch, capsys)
    assert code == 4 and out == ""
    assert "bvlc_googlenet.pth" in err and "http" in err and err.count("\n") == 1


def test_all_bad_is_exit_1(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "x.jpg"
    bad.write_text("not an image")
    code, _, err = run(["classify", str(bad), *RANDOM], monkeypatch, capsys)
    assert code == 1 and "x.jpg" in err


def test_real_googlenet_labels(shared_dir, monkeypatch, capsys):
    monkeypatch.setenv("GENART_WEIGHTS_DIR", str(shared_dir / "weights"))
    photos = shared_dir / "images" / "photos"
    code, out, _ = run(["classify", str(photos), "--json", "--topk", "5"], monkeypatch, capsys)
    assert code == 0
    rows = {json.loads(line)["input"].rsplit("/", 1)[-1]: json.loads(line) for line in out.splitlines()}
    for name, label in EXPECTED_TOP1.items():
        assert rows[name]["result"][0]["label"] == label, (name, rows[name]["result"][:3])
    hopper = [p["label"] for p in rows["grace_hopper.bmp"]["result"]]
    assert "military uniform" in hopper
