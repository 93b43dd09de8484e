"""``contact_sheet``: pictures and captions laid out on one image (Pillow, no torch)."""
from __future__ import annotations

import os

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageFont

from ...core.errors import UsageError
from ...imageio import load_thumbnail, to_thumbnail
from .config import SheetConfig

MAX_CAPTION_LINES = 3
ELLIPSIS = "…"


@dataclass(frozen=True)
class Entry:
    """One picture of a sheet.

    ``image`` is a file path, an (H, W, 3) array (float in [0, 1] or uint8) or a tensor
    (1, 3, H, W). In a table, ``row`` and ``column`` place it; an entry with only a
    ``row`` heads that row (the input itself, in the first column), one with only a
    ``column`` heads that column (the style image, above it). ``caption`` may hold
    several lines separated by newlines: the first is drawn brighter.
    """

    image: Any
    caption: str = ""
    row: str | None = None
    column: str | None = None


@dataclass
class _Box:
    picture: np.ndarray | None
    lines: list[str]
    head: bool = False  # a row or column heading: its caption is drawn muted


def contact_sheet(entries: Sequence[Entry | tuple], config: SheetConfig = SheetConfig()) -> Image.Image:
    """Lay ``entries`` out on one RGB image.

    A table when the entries carry row and column keys (rows: inputs, columns: styles,
    the input itself first, style images on top); otherwise a grid in the given order.

    Args:
        entries: :class:`Entry` objects or ``(image, caption, row, column)`` tuples.
        config: sizes, captions, colours (see :class:`SheetConfig`).

    Raises:
        UsageError: no entries, or ``layout="table"`` for entries without row and column keys.
        ImageError: an image file cannot be read.

    Example::

        sheet = contact_sheet([Entry(out, "cat · starry", "cat.jpg", "starry")], SheetConfig())
        save_image(np.asarray(sheet), "sheet.png")
    """
    items = [e if isinstance(e, Entry) else Entry(*e) for e in entries]
    if not items:
        raise UsageError("contact sheet: no pictures to lay out")
    style = _Style(config)
    if _is_table(items, config.layout):
        matrix = _table(items, config, style)
    else:
        matrix = _grid(items, config, style)
    return _draw(matrix, config, style)


def _is_table(items: list[Entry], layout: str) -> bool:
    cells = [e for e in items if e.row is not None and e.column is not None]
    keys = [(e.row, e.column) for e in cells]
    table = bool(cells) and len(set(keys)) == len(keys)
    if layout == "table" and not table:
        raise UsageError("contact sheet: a table needs a row and a column key for each picture, each pair once")
    return layout == "table" or (layout == "auto" and table)


class _Style:
    """Sizes, font and colours derived from the config."""

    def __init__(self, config: SheetConfig) -> None:
        self.cell = config.cell
        self.font_size = config.font_size or max(12, round(config.cell / 17))
        self.font = ImageFont.load_default(size=self.font_size)
        self.title_font = ImageFont.load_default(size=round(self.font_size * 1.6))
        self.gap = config.gap or max(8, config.cell // 20)
        self.margin = self.gap * 2
        self.line = round(self.font_size * 1.4)
        self.captions = config.captions
        self.background = ImageColor.getrgb(config.background)[:3]
        light = _luminance(self.background) > 0.5
        self.text = (24, 24, 26) if light else (232, 230, 227)
        self.muted = (96, 98, 104) if light else (154, 158, 166)

    def picture(self, image: Any, side: int | None = None) -> np.ndarray:
        """``image`` at ``side`` px (long side), small ones enlarged: a sheet's cells match."""
        side = side or self.cell
        if isinstance(image, (str, bytes)) or hasattr(image, "__fspath__"):
            return load_thumbnail(image, side, enlarge=True)
        if hasattr(image, "detach"):
            from ...imageio import from_tensor

            image = from_tensor(image)
        return to_thumbnail(np.asarray(image), side, enlarge=True)

    def fit(self, text: str, width: int, font: Any = None) -> str:
        """``text`` cut with an ellipsis to ``width`` px."""
        font = font or self.font
        if font.getlength(text) <= width:
            return text
        lo, hi = 0, len(text)
        while lo < hi:  # the longest prefix that fits with the ellipsis
            mid = (lo + hi + 1) // 2
            if font.getlength(text[:mid] + ELLIPSIS) <= width:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo].rstrip() + ELLIPSIS


def _lines(caption: str, style: _Style) -> list[str]:
    if not style.captions or not caption:
        return []
    return [line for line in caption.splitlines() if line.strip()][:MAX_CAPTION_LINES]


def _table(items: list[Entry], config: SheetConfig, style: _Style) -> list[list[_Box | None]]:
    rows = list(dict.fromkeys(e.row for e in items if e.row is not None))
    columns = list(dict.fromkeys(e.column for e in items if e.column is not None))
    cells = {(e.row, e.column): e for e in items if e.row is not None and e.column is not None}
    row_heads = {e.row: e for e in items if e.column is None and e.row is not None}
    column_heads = {e.column: e for e in items if e.row is None and e.column is not None}
    show_inputs = config.input_column and bool(row_heads)
    head_side = max(32, style.cell // 2)  # style images: smaller than the results

    header: list[_Box | None] = [None]
    for key in columns:
        head = column_heads.get(key)
        picture = style.picture(head.image, head_side) if head is not None and config.input_column else None
        header.append(_Box(picture, _lines(head.caption if head is not None else key, style) or [key], head=True))
    matrix: list[list[_Box | None]] = [header]
    for key in rows:
        head = row_heads.get(key)
        if show_inputs and head is not None:
            first = _Box(style.picture(head.image), _lines(head.caption or key, style), head=True)
        else:
            first = _Box(None, [key], head=True)
        line: list[_Box | None] = [first]
        for column in columns:
            entry = cells.get((key, column))
            line.append(None if entry is None else _Box(style.picture(entry.image), _lines(entry.caption, style)))
        matrix.append(line)
    if not style.captions:  # no labels: drop the header row and a text-only first column
        matrix = matrix[1:]
        if not show_inputs:
            matrix = [line[1:] for line in matrix]
    return matrix


def _grid(items: list[Entry], config: SheetConfig, style: _Style) -> list[list[_Box | None]]:
    count = len(items)
    columns = config.columns or max(1, math.ceil(math.sqrt(count)))
    boxes: list[_Box | None] = [_Box(style.picture(e.image), _lines(e.caption, style)) for e in items]
    boxes += [None] * (-count % columns)
    return [boxes[i : i + columns] for i in range(0, len(boxes), columns)]


def _draw(matrix: list[list[_Box | None]], config: SheetConfig, style: _Style) -> Image.Image:
    ncols = max(len(line) for line in matrix)
    widths = [0] * ncols
    pic_heights, text_heights = [0] * len(matrix), [0] * len(matrix)
    for i, line in enumerate(matrix):
        for j, box in enumerate(line):
            if box is None:
                continue
            text_w = max((style.font.getlength(t) for t in box.lines), default=0)
            pic_w = box.picture.shape[1] if box.picture is not None else 0
            widths[j] = max(widths[j], pic_w, min(int(text_w) + 1, style.cell))
            pic_heights[i] = max(pic_heights[i], box.picture.shape[0] if box.picture is not None else 0)
            text_heights[i] = max(text_heights[i], len(box.lines) * style.line)
    gap, margin = style.gap, style.margin
    title_h = round(style.font_size * 1.6 * 1.5) + gap if config.title else 0
    width = 2 * margin + sum(widths) + gap * (ncols - 1)
    heights = [p + (t + gap // 2 if t else 0) for p, t in zip(pic_heights, text_heights)]
    height = 2 * margin + title_h + sum(heights) + gap * (len(matrix) - 1)
    sheet = Image.new("RGB", (width, height), style.background)
    draw = ImageDraw.Draw(sheet)
    if config.title:
        draw.text((margin, margin), style.fit(config.title, width - 2 * margin, style.title_font), font=style.title_font, fill=style.text)
    y = margin + title_h
    for i, line in enumerate(matrix):
        x = margin
        for j, box in enumerate(line):
            if box is not None:
                _draw_box(sheet, draw, box, x, y, widths[j], pic_heights[i], style)
            x += widths[j] + gap
        y += heights[i] + gap
    return sheet


def _draw_box(sheet: Image.Image, draw: ImageDraw.ImageDraw, box: _Box, x: int, y: int, width: int, pic_h: int, style: _Style) -> None:
    if box.picture is not None:
        h, w = box.picture.shape[:2]
        # Centred across the column, resting on the caption line below.
        sheet.paste(Image.fromarray(box.picture, "RGB"), (x + (width - w) // 2, y + pic_h - h))
    text_y = y + pic_h + (style.gap // 2 if pic_h else 0)
    if box.picture is None and pic_h:  # a text-only heading beside pictures: centred on them
        text_y = y + (pic_h - len(box.lines) * style.line) // 2
    for k, text in enumerate(box.lines):
        fitted = style.fit(text, width)
        colour = style.muted if (box.head or k > 0) else style.text
        offset = (width - style.font.getlength(fitted)) // 2
        draw.text((x + offset, text_y + k * style.line), fitted, font=style.font, fill=colour)


def _luminance(rgb: tuple[int, ...]) -> float:
    r, g, b = (c / 255 for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def save_sheet(sheet: Any, dest: str | os.PathLike[str], *, metadata: Mapping[str, Any] | None = None) -> list[str]:
    """Write a sheet atomically through the image layer; returns its warnings.

    ``metadata`` defaults to ``{"command": "sheet"}``, which scans of a folder skip,
    so a sheet written among the outputs never appears in the next sheet.
    """
    import numpy as np

    from ...imageio import save_image

    return save_image(np.asarray(sheet.convert("RGB")), dest, metadata=metadata or {"command": "sheet"})
