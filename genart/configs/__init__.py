"""One frozen config dataclass per command (no torch imports here).

Each module defines ``<Command>Config`` with fields made by :func:`genart.core.config.param`;
``CONFIGS`` maps a command name to its module path and class name so presets and the CLI
can find them without importing the others.
"""
from __future__ import annotations

import importlib

CONFIGS = {
    "classify": ("genart.commands.classify.config", "ClassifyConfig"),
    "style": ("genart.commands.style.config", "StyleConfig"),
    "dream": ("genart.commands.dream.config", "DreamConfig"),
    "doodle": ("genart.commands.doodle.config", "DoodleConfig"),
}


def config_class(command: str) -> type:
    """The config dataclass of ``command``."""
    module, name = CONFIGS[command]
    return getattr(importlib.import_module(module), name)
