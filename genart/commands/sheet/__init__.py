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

import importlib

# Imported on first use: ``genart.commands.sheet.command`` (read by --help) stays light.
_LAZY = {
    "Entry": "layout",
    "contact_sheet": "layout",
    "save_sheet": "layout",
    "SheetConfig": "config",
    "entries_from_files": "outputs",
    "entries_from_folder": "outputs",
    "entries_from_records": "outputs",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
