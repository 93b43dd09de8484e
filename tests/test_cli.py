"""The CLI shell: fast help without torch, exit codes, presets and --print-config."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from genart import __version__
from genart import registry
from genart.cli.main import TOOLS, cli

COMMANDS = [*registry.names(), *TOOLS]
from helpers import run_cli

PROBE = """
import sys
sys.argv = ["genart", *sys.argv[1:]]
from genart.cli.main import main
try:
    main()
except SystemExit as e:
    code = e.code
heavy = sorted(m for m in ("torch", "torchvision", "numpy", "PIL") if m in sys.modules)
print("HEAVY=" + ",".join(heavy), file=sys.stderr)
sys.exit(code)
"""


def probe(*args, env=None):
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], *[[c, "--help"] for c in COMMANDS], ["classify"], ["classify", "--topk", "x", "a.jpg"]],
)
def test_help_version_and_usage_errors_never_import_torch(args):
    result = probe(*args)
    assert "HEAVY=\n" in result.stderr or result.stderr.rstrip().endswith("HEAVY="), result.stderr


def test_completion_never_imports_torch():
    result = probe(env={"_GENART_COMPLETE": "bash_complete", "COMP_WORDS": "genart cl", "COMP_CWORD": "1"})
    assert "classify" in result.stdout
    assert result.stderr.rstrip().endswith("HEAVY="), result.stderr


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert __version__ in result.output


def test_usage_error_is_exit_2(monkeypatch, capsys):
    code, _, err = run_cli(["classify", "--topk", "zero", "x.jpg"], monkeypatch, capsys)
    assert code == 2 and "topk" in err


def test_bad_preset_is_one_line_exit_2(monkeypatch, capsys, tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("params:\n  topk: many\n")
    code, out, err = run_cli(["classify", "--preset", str(bad), "x.jpg"], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and str(bad) in err and "topk" in err


def test_missing_input_is_exit_2(monkeypatch, capsys, tmp_path):
    code, _, err = run_cli(["classify", str(tmp_path / "none.jpg")], monkeypatch, capsys)
    assert code == 2 and "none.jpg" in err and "Traceback" not in err


def test_print_config_shows_sources(monkeypatch, capsys):
    monkeypatch.setenv("GENART_CLASSIFY_BATCH_SIZE", "3")
    code, out, _ = run_cli(["classify", "--print-config", "--topk", "2", "x.jpg"], monkeypatch, capsys)
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "flag --topk" in lines["topk"] and "env GENART_CLASSIFY_BATCH_SIZE" in lines["batch_size"]
    assert "default" in lines["model"]


def test_presets_list_and_show(monkeypatch, capsys):
    code, out, _ = run_cli(["presets", "list", "classify"], monkeypatch, capsys)
    assert code == 0 and "classify/default" in out and "classify/fast" in out
    code, out, _ = run_cli(["presets", "show", "classify/fast"], monkeypatch, capsys)
    assert code == 0 and "batch_size" in out and "preset fast" in out


def test_max_pixels_default_matches_loader():
    from genart.cli.common import DEFAULT_MAX_PIXELS
    from genart.imageio import DEFAULT_MAX_PIXELS as LOADER

    assert DEFAULT_MAX_PIXELS == LOADER


def test_every_command_has_help_text():
    for name in COMMANDS:
        command = cli.get_command(None, name)
        if command is not None:
            assert command.help and command.help.strip(), name


def test_no_command_declares_an_option_twice():
    for name in registry.names():
        command = cli.get_command(None, name)
        seen = [opt for param in command.params for opt in param.opts]
        assert len(seen) == len(set(seen)), (name, sorted(o for o in seen if seen.count(o) > 1))
