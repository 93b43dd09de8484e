"""The rules generators by name: config class, generator function, and one job's work.

Importing this module is cheap (configs only); a generator's module, with numpy, shapely
and skia, is imported when it is first used.

Example::

    config = config_class("lsystem")(iterations=4)
    drawing = render("lsystem", config, seed=7)
    write(drawing, "fern.svg", metadata={"command": "rules lsystem"}, options=OutputOptions.from_config(config))
"""
from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass
from typing import Any

from ...core.config import closest
from ...core.errors import UsageError
from .configs import CONFIGS
from .output import OutputOptions, check_format, write

__all__ = ["GENERATORS", "Generator", "OutputOptions", "check_format", "config_class", "generate", "render", "write"]


@dataclass(frozen=True)
class Generator:
    """One ``genart rules NAME``: its config class, the module with ``generate``, a summary."""

    name: str
    config: type
    module: str
    summary: str


def _entry(name: str, summary: str) -> Generator:
    return Generator(name, CONFIGS[name], f"genart.commands.rules.{name}", summary)


GENERATORS: dict[str, Generator] = {
    g.name: g
    for g in (
        _entry("lsystem", "Lindenmayer systems drawn by a turtle (plants, fractal curves)."),
        _entry("mondrian", "Recursive grids with primary fills, or a ready-made doodle map."),
        _entry("ridgelines", "Stacked ridges with hidden lines removed (Unknown Pleasures)."),
        _entry("attractor", "Strange-attractor density (Clifford, de Jong, custom formula)."),
        _entry("flowfield", "Particles traced through a noise field, evenly spaced."),
    )
}


def get(name: str) -> Generator:
    """The generator ``name``; a UsageError with a suggestion for an unknown one."""
    if name not in GENERATORS:
        raise UsageError(
            f"unknown rules generator {name!r}{closest(name, GENERATORS)}; available: {', '.join(GENERATORS)}"
        )
    return GENERATORS[name]


def config_class(name: str) -> type:
    """The frozen config dataclass of generator ``name``."""
    return get(name).config


def generate(name: str, config: Any, **inputs: Any) -> Any:
    """``drawing = generate(name, config)``: the generator's pure function (no file I/O)."""
    gen = get(name)
    if not isinstance(config, gen.config):
        raise UsageError(f"rules {name}: expected a {gen.config.__name__}, got {type(config).__name__}")
    return importlib.import_module(gen.module).generate(config, **inputs)


def render(name: str, config: Any, *, seed: int | None = None) -> Any:
    """One job: the drawing of ``config`` with ``seed`` (default: the config's), inputs read.

    Reads the input files the config names (ridgelines ``data``); everything else is
    computed. Raises UsageError / ConfigError / ImageError for bad settings or inputs.
    """
    if seed is not None:
        config = dataclasses.replace(config, seed=seed)
    inputs: dict[str, Any] = {}
    if name == "ridgelines" and config.data:
        from .ridgelines import load_data

        inputs["data"] = load_data(config.data, config.rows)
    return generate(name, config, **inputs)
