"""Assemble numbered dream frames into an animated GIF or WebP (file I/O, for the CLI).

The algorithm yields frames as tensors (``genart.commands.dream.algorithm.dream_frames``); the CLI writes
each frame, then calls :func:`write_animation` with the frame files in order.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Sequence

from PIL import Image

from ...core.errors import ImageError

FORMATS = {".gif": "GIF", ".webp": "WEBP"}


def frame_path(folder: Path, stem: str, index: int, suffix: str = ".png") -> Path:
    """``folder/stem_00012.png``: zero-padded so names sort in frame order."""
    return Path(folder) / f"{stem}_{index:05d}{suffix}"


def written_frames(folder: Path, stem: str, count: int, suffix: str = ".png") -> int:
    """How many frames 0, 1, ... already exist (a resumed run starts after them)."""
    done = 0
    while done < count and frame_path(folder, stem, done, suffix).is_file():
        done += 1
    return done


def write_animation(frames: Sequence[Path], dest: Path, *, fps: int = 12) -> Path:
    """Write ``frames`` (image files, in order) as a looping animation at ``dest``.

    The format follows the suffix (.gif or .webp). The file appears atomically: it is
    written beside ``dest`` under a temporary name and renamed.
    """
    dest = Path(dest)
    fmt = FORMATS.get(dest.suffix.lower())
    if fmt is None:
        raise ImageError(f"{dest}: animations are .gif or .webp")
    if not frames:
        raise ImageError(f"{dest}: no frames to animate")
    try:
        images = [Image.open(p).convert("RGB") for p in frames]
    except OSError as exc:
        raise ImageError(f"cannot read animation frame: {exc}") from None
    fd, tmp = tempfile.mkstemp(prefix=".genart-", suffix=dest.suffix, dir=dest.parent)
    os.close(fd)
    try:
        extra = {"lossless": False, "quality": 90} if fmt == "WEBP" else {"optimize": False}
        images[0].save(
            tmp, format=fmt, save_all=True, append_images=images[1:], duration=round(1000 / fps), loop=0, **extra
        )
        os.replace(tmp, dest)
    except OSError as exc:
        raise ImageError(f"{dest}: cannot write animation: {exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest
