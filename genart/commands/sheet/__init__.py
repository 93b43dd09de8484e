"""``genart sheet`` and ``--sheet``: contact sheets of genart outputs (Pillow, no torch).

``config``   SheetConfig: cell size, columns, captions, colours
``layout``   ``contact_sheet``: entries -> one image (a table of inputs x styles, or a grid)
``outputs``  entries from a folder or a batch's files, placed by their recorded settings

Example::

    from genart.commands.sheet import SheetConfig, contact_sheet, entries_from_folder, save_sheet

    sheet = contact_sheet(entries_from_folder("out/"), SheetConfig(cell=256))
    save_sheet(sheet, "sheet.png")
"""
from __future__ import annotations

import os
from typing import Any, Mapping

from .config import SheetConfig
from .layout import Entry, contact_sheet
from .outputs import entries_from_files, entries_from_folder, entries_from_records


def save_sheet(sheet: Any, dest: str | os.PathLike[str], *, metadata: Mapping[str, Any] | None = None) -> list[str]:
    """Write a sheet atomically through the image layer; returns its warnings.

    ``metadata`` defaults to ``{"command": "sheet"}``, which scans of a folder skip,
    so a sheet written among the outputs never appears in the next sheet.
    """
    import numpy as np

    from ...imageio import save_image

    return save_image(np.asarray(sheet.convert("RGB")), dest, metadata=metadata or {"command": "sheet"})


__all__ = [
    "Entry",
    "SheetConfig",
    "contact_sheet",
    "entries_from_files",
    "entries_from_folder",
    "entries_from_records",
    "save_sheet",
]
