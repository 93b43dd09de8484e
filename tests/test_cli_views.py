"""--web, --sheet, `genart sheet` and `genart gallery` through the real entry point."""
from __future__ import annotations

import socket
import sys

import pytest
from PIL import Image

from genart.imageio import read_metadata
from helpers import random_png
from helpers import run_cli as run

STYLE_TINY = ["--model", "vgg19-caffe", "--weights", "random", "--size", "40", "--no-pyramid", "--iterations", "1",
              "--style-layers", "relu1_1", "--content-layers", "relu1_1", "-q"]


@pytest.fixture
def styled(tmp_path, monkeypatch, capsys):
    """A small style batch: 2 photos x 2 styles, written with --sheet."""
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(2):
        random_png(photos / f"p{i}.png", i, (36, 48))
    styles = [random_png(tmp_path / f"s{i}.png", 10 + i, (40, 40)) for i in range(2)]
    out = tmp_path / "styled"
    sheet = tmp_path / "batch_sheet.png"
    code, _, err = run(["style", str(photos), "-s", str(styles[0]), "-s", str(styles[1]), "-o", str(out),
                        "--sheet", str(sheet), *STYLE_TINY], monkeypatch, capsys)
    assert code == 0, err
    return out, sheet


def test_sheet_of_a_batch_and_of_a_folder(styled, tmp_path, monkeypatch, capsys):
    out, sheet = styled
    with Image.open(sheet) as im:
        width, height = im.size
    assert width > height > 256  # a table: 2 rows (inputs) x input + 2 style columns, with heads
    code, _, err = run(["sheet", str(out), "-o", str(tmp_path / "again.png")], monkeypatch, capsys)
    assert code == 0, err and (tmp_path / "again.png").is_file()
    assert read_metadata(tmp_path / "again.png")["command"] == "sheet"
    code, _, err = run(["sheet", str(tmp_path / "photos")], monkeypatch, capsys)
    assert code == 1 and "no images written by genart" in err


def test_gallery_of_a_folder_refreshes(styled, tmp_path, monkeypatch, capsys):
    out, _ = styled
    gallery = tmp_path / "gallery"
    for _ in range(2):  # running again refreshes the page
        code, _, err = run(["gallery", str(out), "-o", str(gallery)], monkeypatch, capsys)
        assert code == 0, err
    html = (gallery / "index.html").read_text()
    assert html.count("p0_s0") >= 1 and "genart style" in html
    assert err.strip().splitlines()[-1] == f"wrote {gallery}"
    not_a_gallery = tmp_path / "photos"
    code, _, err = run(["gallery", str(out), "-o", str(not_a_gallery)], monkeypatch, capsys)
    assert code == 1 and "photos" in err and (not_a_gallery / "p0.png").is_file()


def test_web_without_the_extra_says_how_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "starlette", None)
    code, _, err = run(["dream", str(tmp_path / "x.png"), "--web"], monkeypatch, capsys)
    assert code == 2 and "pip install 'genart[web]'" in err


def test_web_on_a_port_in_use_is_one_line(tmp_path, monkeypatch, capsys):
    pytest.importorskip("uvicorn")
    photo = random_png(tmp_path / "p.png", 0, (36, 48))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = run(["dream", str(photo), "--weights", "random", "--web", "--web-port", str(port),
                            "-o", str(tmp_path / "d.png")], monkeypatch, capsys)
    assert code != 0 and str(port) in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "d.png").exists()


def test_web_prints_its_address_and_the_run_completes(tmp_path, monkeypatch, capsys):
    pytest.importorskip("uvicorn")
    photo = random_png(tmp_path / "p.png", 0, (36, 48))
    code, _, err = run(["dream", str(photo), "--weights", "random", "--octaves", "1", "--iterations", "1", "--web",
                        "-o", str(tmp_path / "d.png")], monkeypatch, capsys)
    assert code == 0, err
    assert "live view: http://127.0.0.1:" in err and (tmp_path / "d.png").is_file()
