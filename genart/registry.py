"""The registry of genart's commands: the one list that the CLI, presets, the settings
reference and the public API read.

Adding a command takes one module that defines ``COMMAND = Command(...)`` (see
:mod:`genart.core.command`) and one line in :data:`COMMANDS`. Command modules are
imported only when asked for, and never import torch.

Example::

    from genart import registry
    registry.get("dream").config      # DreamConfig
    registry.names()                  # ["style", "dream", "doodle", "classify", ...]
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .core.config import closest
from .core.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from .core.command import Command

__all__ = ["COMMANDS", "get", "names", "config_class", "public_api", "register", "unregister"]

# name -> the module defining COMMAND (or "module:ATTRIBUTE" for a module declaring several);
# "group/name" is `genart group name`.
COMMANDS: dict[str, str] = {
    "style": "genart.commands.style.command",
    "dream": "genart.commands.dream.command",
    "doodle": "genart.commands.doodle.command",
    "classify": "genart.commands.classify.command",
    "sheet": "genart.commands.sheet.command",
    "gallery": "genart.commands.gallery.command",
    "rules/lsystem": "genart.commands.rules.command:LSYSTEM",
    "rules/mondrian": "genart.commands.rules.command:MONDRIAN",
    "rules/ridgelines": "genart.commands.rules.command:RIDGELINES",
    "rules/attractor": "genart.commands.rules.command:ATTRACTOR",
    "rules/flowfield": "genart.commands.rules.command:FLOWFIELD",
}


def register(name: str, module: str) -> None:
    """Add a command at run time (plugins, tests); its module defines ``COMMAND``."""
    if name in COMMANDS:
        raise ValueError(f"command {name!r} is already registered")
    COMMANDS[name] = module


def unregister(name: str) -> None:
    """Remove a command added with :func:`register`."""
    COMMANDS.pop(name, None)


def names() -> list[str]:
    """Every registered command's name, in registration order."""
    return list(COMMANDS)


def get(name: str) -> "Command":
    """The declaration of command ``name``.

    Raises:
        UsageError: no such command (with a "did you mean").
    """
    if name not in COMMANDS:
        raise UsageError(f"unknown command {name!r}{closest(name, COMMANDS)}")
    module, _, attribute = COMMANDS[name].partition(":")
    command = getattr(importlib.import_module(module), attribute or "COMMAND")
    if command.name != name:
        raise ValueError(f"{COMMANDS[name]} declares {command.name!r}, registered as {name!r}")
    return command


def config_class(name: str) -> type:
    """The config dataclass of command ``name``."""
    return get(name).config


def public_api() -> dict[str, str]:
    """Every public name the commands export: ``name -> "module:attribute"``."""
    out: dict[str, str] = {}
    for name in COMMANDS:
        out.update(get(name).api)
    return out
