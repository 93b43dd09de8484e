"""YAML presets and the precedence that turns defaults, presets, environment and flags
into one config.

A preset is ``<command>/<name>.yaml`` (``rules/lsystem/<name>.yaml`` for ``rules lsystem``)::

    description: One line saying what the preset is for.
    params:
      iterations: 300
      style_weight: 1e5        # YAML 1.1 reads this as a string; it is parsed as a number

Presets are searched, later folders shadowing earlier ones, in: the built-in presets
(shipped in the wheel), ``$XDG_CONFIG_HOME/genart/presets`` (``~/.config/genart/presets``),
then each folder of ``$GENART_PRESET_PATH`` (``os.pathsep``-separated). ``--preset`` also
takes a path to a YAML file. Relative paths inside a preset resolve against the preset's
folder. Precedence: config defaults < preset < ``GENART_<COMMAND>_<KEY>`` environment
variables < command-line flags. Nothing here imports torch.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from . import registry
from .core import config as cfg
from .core.errors import ConfigError, UsageError

_PRESET_KEYS = ("description", "params")


@dataclass(frozen=True)
class Preset:
    """A parsed, validated preset file."""

    command: str
    name: str
    path: Path
    description: str
    params: Mapping[str, Any]  # coerced values, keyed by config field name


@dataclass(frozen=True)
class Resolved:
    """A command's final config and where each value came from."""

    config: Any
    sources: Mapping[str, str]  # field name -> "default", "preset NAME", "env VAR", "flag --x"
    preset: Preset | None


def builtin_dir() -> Path:
    """The built-in presets: inside the installed wheel, else the repository's presets/."""
    package = Path(__file__).resolve().parent  # genart/
    packaged = package / "presets"
    return packaged if packaged.is_dir() else package.parent / "presets"


def search_dirs(env: Mapping[str, str] | None = None) -> list[Path]:
    """Preset folders in increasing priority."""
    env = os.environ if env is None else env
    xdg = Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    dirs = [builtin_dir(), xdg / "genart" / "presets"]
    dirs += [Path(p) for p in env.get("GENART_PRESET_PATH", "").split(os.pathsep) if p]
    return dirs


def available(command: str, env: Mapping[str, str] | None = None) -> dict[str, Path]:
    """Preset name -> file for ``command``; user folders shadow built-in ones."""
    found: dict[str, Path] = {}
    for folder in search_dirs(env):
        sub = folder / command
        if sub.is_dir():
            for path in sorted(sub.glob("*.yaml")) + sorted(sub.glob("*.yml")):
                found[path.stem] = path
    return dict(sorted(found.items()))


def find(command: str, name: str, env: Mapping[str, str] | None = None) -> Path:
    """The file of preset ``name`` (or ``name`` itself when it is a path to a YAML file)."""
    if name.endswith((".yaml", ".yml")) or os.sep in name:
        path = Path(name)
        if not path.is_file():
            raise UsageError(f"{name}: preset file not found")
        return path
    presets = available(command, env)
    if name not in presets:
        names = ", ".join(presets) or "none"
        raise UsageError(
            f"unknown {command} preset {name!r}{cfg.closest(name, presets)}; available: {names}"
        )
    return presets[name]


def load(command: str, name: str, env: Mapping[str, str] | None = None) -> Preset:
    """Read and validate a preset against the command's config dataclass."""
    path = find(command, name, env)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read preset: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"{path}: invalid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a preset must be a mapping with 'description' and 'params'")
    for key in data:
        if key not in _PRESET_KEYS:
            raise ConfigError(f"{path}: unknown top-level key {key!r}{cfg.closest(str(key), _PRESET_KEYS)}")
    raw = data.get("params") or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: 'params' must be a mapping of setting: value")
    params = _coerce_all(command, raw, where=str(path), base=path.parent)
    return Preset(command, path.stem, path, str(data.get("description") or ""), params)


def _coerce_all(
    command: str, raw: Mapping[str, Any], *, where: str, base: Path | None
) -> dict[str, Any]:
    infos = {f.name: f for f in cfg.config_fields(_config_class(command))}
    out = {}
    for key, value in raw.items():
        name = str(key).replace("-", "_")
        if name not in infos:
            raise ConfigError(f"{where}: unknown key {key!r}{cfg.closest(name, infos)}")
        info = infos[name]
        value = cfg.coerce(info, value, where=where)
        if info.path and base is not None and value:
            value = _resolve_paths(value, base)
        out[name] = value
    return out


def _resolve_paths(value: Any, base: Path) -> Any:
    """Relative paths resolve against the preset's folder. A bare file name with no file
    of that name beside the preset stays bare: the weights layer then looks for it where
    weights live (GENART_WEIGHTS_DIR, the hub cache), so a preset can name a weights file."""
    if isinstance(value, tuple):
        return tuple(_resolve_paths(v, base) for v in value)
    p = Path(os.path.expanduser(value))
    if p.is_absolute():
        return str(p)
    if len(p.parts) == 1 and not (base / p).exists():
        return value
    return str((base / p).resolve())


def env_prefix(command: str) -> str:
    """``GENART_STYLE_``; ``GENART_RULES_LSYSTEM_`` for ``rules/lsystem``."""
    return f"GENART_{command.upper().replace('/', '_')}_"


def _config_class(command: str) -> type:
    return registry.config_class(command)


def from_env(command: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Values from ``GENART_<COMMAND>_<KEY>`` variables; an unknown key is an error."""
    env = os.environ if env is None else env
    prefix = env_prefix(command)
    raw = {k[len(prefix):].lower(): v for k, v in env.items() if k.startswith(prefix)}
    values = {}
    infos = {f.name: f for f in cfg.config_fields(_config_class(command))}
    for key, value in raw.items():
        var = prefix + key.upper()
        if key not in infos:
            raise ConfigError(f"environment variable {var}: unknown key {key!r}{cfg.closest(key, infos)}")
        values[key] = cfg.coerce(infos[key], value, where=f"environment variable {var}")
    return values


def resolve(
    command: str,
    *,
    preset: str | None = None,
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Resolved:
    """Build the command's config: defaults < preset < environment < flags.

    ``flags`` holds only the options the user actually gave, keyed by field name, as
    raw values (strings from the command line are parsed like everything else).
    """
    cls = _config_class(command)
    infos = {f.name: f for f in cfg.config_fields(cls)}
    values = {name: info.default for name, info in infos.items()}
    sources = {name: "default" for name in infos}
    loaded = load(command, preset, env) if preset else None
    if loaded is not None:
        values.update(loaded.params)
        sources.update({k: f"preset {loaded.name}" for k in loaded.params})
    env_values = from_env(command, env)
    values.update(env_values)
    sources.update({k: f"env {env_prefix(command)}{k.upper()}" for k in env_values})
    for name, value in (flags or {}).items():
        values[name] = cfg.coerce(infos[name], value, where=f"option {infos[name].flag}")
        sources[name] = f"flag {infos[name].flag}"
    return Resolved(cfg.build(cls, values), sources, loaded)


def format_config(resolved: Resolved, *, header: bool = True) -> str:
    """Settings and their sources, one per line, for ``--print-config`` (``header``: a
    first line naming the preset file, when there is one)."""
    rows = cfg.to_dict(resolved.config)
    width = max(len(k) for k in rows)
    lines = []
    if header and resolved.preset is not None:
        lines.append(f"# preset {resolved.preset.name}: {resolved.preset.path}")
    for key, value in rows.items():
        shown = ",".join(map(str, value)) if isinstance(value, list) else value
        lines.append(f"{key:<{width}}  {shown!s:<24}  # {resolved.sources[key]}")
    return "\n".join(lines)
