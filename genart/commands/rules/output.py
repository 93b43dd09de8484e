"""Writing drawings: SVG (vector) or any raster format of the image layer, files or stdout.

SVG bytes are written like images, through the image layer's atomic ``write_bytes``
(temporary file beside the destination, then rename), so an interrupted run never leaves
half a file.

Example::

    write(drawing, "fern.svg", metadata={"command": "rules lsystem"}, options=OutputOptions())
    write(drawing, "fern.png", options=OutputOptions(size=4096))
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from ...core.errors import ImageError, UsageError

if TYPE_CHECKING:  # numpy stays unimported until a drawing is written
    from .drawing import Drawing

STDOUT = "-"


@dataclass(frozen=True)
class OutputOptions:
    """How a drawing is written: PNG size, SVG page and layers (the configs' common fields)."""

    size: int = 1024
    paper: str = "a4"
    margin: float = 15.0
    svg_layers: bool = True
    optimize: bool = True

    @staticmethod
    def from_config(config: Any) -> "OutputOptions":
        """The output fields of any rules config (see ``configs.OutputSettings``)."""
        return OutputOptions(config.size, config.paper, config.margin, config.svg_layers, config.optimize)


def output_format(dest: str | os.PathLike[str], fmt: str | None = None) -> str:
    """``"svg"`` or a Pillow format name (``"PNG"``...): ``fmt`` if given, else the extension.

    ``-`` (stdout) without ``fmt`` is SVG: these are drawings first.
    """
    from ...imageio import resolve_format

    if fmt is not None:
        return "svg" if fmt.strip().lower().lstrip(".") == "svg" else resolve_format(dest, fmt)
    if str(dest) == STDOUT or str(dest).lower().endswith(".svg"):
        return "svg"
    return resolve_format(dest, None)


def write(
    drawing: "Drawing",
    dest: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    options: OutputOptions | None = None,
) -> list[str]:
    """Write ``drawing`` to ``dest`` (``"-"``: stdout) and return warnings for the user.

    Args:
        drawing: the picture.
        dest: a file path; its extension picks the format unless ``fmt`` is given.
        fmt: ``"svg"``, ``"png"``, ``"jpg"``, ``"webp"``, ``"tiff"``...
        metadata: JSON-able settings recorded in the file (SVG ``<metadata>``, PNG iTXt...).
        options: size, paper and layers; default :class:`OutputOptions`.

    Raises:
        ImageError: the file cannot be written; UsageError: an unknown format.
    """
    options = options or OutputOptions()
    kind = output_format(dest, fmt)
    if kind != "svg":
        from ...imageio import save_image
        from .raster import to_raster

        rgb = to_raster(drawing, options.size)
        return save_image(rgb, dest, format=kind, metadata=metadata)
    from .svg import to_svg

    data = to_svg(
        drawing, paper=options.paper, margin=options.margin, size=options.size,
        layers=options.svg_layers, optimize=options.optimize, metadata=metadata,
    )  # fmt: skip
    if str(dest) == STDOUT:
        _write_stdout(data)
    else:
        from ...imageio.save import write_bytes

        write_bytes(data, dest)
    return []


def _write_stdout(data: bytes) -> None:
    out = getattr(sys.stdout, "buffer", sys.stdout)
    try:
        out.write(data)
        out.flush()
    except BrokenPipeError:
        raise ImageError("<stdout>: the reading end of the pipe was closed") from None


def check_format(dest: str, fmt: str | None) -> None:
    """Fail early (before generating) on an output the writer cannot produce."""
    try:
        output_format(dest, fmt)
    except ImageError as exc:
        raise UsageError(str(exc)) from None
