"""genart: classic ImageNet-CNN art techniques in one reliable command-line tool.

The public API is read from the command registry (each command declares the names it
exports) and imported lazily, so ``import genart`` (and ``genart --help``) never pulls in
torch::

    from genart import stylize, dream, doodle, classify
    from genart import StyleConfig, DreamConfig, DoodleConfig, ClassifyConfig
"""
from __future__ import annotations

__version__ = "0.1.0"


def _api() -> dict[str, str]:
    import importlib

    # Not ``from . import registry``: that asks this module's __getattr__ first.
    return importlib.import_module(f"{__name__}.registry").public_api()


def __getattr__(name: str):
    if name == "__all__":
        return ["__version__", *_api()]
    target = _api().get(name)
    if target is None:
        raise AttributeError(f"module 'genart' has no attribute {name!r}")
    import importlib

    module, attr = target.split(":")
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value  # later lookups skip this hook
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_api()})
