"""Rules presets (presets/rules/<generator>/*.yaml): valid, defaults in sync, every one renders."""
from __future__ import annotations

import dataclasses

import pytest

from genart import configs as genart_configs
from genart.commands.rules.registry import GENERATORS, config_class, render
from genart.core import presets as P
from genart.core.config import config_fields
from genart.core.errors import UsageError

LSYSTEM_PRESETS = {"default", "koch", "dragon", "hilbert", "sierpinski", "plant", "fern"}
# Keep renders small in tests: fewer attractor points, small rasters.
FAST = {"attractor": dict(points=30_000, size=48, supersample=1)}


@pytest.fixture()
def rules_commands(monkeypatch):
    """Register each generator as command ``rules/<name>`` so the generic preset code reads them."""
    for name, gen in GENERATORS.items():
        monkeypatch.setitem(genart_configs.CONFIGS, f"rules/{name}", (gen.config.__module__, gen.config.__name__))
    return [f"rules/{name}" for name in GENERATORS]


def test_every_generator_has_presets_and_each_is_valid(rules_commands):
    for command in rules_commands:
        names = P.available(command, env={})
        assert "default" in names, command
        for name in names:
            preset = P.load(command, name, env={})
            assert preset.description, f"{command}/{name} needs a description"
            P.resolve(command, preset=name, env={})
    assert LSYSTEM_PRESETS <= set(P.available("rules/lsystem", env={}))
    assert {"clifford", "dejong"} <= set(P.available("rules/attractor", env={}))


def test_default_presets_hold_exactly_the_dataclass_defaults(rules_commands):
    for command in rules_commands:
        infos = {f.name: f for f in config_fields(config_class(command.split("/")[1]))}
        params = P.load(command, "default", env={}).params
        assert set(params) == set(infos), f"{command}/default.yaml lists every setting"
        for key, value in params.items():
            assert value == infos[key].default, f"{command}/default.yaml {key}"


def test_every_preset_renders(rules_commands):
    for command in rules_commands:
        name = command.split("/")[1]
        for preset in P.available(command, env={}):
            config = P.resolve(command, preset=preset, env={}).config
            config = dataclasses.replace(config, **FAST.get(name, {}))
            drawing = render(name, config)
            assert drawing.layers or drawing.fills or drawing.raster is not None, f"{command}/{preset}"


def test_points_accepts_scientific_notation(rules_commands):
    r = P.resolve("rules/attractor", flags={"points": "1e8"}, env={})
    assert r.config.points == 100_000_000 and isinstance(r.config.points, int)
    assert P.load("rules/attractor", "clifford", env={}).params["points"] == 50_000_000


def test_unknown_preset_is_a_usage_error(rules_commands):
    with pytest.raises(UsageError, match="did you mean 'fern'"):
        P.find("rules/lsystem", "fren", env={})
