"""The command registry: a new command is one module plus one registration line.

The throw-away command below is written as a single module (config, declaration and
runner) into a temporary folder, registered, and then used the way a user would: it
shows in --help, takes presets and environment variables, is listed in the settings
reference and the public API, and runs generated jobs with naming, resume and --json.
"""
from __future__ import annotations

import json
import os
import textwrap

import numpy as np
import pytest
from PIL import Image

import genart
from genart import registry
from genart.configdoc import settings_markdown
from genart.presets import resolve
from helpers import run_cli

MODULE = '''
"""A throw-away command: flat grey images whose level comes from the seed."""
from dataclasses import dataclass

from genart.core.command import Command, Inputs, Output
from genart.core.config import param
from genart.engine.runner import Runner


@dataclass(frozen=True)
class GreyConfig:
    size: int = param(8, "Side of the image (px).", min=1)
    seed: int = param(0, "First seed.")


def grey(seed: int, config: GreyConfig):
    import numpy as np
    return np.full((config.size, config.size, 3), (seed * 40) % 256, dtype=np.uint8)


class GreyRunner(Runner):
    loads = 0

    def load(self):
        type(self).loads += 1

    def process(self, job):
        import torch
        image = torch.from_numpy(grey(job.item.seed, self.config)).permute(2, 0, 1)[None].float() / 255
        return self.save_image(job, image, seed=job.item.seed)


COMMAND = Command(
    name="{name}",
    config=GreyConfig,
    runner="{module}:GreyRunner",
    summary="Flat grey squares (a test command).",
    inputs=Inputs.SEEDS,
    output=Output(template="{{stem}}"),
    api={{"grey": "{module}:grey", "GreyConfig": "{module}:GreyConfig"}},
)
'''


@pytest.fixture
def grey(tmp_path, monkeypatch):
    """Registers the throw-away command as ``grey`` and ``toy/grey`` for one test."""
    folder = tmp_path / "plugin"
    folder.mkdir()
    for name, module in (("grey", "grey_command"), ("toy/grey", "toy_grey_command")):
        (folder / f"{module}.py").write_text(textwrap.dedent(MODULE.format(name=name, module=module)))
    monkeypatch.syspath_prepend(str(folder))
    registry.register("grey", "grey_command")  # the one line a new command needs
    registry.register("toy/grey", "toy_grey_command")
    yield
    registry.unregister("grey")
    registry.unregister("toy/grey")
    for name in ("grey", "GreyConfig"):
        genart.__dict__.pop(name, None)


def test_a_registered_command_appears_everywhere(grey, monkeypatch, capsys, tmp_path):
    code, out, _ = run_cli(["--help"], monkeypatch, capsys)
    assert code == 0 and "Flat grey squares" in out and "toy" in out
    code, out, _ = run_cli(["toy", "--help"], monkeypatch, capsys)
    assert code == 0 and "grey" in out
    assert "## genart grey" in settings_markdown() and "## genart toy grey" in settings_markdown()
    assert "GENART_TOY_GREY_SIZE" in settings_markdown()
    assert genart.grey(3, genart.GreyConfig(size=2)).shape == (2, 2, 3)
    monkeypatch.setenv("GENART_GREY_SIZE", "5")
    presets = tmp_path / "presets" / "grey"
    presets.mkdir(parents=True)
    (presets / "big.yaml").write_text("description: Big squares.\nparams:\n  size: 12\n")
    monkeypatch.setenv("GENART_PRESET_PATH", str(tmp_path / "presets"))
    assert resolve("grey").config.size == 5
    assert resolve("grey", preset="big", env={"GENART_PRESET_PATH": str(tmp_path / "presets")}).config.size == 12
    code, out, _ = run_cli(["presets", "list", "grey"], monkeypatch, capsys)
    assert code == 0 and "grey/big" in out and "Big squares." in out


def test_generated_jobs_are_named_resumed_and_reported(grey, monkeypatch, capsys, tmp_path):
    out_dir = tmp_path / "out"
    args = ["grey", "--count", "3", "--seed", "2", "--size", "4", "-o", str(out_dir), "--json"]
    code, out, err = run_cli(args, monkeypatch, capsys)
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["input"] for r in records] == ["seed 2", "seed 3", "seed 4"]
    assert sorted(p.name for p in out_dir.iterdir()) == ["grey_0002.png", "grey_0003.png", "grey_0004.png"]
    assert np.asarray(Image.open(out_dir / "grey_0003.png"))[0, 0, 0] == 120
    assert err.strip().splitlines()[-1] == f"wrote 3 files in {os.path.relpath(out_dir)}"
    (out_dir / "grey_0003.png").unlink()
    import grey_command

    loads = grey_command.GreyRunner.loads
    code, out, _ = run_cli(args, monkeypatch, capsys)
    statuses = [json.loads(line)["status"] for line in out.splitlines()]
    assert code == 0 and statuses == ["skipped", "ok", "skipped"]
    assert grey_command.GreyRunner.loads == loads + 1
    code, out, _ = run_cli(args, monkeypatch, capsys)  # all done: nothing runs, nothing loads
    assert grey_command.GreyRunner.loads == loads + 1


def test_a_grouped_command_runs_under_its_group(grey, monkeypatch, capsys, tmp_path):
    code, _, err = run_cli(["toy", "grey", "--size", "2", "-o", str(tmp_path / "g.png")], monkeypatch, capsys)
    assert code == 0, err
    assert (tmp_path / "g.png").is_file() and err.strip().splitlines()[-1].endswith("g.png")


def test_unknown_command_suggests():
    from genart.core.errors import UsageError

    with pytest.raises(UsageError, match="did you mean 'style'"):
        registry.get("styel")
