"""``genart sheet``: a contact sheet of a folder of genart outputs (no torch here)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from ...core.command import Command, Inputs, Output
from ...core.errors import UsageError
from ...core.session import Session
from ...engine import batch
from .config import SheetConfig

__all__ = ["COMMAND", "one_folder"]


def one_folder(session: Session, options: Mapping[str, Any]) -> list[batch.Item]:
    """The single folder a sheet or a gallery is made from."""
    inputs = options.get("inputs") or ()
    if len(inputs) != 1 or not Path(inputs[0]).is_dir():
        raise UsageError("give one folder of genart outputs, e.g. `genart sheet styled/`")
    folder = Path(inputs[0])
    return [batch.Item(str(folder), Path(folder.resolve().name or "outputs"))]


COMMAND = Command(
    name="sheet",
    config=SheetConfig,
    runner="genart.commands.sheet.runner:SheetRunner",
    summary="A contact sheet of a folder of genart outputs (inputs x styles).",
    help="""A contact sheet of DIR: its genart outputs as one image, a table of inputs x styles
    (or x settings) when they form one, else a grid, captioned from the settings each
    output records.

    \b
    genart sheet styled/ -o sheet.png
    genart sheet dreams/ --layout grid --cell 192 -o dreams.jpg
    """,
    inputs=Inputs.CUSTOM,
    input_metavar="DIR",
    output=Output(template="{stem}_sheet", formats=("png", "jpg", "webp"), stdout=True),
    items=one_folder,
    compute=False,
    batch=False,
    api={"contact_sheet": "genart.commands.sheet.layout:contact_sheet",
         "SheetConfig": "genart.commands.sheet.config:SheetConfig"},
)
