"""The README's examples are true: each genart command line in it parses, with its presets
and options, and the zoom example writes what its comment says."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genart import registry
from helpers import run_cli

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[list[str]]:
    """Every `genart ...` command in the README's sh blocks, continuation lines joined,
    comments and redirections dropped, as argument lists after `genart`."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.S)
    out = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            if "genart " not in line or line.strip().startswith("pip "):
                continue
            line = line.split("#")[0]
            line = line[line.index("genart ") + len("genart "):].split(">")[0].split("|")[0]
            out.append(shlex.split(line))
    return out


COMMANDS = readme_commands()


def test_the_readme_has_examples_of_every_art_command():
    used = {args[0] for args in COMMANDS}
    assert {"style", "dream", "doodle", "classify"} <= used


def registered(args: list[str]) -> bool:
    return args[0] in registry.names() or "/".join(args[:2]) in registry.names()


@pytest.mark.parametrize("args", [a for a in COMMANDS if registered(a)], ids=" ".join)
def test_readme_command_lines_parse_with_their_presets(args, monkeypatch, capsys):
    code, out, err = run_cli([*args, "--print-config"], monkeypatch, capsys)
    assert code == 0, err
    assert "# default" in out  # the settings table, with where each value came from


def test_zoom_example_writes_the_gif_and_its_frames_folder(tmp_path, monkeypatch, capsys):
    zoom = next(a for a in COMMANDS if "zoom" in a)
    assert zoom[zoom.index("-o") + 1] == "zoom.gif"
    photo = tmp_path / "photo.jpg"
    Image.fromarray((np.random.RandomState(0).rand(40, 48, 3) * 255).astype(np.uint8)).save(photo)
    monkeypatch.chdir(tmp_path)
    tiny = ["--weights", "random", "--frames", "2", "--octaves", "1", "--iterations", "1", "-q"]
    code, _, err = run_cli([*zoom, *tiny], monkeypatch, capsys)
    assert code == 0, err
    assert (tmp_path / "zoom.gif").is_file()
    assert sorted(p.name for p in (tmp_path / "zoom_frames").iterdir()) == ["zoom_00000.png", "zoom_00001.png"]
