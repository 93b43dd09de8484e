"""Click options derived from a command's config dataclass, so defaults live in one place.

Every option is declared with ``default=None``: a value of ``None`` after parsing means
"not given", which lets ``genart.core.presets.resolve`` apply defaults < preset < environment
< flags. The help text shows the dataclass default.
"""
from __future__ import annotations

from typing import Any, Callable

import click

from ..core.config import FieldInfo, config_fields


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value)) or "none"
    return "none" if value is None else str(value)


def _option(info: FieldInfo) -> Callable:
    names = [info.flag] + ([info.short] if info.short else [])
    help_text = f"{info.help} [default: {_show(info.default)}]"
    if info.base is bool and not info.is_sequence:
        positive = info.flag
        negative = "--no-" + positive[2:]
        return click.option(
            f"{positive}/{negative}", *names[1:], info.name, default=None, help=help_text
        )
    kind: Any
    if info.is_sequence:
        kind = click.STRING
        help_text = f"{info.help} Comma-separated. [default: {_show(info.default)}]"
    elif info.choices:
        kind = click.Choice(info.choices)
    elif info.path:
        kind = click.Path(dir_okay=False)
    else:
        kind = {int: click.INT, float: click.FLOAT}.get(info.base, click.STRING)
    return click.option(*names, info.name, type=kind, default=None, help=help_text)


def config_options(config_cls: type, *, exclude: tuple[str, ...] = ()) -> Callable:
    """Decorator adding one option per CLI-visible field of ``config_cls``."""
    infos = [f for f in config_fields(config_cls) if f.cli and f.name not in exclude]

    def decorate(func: Callable) -> Callable:
        for info in reversed(infos):
            func = _option(info)(func)
        return func

    return decorate


def given_flags(config_cls: type, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Pop the config-field options from ``kwargs``; keep those the user actually gave."""
    out = {}
    for info in config_fields(config_cls):
        if info.name in kwargs:
            value = kwargs.pop(info.name)
            if value is not None:
                out[info.name] = value
    return out
