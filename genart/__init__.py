"""genart: classic ImageNet-CNN art techniques in one reliable command-line tool.

The public API is imported lazily so that ``import genart`` (and ``genart --help``) never
pulls in torch. (The algorithm modules are named ``deepdream``, ``neural_doodle`` and
``classification`` so that importing them never shadows the functions below.)::

    from genart import stylize, dream, doodle, classify
"""
from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "classify": ("genart.commands.classify.algorithm", "classify"),
    "ClassifyConfig": ("genart.commands.classify.config", "ClassifyConfig"),
    "stylize": ("genart.commands.style.algorithm", "stylize"),
    "StyleConfig": ("genart.commands.style.config", "StyleConfig"),
    "dream": ("genart.commands.dream.algorithm", "dream"),
    "DreamConfig": ("genart.commands.dream.config", "DreamConfig"),
    "doodle": ("genart.commands.doodle.algorithm", "doodle"),
    "DoodleConfig": ("genart.commands.doodle.config", "DoodleConfig"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value  # later lookups skip this hook
        return value
    raise AttributeError(f"module 'genart' has no attribute {name!r}")
