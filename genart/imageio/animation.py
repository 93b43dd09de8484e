"""``save_animation``: frames -> a looping GIF or WebP, written atomically like every image.

Frames may be tensors (1, 3, H, W) or (3, H, W), RGB arrays (H, W, 3) (float in [0, 1] or
uint8), or :class:`genart.imageio.LoadedImage` (read frame files with :func:`load_image`,
so the pixel limit and format checks apply to them as to any input).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

from PIL import Image

from ..core.errors import ImageError
from .save import _rgb_uint8, _write_atomic

__all__ = ["ANIMATION_FORMATS", "animation_format", "save_animation"]

#: File suffix -> Pillow format of the animations genart writes.
ANIMATION_FORMATS = {".gif": "GIF", ".webp": "WEBP"}


def animation_format(dest: str | os.PathLike[str]) -> str:
    """The Pillow format of an animation written to ``dest``; ImageError unless .gif/.webp."""
    fmt = ANIMATION_FORMATS.get(Path(dest).suffix.lower())
    if fmt is None:
        raise ImageError(f"{dest}: animations are .gif or .webp")
    return fmt


def save_animation(
    frames: Sequence[Any], dest: str | os.PathLike[str], *, fps: int = 12, quality: int = 90, overwrite: bool = True
) -> Path:
    """Write ``frames`` in order as a looping animation at ``dest`` (.gif or .webp).

    The file appears atomically (a temporary file beside ``dest``, then a rename), so an
    interrupted run never leaves half an animation.

    Args:
        frames: the frames, all of one size (see the module docstring for the types).
        dest: the file to write; its suffix chooses the format.
        fps: frames per second.
        quality: WebP quality 1-100 (GIF is always 256 colours per frame).
        overwrite: if False and ``dest`` exists, raise ImageError.

    Raises:
        ImageError: another suffix, no frames, frames of different sizes, or the file
            cannot be written.

    Example::

        save_animation([load_image(p) for p in paths], "zoom.gif", fps=12)
    """
    dest = Path(dest)
    fmt = animation_format(dest)
    if not frames:
        raise ImageError(f"{dest}: no frames to animate")
    images = [Image.fromarray(_rgb_uint8(getattr(frame, "rgb", frame)), "RGB") for frame in frames]
    sizes = {im.size for im in images}
    if len(sizes) > 1:
        raise ImageError(f"{dest}: frames differ in size ({', '.join(f'{w}x{h}' for w, h in sorted(sizes))})")
    options: dict[str, Any] = {"save_all": True, "append_images": images[1:], "duration": round(1000 / fps), "loop": 0}
    options.update({"lossless": False, "quality": quality} if fmt == "WEBP" else {"optimize": False})
    _write_atomic(images[0], dest, fmt, options, overwrite)
    return dest
