"""The settings of one run: the resolved config and the shared options, before any job.

A :class:`Session` is plain, picklable data (no display, no model), so that it can be
sent to another process or machine where a :class:`~genart.engine.runner.Runner` is built
from it. Commands with inputs beyond the config (style images, maps...) subclass it as a
typed session; their ``Command.session`` function builds it from the parsed options.

Example::

    resolved = presets.resolve("dream", flags={"octaves": 3})
    session = Session("dream", resolved.config, sources=resolved.sources)
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from typing import Any, Mapping

from .. import __version__
from .config import to_dict

__all__ = ["Session"]


@dataclass(kw_only=True)
class Session:
    """Everything a command's runner needs, built once per run.

    Args:
        command: the registry name of the command.
        config: its frozen config dataclass instance.
        sources: where each setting came from (for ``--print-config``).
        preset: the preset's name, if one was used (recorded in outputs).
        device: ``auto``, ``cpu``, ``cuda`` or ``mps``.
        offline: forbid downloads; None reads ``GENART_OFFLINE``.
        max_pixels: the largest input image accepted (pixels).
        image_format: the output image format asked for, if any.
        overwrite: replace existing outputs.
        threads: CPU threads for torch (None: its default).
        argv: the command line, recorded in outputs.
    """

    command: str
    config: Any
    sources: Mapping[str, str] = field(default_factory=dict)
    preset: str | None = None
    device: str = "auto"
    offline: bool | None = None
    max_pixels: int | None = None
    image_format: str | None = None
    overwrite: bool = False
    threads: int | None = None
    argv: tuple[str, ...] = field(default_factory=lambda: tuple(sys.argv[1:]))

    def shared(self) -> dict[str, Any]:
        """This session's fields as keyword arguments, to build a typed session from it."""
        return {f.name: getattr(self, f.name) for f in fields(Session)}

    def metadata(self, job: Any, **inputs: Any) -> dict[str, Any]:
        """What is recorded in every written file so the result can be reproduced."""
        return {
            "genart": __version__,
            "command": self.command,
            "argv": list(self.argv),
            "input": job.item.name,
            **({"preset": self.preset} if self.preset else {}),
            **({"variant": dict(job.variant)} if job.variant else {}),
            **inputs,
            "config": to_dict(self.config),
        }
