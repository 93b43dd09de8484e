"""Config dataclasses: the one place where each command's defaults live.

Each command declares a frozen dataclass whose fields are made with :func:`param`. From
that single declaration genart derives the command-line options (``genart.cli.options``),
validates presets and ``GENART_*`` environment variables (``genart.presets``), and prints
``--print-config``. Nothing here imports torch.

Example::

    @dataclass(frozen=True)
    class DreamConfig:
        octaves: int = param(4, "Number of octaves.", min=1)
        layers: tuple[str, ...] = param(("inception_4c",), "Layers to amplify.")
"""
from __future__ import annotations

import dataclasses
import difflib
import re
import typing
from dataclasses import MISSING, Field, dataclass, fields
from pathlib import Path
from typing import Any, Iterable, Mapping

from .errors import ConfigError

_FLOAT_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|nan)$", re.I)


def param(
    default: Any,
    help: str,
    *,
    choices: Iterable[str] | None = None,
    min: float | None = None,
    max: float | None = None,
    flag: str | None = None,
    short: str | None = None,
    path: bool = False,
    cli: bool = True,
) -> Any:
    """Declare a config field with its help text and constraints.

    Args:
        default: the default value (tuples for list-valued settings).
        help: one line for ``--help``, the README and ``--print-config``.
        choices: allowed values for a string setting.
        min, max: inclusive bounds for numbers (for tuples, every element).
        flag: the long option name when it is not the field name with dashes.
        short: an optional one-letter alias such as ``-n``.
        path: the value is a file path; relative paths in presets resolve against the
            preset file.
        cli: expose this field as a command-line option.
    """
    meta = {
        "help": help,
        "choices": tuple(choices) if choices is not None else None,
        "min": min,
        "max": max,
        "flag": flag,
        "short": short,
        "path": path,
        "cli": cli,
    }
    return dataclasses.field(default=default, metadata=meta)


@dataclass(frozen=True)
class FieldInfo:
    """What genart knows about one config field."""

    name: str
    type: Any  # the resolved annotation
    default: Any
    help: str
    choices: tuple[str, ...] | None
    min: float | None
    max: float | None
    flag: str
    short: str | None
    path: bool
    cli: bool

    @property
    def base(self) -> Any:
        """The scalar type: ``int`` for ``int``, ``tuple[int, ...]`` and ``int | None``."""
        return _scalar_type(self.type)

    @property
    def is_sequence(self) -> bool:
        return _is_tuple(_strip_optional(self.type))

    @property
    def optional(self) -> bool:
        return _is_optional(self.type)


def config_fields(cls: type) -> list[FieldInfo]:
    """The fields of a config dataclass, with their metadata and resolved types."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in fields(cls):
        out.append(_field_info(f, hints[f.name]))
    return out


def _field_info(f: Field, hint: Any) -> FieldInfo:
    meta = f.metadata
    default = f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]
    return FieldInfo(
        name=f.name,
        type=hint,
        default=default,
        help=meta.get("help", ""),
        choices=meta.get("choices"),
        min=meta.get("min"),
        max=meta.get("max"),
        flag=meta.get("flag") or "--" + f.name.replace("_", "-"),
        short=meta.get("short"),
        path=meta.get("path", False),
        cli=meta.get("cli", True),
    )


def _is_optional(tp: Any) -> bool:
    return type(None) in typing.get_args(tp) and typing.get_origin(tp) in (typing.Union, _UnionType)


try:  # Python 3.10+: ``int | None`` is a types.UnionType
    from types import UnionType as _UnionType
except ImportError:  # pragma: no cover
    _UnionType = typing.Union  # type: ignore[assignment,misc]


def _strip_optional(tp: Any) -> Any:
    if _is_optional(tp):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0]
    return tp


def _is_tuple(tp: Any) -> bool:
    return typing.get_origin(tp) is tuple


def _scalar_type(tp: Any) -> Any:
    tp = _strip_optional(tp)
    if _is_tuple(tp):
        return typing.get_args(tp)[0]
    return tp


def closest(name: str, candidates: Iterable[str]) -> str:
    """A ' (did you mean X?)' suffix for an unknown name, or ''."""
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def coerce(info: FieldInfo, value: Any, *, where: str) -> Any:
    """Convert ``value`` (from YAML, an environment variable or a flag) to the field's type.

    Strings are parsed (``"1e5"`` becomes 100000.0, ``"a,b"`` a tuple); a wrong type or an
    out-of-range value raises :class:`ConfigError` naming ``where`` and the key.
    """
    try:
        return _coerce(info, value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {info.name}: {exc}") from None


def _coerce(info: FieldInfo, value: Any) -> Any:
    if value is None:
        if info.optional:
            return None
        raise ValueError("may not be empty")
    if isinstance(value, str) and info.optional and value.strip().lower() in ("", "none", "null"):
        return None
    if info.is_sequence:
        if isinstance(value, str):
            items: list[Any] = [v.strip() for v in value.split(",") if v.strip()]
        elif isinstance(value, (list, tuple)):
            items = list(value)
        else:
            items = [value]
        out = tuple(_scalar(info, v) for v in items)
        return out
    return _scalar(info, value)


def _scalar(info: FieldInfo, value: Any) -> Any:
    base = info.base
    if base is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if isinstance(value, str) and value.strip().lower() in ("0", "false", "no", "off"):
            return False
        raise TypeError(f"expected true or false, got {value!r}")
    if base is int:
        if isinstance(value, bool):
            raise TypeError(f"expected an integer, got {value!r}")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            text = value.strip()
            if re.fullmatch(r"[+-]?\d+", text):
                value = int(text)
            elif _FLOAT_RE.match(text) and float(text).is_integer():
                value = int(float(text))
        if not isinstance(value, int):
            raise TypeError(f"expected an integer, got {value!r}")
    elif base is float:
        if isinstance(value, bool):
            raise TypeError(f"expected a number, got {value!r}")
        if isinstance(value, str) and _FLOAT_RE.match(value.strip()):
            # YAML 1.1 reads 1e5 (no dot) as a string: accept it as the number it means.
            value = float(value.strip())
        if isinstance(value, int):
            value = float(value)
        if not isinstance(value, float):
            raise TypeError(f"expected a number, got {value!r}")
    elif base is str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {value!r}")
        value = value.strip()
        if info.choices is not None and value not in info.choices:
            raise ValueError(
                f"{value!r} is not one of {', '.join(info.choices)}" + closest(value, info.choices)
            )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if info.min is not None and value < info.min:
            raise ValueError(f"{value} is below the minimum {info.min}")
        if info.max is not None and value > info.max:
            raise ValueError(f"{value} is above the maximum {info.max}")
    return value


def build(cls: type, values: Mapping[str, Any]) -> Any:
    """Instantiate ``cls`` from already-coerced values; the dataclass may validate more."""
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(str(exc)) from None


def to_dict(config: Any) -> dict[str, Any]:
    """The config as plain JSON-able data (tuples become lists, paths strings)."""
    out = {}
    for f in fields(config):
        v = getattr(config, f.name)
        if isinstance(v, tuple):
            v = list(v)
        elif isinstance(v, Path):
            v = str(v)
        out[f.name] = v
    return out
