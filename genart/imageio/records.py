"""A folder of genart outputs and the settings each one carries (for sheets and galleries).

Every image genart writes records how it was made (``genart.imageio.read_metadata``):
the command, its command line, the input, the style (variant), and the full config.
:func:`scan_outputs` reads those records back, without decoding any pixels.

Example::

    records, others = scan_outputs("out/")
    for r in records:
        print(r.path.name, r.command, r.input, r.style, r.preset)
"""
from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..core.errors import GenartError, ImageError
from .formats import _ALIASES
from .metadata import read_metadata

# Every extension genart writes (and reads by name): .png, .jpg, .jpeg, .webp, .tif...
OUTPUT_EXTENSIONS = frozenset("." + ext for ext in _ALIASES)

# Images genart writes that are views of other outputs, not outputs themselves.
NOT_OUTPUTS = frozenset({"sheet", "gallery"})


@dataclass(frozen=True)
class OutputRecord:
    """One image genart wrote, with what it recorded about itself."""

    path: Path
    metadata: Mapping[str, Any] = field(repr=False)

    @property
    def command(self) -> str:
        return str(self.metadata.get("command") or "")

    @property
    def argv(self) -> list[str]:
        argv = self.metadata.get("argv")
        return [str(a) for a in argv] if isinstance(argv, list) else []

    @property
    def command_line(self) -> str:
        """The command line that made it, quoted for a POSIX shell."""
        return shlex.join(["genart", *self.argv]) if self.argv else f"genart {self.command}".strip()

    @property
    def input(self) -> str:
        return str(self.metadata.get("input") or "")

    @property
    def style(self) -> str:
        """The style's name (a style or doodle variant), or ''."""
        variant = self.metadata.get("variant")
        if isinstance(variant, Mapping) and variant.get("style"):
            return str(variant["style"])
        return ""

    @property
    def style_paths(self) -> list[str]:
        styles = self.metadata.get("style")
        if isinstance(styles, str):
            return [styles]
        return [str(s) for s in styles] if isinstance(styles, list) else []

    @property
    def preset(self) -> str:
        """The preset the command line named (``--preset``/``-p``), or ''."""
        if self.metadata.get("preset"):
            return str(self.metadata["preset"])
        return preset_from_argv(self.argv)

    @property
    def config(self) -> dict[str, Any]:
        config = self.metadata.get("config")
        return dict(config) if isinstance(config, Mapping) else {}

    @property
    def intermediate(self) -> bool:
        """An intermediate image (``--save-every``) or an animation frame, not a result."""
        return "intermediate" in self.metadata or "frame" in self.metadata

    def resolve(self, name: str, base: Path) -> Path | None:
        """A path the record names (its input, a style), if that file still exists.

        Paths are recorded as given on the command line: tried as they are (relative
        to the current folder), then relative to ``base`` and to the output's folder.
        """
        if not name or name == "-":
            return None
        candidate = Path(name)
        for path in (candidate, base / candidate, self.path.parent / candidate):
            if path.is_file():
                return path
        return None


def preset_from_argv(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg in ("--preset", "-p") and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--preset="):
            return arg.split("=", 1)[1]
    return ""


def scan_outputs(
    folder: str | os.PathLike[str],
    *,
    recursive: bool = True,
    intermediates: bool = False,
    exclude: Iterable[str | os.PathLike[str]] = (),
) -> tuple[list[OutputRecord], list[Path]]:
    """The genart outputs in ``folder`` (sorted by path) and the other images found.

    Args:
        folder: where to look.
        recursive: look in sub-folders too.
        intermediates: keep ``--save-every`` images and animation frames.
        exclude: folders to leave out (e.g. a gallery written inside ``folder``).

    Raises:
        GenartError: ``folder`` is not a folder.
    """
    root = Path(folder)
    if not root.is_dir():
        raise GenartError(f"{root}: not a folder")
    skip = [Path(p).resolve() for p in exclude]
    records, others = [], []
    for path in _image_files(root, recursive, skip):
        try:
            metadata = read_metadata(path)
        except ImageError:
            others.append(path)
            continue
        if metadata is None or "command" not in metadata or metadata["command"] in NOT_OUTPUTS:
            others.append(path)
            continue
        record = OutputRecord(path, metadata)
        if intermediates or not record.intermediate:
            records.append(record)
    return records, others


def _image_files(root: Path, recursive: bool, skip: list[Path]) -> list[Path]:
    pattern = "**/*" if recursive else "*"
    files = []
    for path in root.glob(pattern):
        if path.name.startswith(".") or path.suffix.lower() not in OUTPUT_EXTENSIONS or not path.is_file():
            continue
        if any(parent in skip for parent in path.resolve().parents):
            continue
        files.append(path)
    return sorted(files)


def differing_settings(records: Iterable[OutputRecord]) -> dict[Path, dict[str, Any]]:
    """Per output, the config values that differ among outputs of the same command.

    What tells two outputs apart in a caption: ``{"style_weight": 1000.0}`` rather
    than the forty settings they share.
    """
    by_command: dict[str, list[OutputRecord]] = {}
    for record in records:
        by_command.setdefault(record.command, []).append(record)
    out: dict[Path, dict[str, Any]] = {}
    for group in by_command.values():
        keys = sorted({k for r in group for k in r.config})
        varying = [k for k in keys if len({repr(r.config.get(k)) for r in group}) > 1]
        for record in group:
            out[record.path] = {k: record.config.get(k) for k in varying}
    return out


def format_settings(settings: Mapping[str, Any]) -> str:
    """``k=v`` pairs, lists joined by commas: ``style_weight=1000 size=512``."""
    return " ".join(f"{k}={_short(v)}" for k, v in settings.items())


def _short(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(_short(v) for v in value) or "default"  # () means "the default"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
