"""What a newcomer meets in the first minutes: checks before any work, weights that just
work, and one accurate account of what happened (random-init weights, tiny images)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from genart import registry
from genart.cli.main import cli
from helpers import random_png
from helpers import run_cli as run

REPO = Path(__file__).resolve().parents[1]
STYLE_TINY = ["--model", "vgg19-caffe", "--weights", "random", "--size", "40", "--no-pyramid", "--iterations", "1",
              "--style-layers", "relu1_1", "--content-layers", "relu1_1"]
DREAM_TINY = ["--weights", "random", "--octaves", "1", "--iterations", "1"]


@pytest.fixture
def photo(tmp_path):
    return random_png(tmp_path / "photo.png", 0, (36, 48))


# ------------------------------------------------------------------ checks before work
@pytest.mark.parametrize("command", ["style", "dream", "doodle"])
def test_a_huge_size_is_refused_before_anything_loads(command, photo, tmp_path):
    extra = ["-s", str(photo)] if command in ("style", "doodle") else []
    probe = (
        "import sys; from genart.cli.main import main\n"
        "try:\n    main(sys.argv[1:])\n"
        "except SystemExit as e:\n    print('TORCH' if 'torch' in sys.modules else 'NO-TORCH', file=sys.stderr); sys.exit(e.code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, command, str(photo), *extra, "--size", "100000", "-o", str(tmp_path / "o.png")],
        capture_output=True, text=True,
    )
    assert result.returncode == 2, result.stderr
    line = result.stderr.splitlines()[0]
    assert line.startswith("genart: error: --size 100000") and str(photo) in line
    assert "largest --size within it is 10922 " in line  # 4:3: 10922 x 8192 is within 89478485 pixels
    assert "NO-TORCH" in result.stderr and not (tmp_path / "o.png").exists()


@pytest.mark.parametrize("command", ["style", "dream", "doodle"])
def test_memory_beyond_the_machine_names_the_largest_size_that_fits(command, photo, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GENART_MEMORY_LIMIT", "256M")
    extra = ["-s", str(photo)] if command in ("style", "doodle") else []
    code, _, err = run([command, str(photo), *extra, "--size", "6000", "--tile-size" if command != "doodle" else "--seed",
                        "0", "-o", str(tmp_path / "o.png")], monkeypatch, capsys)
    assert code == 2
    assert "--size 6000" in err and "of memory" in err and "the largest --size that fits is" in err
    largest = int(err.split("fits is ")[1].split()[0])
    assert 16 <= largest < 6000
    code, _, err = run([command, str(photo), *extra, "--size", str(largest), "--print-config"], monkeypatch, capsys)
    assert code == 0


def test_stdout_on_a_terminal_is_refused_at_once(photo, monkeypatch, capsys):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    # The weights do not exist: had the model been loaded first, that would be the error.
    code, _, err = run(["dream", str(photo), "-o", "-", "--weights", "/no/such.pth"], monkeypatch, capsys)
    assert code == 2 and "terminal" in err and "such.pth" not in err


def test_a_thin_input_is_named_with_the_minimum(tmp_path, monkeypatch, capsys):
    thin = random_png(tmp_path / "thin.png", 1, (10, 400))
    code, _, err = run(["dream", str(thin), "--size", "400", *DREAM_TINY], monkeypatch, capsys)
    assert code == 2 and str(thin) in err and "at least 31 px" in err


def test_thin_content_and_maps_are_named_with_the_minimum(tmp_path, monkeypatch, capsys):
    thin = random_png(tmp_path / "thin.png", 1, (4, 400))
    code, _, err = run(["style", str(thin), "-s", str(thin), *STYLE_TINY, "--style-layers", "relu2_1",
                        "--content-layers", "relu2_1"], monkeypatch, capsys)  # stride 2: 40x1 px is too thin
    assert code == 2 and err.startswith(f"genart: error: {thin}: content:") and "at least 2 px" in err
    painting = random_png(tmp_path / "painting.png", 2, (48, 64))
    code, _, err = run(["doodle", str(thin), "-s", str(painting), "--weights", "random", "--size", "64", "--phases", "1"],
                       monkeypatch, capsys)
    assert code == 2 and err.startswith(f"genart: error: {thin}: target map:") and "at least" in err


def test_a_style_image_of_any_shape_works(photo, tmp_path, monkeypatch, capsys):
    thin = random_png(tmp_path / "thin_style.png", 3, (4, 300))
    out = tmp_path / "o.png"
    code, _, err = run(["style", str(photo), "-s", str(thin), *STYLE_TINY, "-o", str(out)], monkeypatch, capsys)
    assert code == 0, err and out.is_file()


@pytest.mark.parametrize("args", [["dream", "--iterations", "0"], ["style", "-s", "x.png", "--iterations", "0"],
                                  ["style", "-s", "x.png", "--scale-iterations", "5,0"]])
def test_zero_iterations_are_refused(args, photo, monkeypatch, capsys):
    code, _, err = run([args[0], str(photo), *args[1:]], monkeypatch, capsys)
    assert code == 2 and "iteration" in err


@pytest.mark.parametrize("command", ["style", "dream", "doodle", "classify"])
def test_print_config_needs_no_input(command, monkeypatch, capsys):
    code, out, _ = run([command, "--print-config"], monkeypatch, capsys)
    assert code == 0 and "model" in out


def test_missing_inputs_are_a_usage_error(monkeypatch, capsys):
    code, _, err = run(["dream"], monkeypatch, capsys)
    assert code == 2 and "IMAGES" in err


# ------------------------------------------------------------------ weights that just work
def test_partial_presets_find_their_weights_where_weights_live(shared_dir, photo, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GENART_WEIGHTS_DIR", str(shared_dir / "weights"))
    out = tmp_path / "partial.png"
    code, _, err = run(["style", str(photo), "-s", str(photo), "--preset", "vgg19-partial", "--size", "32",
                        "--iterations", "1", "--coarse-iterations", "1", "-o", str(out)], monkeypatch, capsys)
    assert code == 0, err and out.is_file()


# ------------------------------------------------------------------ say what happened
def test_a_run_ends_with_where_it_wrote_unless_quiet(photo, tmp_path, monkeypatch, capsys):
    out = tmp_path / "d.png"
    code, _, err = run(["dream", str(photo), "-o", str(out), *DREAM_TINY], monkeypatch, capsys)
    assert code == 0 and err.strip().splitlines()[-1] == f"wrote {out}"
    code, _, err = run(["dream", str(photo), "-o", str(tmp_path / "e.png"), "-q", *DREAM_TINY], monkeypatch, capsys)
    assert code == 0 and err == ""


def test_a_bad_file_in_a_batch_is_named_once(photo, tmp_path, monkeypatch, capsys):
    fake = tmp_path / "fake.jpg"
    fake.write_text("not an image")
    code, _, err = run(["dream", str(photo), str(fake), "-o", str(tmp_path / "out"), *DREAM_TINY], monkeypatch, capsys)
    assert code == 3
    assert f"{fake}: {fake}" not in err
    assert f"genart: error: {fake}: unsupported image content" in err


def test_an_interrupted_batch_says_what_never_started(tmp_path, monkeypatch, capsys):
    from genart.commands.dream.runner import DreamRunner

    photos = [random_png(tmp_path / f"p{i}.png", i, (32, 40)) for i in range(4)]
    real = DreamRunner.process
    calls = []

    def process(self, job):
        calls.append(job)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, job)

    monkeypatch.setattr(DreamRunner, "process", process)
    code, _, err = run(["dream", *map(str, photos), "-o", str(tmp_path / "out"), *DREAM_TINY], monkeypatch, capsys)
    assert code == 130
    assert "1 done, 0 skipped, 3 not started" in err and "again to resume" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["p0_dream.png"]


def test_the_same_option_has_the_same_short_form_everywhere():
    shorts: dict[str, set[str]] = {}
    for name in registry.names():
        command = cli.get_command(None, name)
        for param in command.params:
            longs = [o for o in param.opts if o.startswith("--")]
            for long in longs:
                shorts.setdefault(long, set()).update(o for o in param.opts if not o.startswith("--"))
    assert shorts["--style"] == {"-s"}
    inconsistent = {long: s for long, s in shorts.items() if len(s) > 1}
    assert not inconsistent
    # an option that has a short form somewhere has it everywhere it appears
    for name in registry.names():
        command = cli.get_command(None, name)
        for param in command.params:
            for long in (o for o in param.opts if o.startswith("--")):
                assert set(o for o in param.opts if not o.startswith("--")) == shorts[long], (name, long)


def test_presets_list_lines_up_and_show_names_the_file_once(monkeypatch, capsys):
    code, out, _ = run(["presets", "list"], monkeypatch, capsys)
    lines = [line for line in out.splitlines() if line.strip()]
    columns = {len(line) - len(line.split("  ", 1)[1].lstrip()) for line in lines}
    assert code == 0 and len(columns) == 1
    code, out, _ = run(["presets", "show", "style/preview"], monkeypatch, capsys)
    assert out.count("preview.yaml") == 1


def test_readme_first_command_leaves_the_checkout_clean():
    readme = (REPO / "README.md").read_text()
    first = next(line for line in readme.splitlines() if line.startswith("pip install -e . &&"))
    output = first.split(" -o ")[1].split()[0]
    assert output.startswith("out/")
    ignored = (REPO / ".gitignore").read_text().split()
    assert "/out/" in ignored
