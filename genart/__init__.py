"""genart: classic ImageNet-CNN art techniques in one reliable command-line tool.

The public API is imported lazily so that ``import genart`` (and ``genart --help``) never
pulls in torch::

    from genart import stylize, dream, doodle, classify
"""
from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "classify": ("genart.classify", "classify"),
    "ClassifyConfig": ("genart.configs.classify", "ClassifyConfig"),
    "stylize": ("genart.style", "stylize"),
    "StyleConfig": ("genart.configs.style", "StyleConfig"),
    "dream": ("genart.dream", "dream"),
    "DreamConfig": ("genart.configs.dream", "DreamConfig"),
    "doodle": ("genart.doodle", "doodle"),
    "DoodleConfig": ("genart.configs.doodle", "DoodleConfig"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'genart' has no attribute {name!r}")
