"""Sheet entries from genart outputs, placed by the settings each output recorded."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

from ...core.errors import GenartError
from ...imageio.records import OutputRecord, differing_settings, format_settings, scan_outputs
from .layout import Entry


def entries_from_folder(folder: str | os.PathLike[str], *, recursive: bool = True) -> list[Entry]:
    """Entries for every genart output in ``folder`` (intermediate images left out).

    Rows are the inputs, columns the styles (or presets, commands, or the settings
    that differ), each input and style image heading its row and column when the file
    is still where the command line named it.

    Raises:
        GenartError: ``folder`` is not a folder or holds no genart outputs.

    Example::

        sheet = contact_sheet(entries_from_folder("out/"), SheetConfig())
    """
    records, others = scan_outputs(folder, recursive=recursive)
    if not records:
        found = f" ({len(others)} other images)" if others else ""
        raise GenartError(f"{folder}: no images written by genart{found}")
    return entries_from_records(records, Path(folder))


def entries_from_files(paths: Iterable[str | os.PathLike[str]], base: str | os.PathLike[str] = ".") -> list[Entry]:
    """Entries for the given genart outputs (e.g. a batch's), in the same layout.

    Files without genart's record are shown in a grid under their names.
    """
    from ...imageio import read_metadata

    records, plain = [], []
    for path in map(Path, paths):
        metadata = read_metadata(path)
        if metadata and "command" in metadata:
            records.append(OutputRecord(path, metadata))
        else:
            plain.append(Entry(path, path.name))
    if not records:
        if not plain:
            raise GenartError("contact sheet: no outputs to show")
        return plain
    return entries_from_records(records, Path(base)) + plain


def entries_from_records(records: list[OutputRecord], base: Path) -> list[Entry]:
    """Entries for ``records``: one per output, plus its row's and column's headings."""
    settings = differing_settings(records)
    column = _column_key(records, settings)
    if column is None:  # no table fits: a grid, each caption saying what it is
        return [Entry(r.path, _grid_caption(r, settings[r.path])) for r in records]
    entries: list[Entry] = []
    heads: set[tuple[str | None, str | None]] = set()
    for record in records:
        row, col = _row_key(record), column(record)
        detail = format_settings(settings[record.path])
        caption = record.path.name + (f"\n{detail}" if detail and detail not in col else "")
        entries.append(Entry(record.path, caption, row, col))
        _add_head(entries, heads, (row, None), record.resolve(record.input, base), Path(record.input).name)
        if record.style and record.style_paths and col == record.style:
            style = record.resolve(record.style_paths[0], base)
            _add_head(entries, heads, (None, col), style, " + ".join(Path(p).stem for p in record.style_paths))
    return entries


def _add_head(entries: list[Entry], heads: set, key: tuple[str | None, str | None], path: Path | None, caption: str) -> None:
    if key in heads or path is None:
        return
    heads.add(key)
    entries.append(Entry(path, caption, *key))


def _row_key(record: OutputRecord) -> str:
    return record.input or record.path.stem


def _grid_caption(record: OutputRecord, settings: dict) -> str:
    what = " · ".join(x for x in (record.command, record.style or record.preset) if x)
    return "\n".join(x for x in (record.path.name, what, format_settings(settings)) if x)


def _column_key(records: list[OutputRecord], settings: dict[Path, dict]) -> Callable[[OutputRecord], str] | None:
    """The first way of naming columns that gives each (input, column) one output."""
    def plain(r: OutputRecord) -> str:
        return r.style or r.preset or r.command

    same = len({plain(r) for r in records}) == 1

    def detailed(r: OutputRecord) -> str:
        detail = format_settings(settings[r.path])
        return detail if same and detail else f"{plain(r)} {detail}".strip()

    for key in (plain, detailed):
        pairs = [(_row_key(r), key(r)) for r in records]
        if len(set(pairs)) == len(pairs):
            return key
    return None

