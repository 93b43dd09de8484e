"""Drawings to pixels with skia-python: antialiased, at any size.

Paths go to Skia as whole ``SkPath`` objects. Building a path point by point from Python
costs about a microsecond per point, so large paths are handed over in Skia's own
serialised path layout (one ``readFromMemory`` call for a million points); the result is
checked and the slow, public route is taken if this skia build reads it differently.

Example::

    rgb = to_raster(drawing, 2048)      # uint8 (H, W, 3), long side 2048 px
"""
from __future__ import annotations

import struct

import numpy as np

from .drawing import Drawing, Paths, parse_color

_MOVE, _LINE, _CLOSE = 0, 1, 5  # SkPath::Verb values in the serialised layout
_SERIAL_VERSION = 5  # SkPath serialisation version whose layout _serialized() writes
# Skia strokes a path into one outline and fills it; the cost grows faster than the
# number of points, so long polylines are cut into pieces (round caps where they meet
# look exactly like round joins) and drawn a batch of this many points at a time.
BATCH_POINTS = 2048


def raster_size(drawing: Drawing, size: int) -> tuple[int, int]:
    """(width, height) in px with the long side ``size``."""
    scale = size / max(drawing.width, drawing.height)
    return max(1, round(drawing.width * scale)), max(1, round(drawing.height * scale))


def to_raster(drawing: Drawing, size: int) -> np.ndarray:
    """Render ``drawing`` with its long side ``size`` px: uint8 RGB (H, W, 3).

    ``drawing.antialias=False`` gives hard edges: each pixel takes the colour of the shape
    covering its centre, and no other colour appears.
    """
    import skia

    from PIL import Image

    w, h = raster_size(drawing, size)
    rgba = np.empty((h, w, 4), dtype=np.uint8)
    # skia draws straight into this array: no read-back copy
    surface = skia.Surface(rgba, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)
    canvas = surface.getCanvas()
    canvas.clear(_color(drawing.background or "#ffffff"))
    canvas.scale(w / drawing.width, h / drawing.height)
    if drawing.raster is not None:
        _draw_image(canvas, drawing)
    for fill in drawing.fills:
        paint = _paint(fill.color, drawing.antialias)
        path = to_skia_path(Paths.from_list(fill.polygons), close=True)
        canvas.drawPath(path, paint)
    for layer in drawing.layers:
        paint = _paint(layer.color, drawing.antialias, stroke=layer.width)
        for batch in batches(layer.paths, BATCH_POINTS):
            canvas.drawPath(to_skia_path(batch), paint)
    surface.flushAndSubmit()
    del canvas, surface
    # Pillow drops the alpha bytes in C; a strided numpy copy of 3 of 4 bytes is far slower.
    return np.asarray(Image.frombuffer("RGBA", (w, h), rgba, "raw", "RGBA", 0, 1).convert("RGB"))


def _color(text: str) -> int:
    import skia

    r, g, b = parse_color(text)
    return skia.Color(r, g, b, 255)


def _paint(color: str, antialias: bool, *, stroke: float | None = None):
    import skia

    paint = skia.Paint(AntiAlias=antialias, Color=_color(color))
    if stroke is not None:
        paint.setStyle(skia.Paint.kStroke_Style)
        paint.setStrokeWidth(float(stroke))
        paint.setStrokeCap(skia.Paint.kRound_Cap)
        paint.setStrokeJoin(skia.Paint.kRound_Join)
    return paint


def _draw_image(canvas, drawing: Drawing) -> None:
    import skia

    assert drawing.raster is not None
    rgb = (np.clip(drawing.raster, 0, 1) * 255 + 0.5).astype(np.uint8)
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    image = skia.Image.fromarray(rgba, colorType=skia.kRGBA_8888_ColorType)
    # Mipmaps: a density image shrunk for a small PNG is averaged, not point-sampled.
    sampling = skia.SamplingOptions(skia.FilterMode.kLinear, skia.MipmapMode.kLinear)
    dest = skia.Rect.MakeWH(drawing.width, drawing.height)
    canvas.drawImageRect(image, dest, sampling)


def batches(paths: Paths, size: int) -> list[Paths]:
    """``paths`` cut into pieces of at most ``size`` points (sharing their cut points),
    grouped into batches of about ``size`` points."""
    lengths = np.diff(paths.starts)
    if len(lengths) == 0:
        return []
    step = size - 1
    counts = np.maximum(1, -(-(lengths - 1) // step))  # pieces per path
    first = np.repeat(paths.starts[:-1], counts)
    k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    a = first + k * step
    b = np.minimum(a + size, np.repeat(paths.starts[1:], counts))
    sizes = b - a
    ends = np.cumsum(sizes)
    index = np.repeat(a - (ends - sizes), sizes) + np.arange(int(ends[-1]))
    pieces = Paths(paths.points[index], np.concatenate([[0], ends]))
    cuts = np.unique(np.searchsorted(pieces.starts, np.arange(0, ends[-1], size), side="right") - 1)
    cuts = np.append(cuts, len(pieces))
    out = []
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        s0, s1 = pieces.starts[lo], pieces.starts[hi]
        out.append(Paths(pieces.points[s0:s1], pieces.starts[lo : hi + 1] - s0))
    return out


def to_skia_path(paths: Paths, *, close: bool = False):
    """One ``skia.Path`` holding every polyline of ``paths`` (closed contours if ``close``)."""
    import skia

    path = skia.Path()
    if len(paths) == 0:
        return path
    data, n_points, n_verbs = _serialized(paths, close)
    if path.readFromMemory(data) == len(data) and path.countPoints() == n_points and path.countVerbs() == n_verbs:
        return path
    return _slow_path(paths, close)  # pragma: no cover - a skia with another layout


def _serialized(paths: Paths, close: bool) -> tuple[bytes, int, int]:
    """Skia's serialised SkPath (version 5): header, counts, points, verbs padded to 4."""
    pts = np.ascontiguousarray(paths.points, dtype=np.float32)
    verbs = np.full(len(pts), _LINE, dtype=np.uint8)
    verbs[paths.starts[:-1]] = _MOVE
    if close:
        ends = paths.starts[1:]
        verbs = np.insert(verbs, ends, _CLOSE)
    pad = (-len(verbs)) % 4
    header = struct.pack("<4i", _SERIAL_VERSION, len(pts), 0, len(verbs))
    return header + pts.tobytes() + verbs.tobytes() + b"\0" * pad, len(pts), len(verbs)


def _slow_path(paths: Paths, close: bool):
    import skia

    path = skia.Path()
    for p in paths:
        path.addPoly([skia.Point(float(x), float(y)) for x, y in p], close)
    return path
