"""Click options derived from a command's config dataclass, so defaults live in one place.

Every option is declared with ``default=None``: a value of ``None`` after parsing means
"not given", which lets ``genart.presets.resolve`` apply defaults < preset < environment
< flags. The help text shows the dataclass default.
"""
from __future__ import annotations

from typing import Any

import click

from ..core.config import FieldInfo, config_fields


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value)) or "none"
    return "none" if value is None else str(value)


class _Number(click.ParamType):
    """A number kept as given: the config's own coercion parses it (so ``1e8`` is a valid
    integer, as in presets) and reports errors naming the option."""

    def __init__(self, name: str) -> None:
        self.name = name

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        return value


_INT, _FLOAT = _Number("integer"), _Number("number")


def _param(info: FieldInfo) -> click.Option:
    names = [info.flag] + ([info.short] if info.short else [])
    help_text = f"{info.help} [default: {_show(info.default)}]"
    if info.base is bool and not info.is_sequence:
        negative = "--no-" + info.flag[2:]
        return click.Option([f"{info.flag}/{negative}", *names[1:], info.name], default=None, help=help_text)
    kind: Any
    if info.is_sequence:  # repeatable, and each value may hold several, comma-separated
        help_text = f"{info.help} Repeat or comma-separate. [default: {_show(info.default)}]"
        return click.Option([*names, info.name], multiple=True, default=(), help=help_text)
    elif info.choices:
        kind = click.Choice(info.choices)
    elif info.path:
        kind = click.Path(dir_okay=False)
    else:
        kind = {int: _INT, float: _FLOAT}.get(info.base, click.STRING)
    return click.Option([*names, info.name], type=kind, default=None, help=help_text)


def config_params(config_cls: type) -> list[click.Option]:
    """One option per CLI-visible field of ``config_cls``."""
    return [_param(f) for f in config_fields(config_cls) if f.cli]


def given_flags(config_cls: type, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Pop the config-field options from ``kwargs``; keep those the user actually gave.

    A list-valued option given several times (``--rule A --rule B``) or with commas
    (``--style-layers relu1_1,relu2_1``) becomes one list; ``--layers ''`` an empty one.
    """
    out = {}
    for info in config_fields(config_cls):
        if info.name in kwargs:
            value = kwargs.pop(info.name)
            if info.is_sequence and isinstance(value, tuple):
                if not value:
                    continue  # not given
                value = [part.strip() for v in value for part in str(v).split(",") if part.strip()]
            if value is not None:
                out[info.name] = value
    return out
