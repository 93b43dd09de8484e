"""Settings of ``genart sheet`` and ``--sheet`` (no torch imports)."""
from __future__ import annotations

from dataclasses import dataclass

from ...core.config import param
from ...core.errors import ConfigError


@dataclass(frozen=True)
class SheetConfig:
    """Contact sheets: many outputs on one image, inputs x styles, with captions."""

    layout: str = param(
        "auto",
        "table (rows: inputs, columns: styles or settings), grid, or auto (a table when the "
        "outputs form one).",
        choices=("auto", "table", "grid"),
    )
    cell: int = param(256, "Long side of each picture (px).", min=32, max=4096)
    columns: int = param(0, "Columns of a grid (0: about as many as rows, wider than tall).", min=0)
    captions: bool = param(True, "Caption the pictures and label rows and columns.")
    input_column: bool = param(True, "Show each input as the first column of a table (when the file exists).")
    font_size: int = param(0, "Caption text size (px); 0: readable at the cell size.", min=0, max=200)
    gap: int = param(0, "Space between pictures (px); 0: from the cell size.", min=0)
    background: str = param("#18191b", "Background colour: #rrggbb or a colour name.")
    title: str = param("", "A title over the sheet ('' for none).")

    def __post_init__(self) -> None:
        from PIL import ImageColor

        try:
            ImageColor.getrgb(self.background)
        except ValueError:
            raise ConfigError(f"background: {self.background!r} is not a colour (#rrggbb or a name)") from None
