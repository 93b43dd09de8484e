"""Presets: search path, validation, precedence and --print-config."""
from __future__ import annotations

from pathlib import Path

import pytest

from genart import presets as P
from genart.core.config import config_fields
from genart.registry import config_class, names

CONFIGS = names()
from genart.core.errors import ConfigError, UsageError


def write(folder: Path, command: str, name: str, text: str) -> Path:
    path = folder / command / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_precedence_default_preset_env_flag(tmp_path):
    write(tmp_path, "classify", "mine", "description: d\nparams:\n  topk: 3\n  batch_size: 4\n")
    env = {"GENART_PRESET_PATH": str(tmp_path), "GENART_CLASSIFY_BATCH_SIZE": "6"}
    r = P.resolve("classify", preset="mine", flags={"precision": "fp32"}, env=env)
    assert r.config.topk == 3 and r.sources["topk"] == "preset mine"
    assert r.config.batch_size == 6 and r.sources["batch_size"] == "env GENART_CLASSIFY_BATCH_SIZE"
    assert r.config.precision == "fp32" and r.sources["precision"] == "flag --precision"
    assert r.sources["model"] == "default"
    flagged = P.resolve("classify", preset="mine", flags={"topk": 9, "batch_size": 1}, env=env)
    assert (flagged.config.topk, flagged.config.batch_size) == (9, 1)


def test_unknown_key_names_file_and_suggests(tmp_path):
    path = write(tmp_path, "classify", "bad", "params:\n  top_k: 3\n")
    with pytest.raises(ConfigError) as info:
        P.load("classify", "bad", env={"GENART_PRESET_PATH": str(tmp_path)})
    msg = str(info.value)
    assert str(path) in msg and "'top_k'" in msg and "did you mean 'topk'" in msg


def test_wrong_type_and_bad_yaml(tmp_path):
    env = {"GENART_PRESET_PATH": str(tmp_path)}
    write(tmp_path, "classify", "t", "params:\n  topk: [1, 2]\n")
    with pytest.raises(ConfigError, match="topk: expected an integer"):
        P.load("classify", "t", env=env)
    write(tmp_path, "classify", "y", "params: [unclosed\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        P.load("classify", "y", env=env)
    write(tmp_path, "classify", "z", "!!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(ConfigError):  # safe_load refuses python tags
        P.load("classify", "z", env=env)


def test_unknown_env_key_is_an_error():
    with pytest.raises(ConfigError, match="GENART_CLASSIFY_TOPKK.*did you mean 'topk'"):
        P.resolve("classify", env={"GENART_CLASSIFY_TOPKK": "3"})


def test_user_presets_shadow_builtin_and_relative_paths(tmp_path):
    xdg = tmp_path / "xdg"
    write(xdg / "genart" / "presets", "classify", "default", "params:\n  topk: 2\n  weights: w/net.pth\n")
    env = {"XDG_CONFIG_HOME": str(xdg)}
    preset = P.load("classify", "default", env=env)
    assert preset.params["topk"] == 2
    expected = (xdg / "genart" / "presets" / "classify" / "w" / "net.pth").resolve()
    assert preset.params["weights"] == str(expected)


def test_unknown_preset_suggests():
    with pytest.raises(UsageError, match="did you mean 'default'"):
        P.find("classify", "defualt", env={})


@pytest.mark.parametrize("command", sorted(CONFIGS))
def test_every_builtin_preset_is_valid(command):
    names = P.available(command, env={})
    assert names, f"no built-in presets for {command}"
    for name in names:
        preset = P.load(command, name, env={})
        assert preset.description, f"{command}/{name} needs a description"
        P.resolve(command, preset=name, env={})  # builds a valid config


def test_default_presets_agree_with_their_dataclass():
    """A command's `default.yaml` documents its defaults; it must not drift from the dataclass."""
    checked = []
    for command in sorted(CONFIGS):
        if "default" not in P.available(command, env={}):
            continue
        infos = {f.name: f for f in config_fields(config_class(command))}
        for key, value in P.load(command, "default", env={}).params.items():
            if not infos[key].path:
                assert value == infos[key].default, f"{command}/default.yaml {key}"
        checked.append(command)
    assert {"classify", "style"} <= set(checked)


def test_print_config_lists_sources(tmp_path):
    r = P.resolve("classify", flags={"topk": "4"}, env={})
    text = P.format_config(r)
    assert "topk" in text and "flag --topk" in text and "default" in text
