"""Rules presets (presets/rules/<generator>/*.yaml): valid, defaults in sync, every one renders.

Read here with the config layer's own coercion (``genart.core.config.coerce``), so the
check does not depend on how the CLI registers the generators as commands.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from genart.commands.rules.generators import GENERATORS, config_class, render
from genart.core import config as cfg

PRESETS = Path(__file__).resolve().parents[1] / "presets" / "rules"
LSYSTEM_PRESETS = {"default", "koch", "dragon", "hilbert", "sierpinski", "plant", "fern"}
# Keep renders small in tests: fewer attractor points, small rasters.
FAST = {"attractor": dict(points=30_000, size=48, supersample=1)}


def load(name: str, preset: str) -> tuple[str, dict]:
    """(description, coerced params) of ``presets/rules/<name>/<preset>.yaml``."""
    path = PRESETS / name / f"{preset}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data) <= {"description", "params"}, path
    infos = {f.name: f for f in cfg.config_fields(config_class(name))}
    params = {}
    for key, value in (data.get("params") or {}).items():
        assert key in infos, f"{path}: unknown key {key}"
        params[key] = cfg.coerce(infos[key], value, where=str(path))
    return str(data.get("description") or ""), params


def presets(name: str) -> list[str]:
    return sorted(p.stem for p in (PRESETS / name).glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_every_preset_is_valid_and_renders(name):
    assert "default" in presets(name)
    for preset in presets(name):
        description, params = load(name, preset)
        assert description, f"rules/{name}/{preset} needs a description"
        config = cfg.build(config_class(name), params)
        drawing = render(name, dataclasses.replace(config, **FAST.get(name, {})))
        assert drawing.layers or drawing.fills or drawing.raster is not None, f"{name}/{preset}"


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_default_preset_holds_exactly_the_dataclass_defaults(name):
    infos = {f.name: f for f in cfg.config_fields(config_class(name))}
    _, params = load(name, "default")
    assert set(params) == set(infos), f"rules/{name}/default.yaml lists every setting"
    for key, value in params.items():
        assert value == infos[key].default, f"rules/{name}/default.yaml {key}"


def test_the_issue_presets_exist_and_points_take_scientific_notation():
    assert LSYSTEM_PRESETS <= set(presets("lsystem"))
    assert {"clifford", "dejong"} <= set(presets("attractor"))
    assert load("attractor", "clifford")[1]["points"] == 50_000_000
    info = next(f for f in cfg.config_fields(config_class("attractor")) if f.name == "points")
    assert cfg.coerce(info, "1e8", where="flag") == 100_000_000
