"""Numbered dream frames on disk, and the animated GIF or WebP made of them (for the CLI).

The algorithm yields frames as tensors (``genart.commands.dream.algorithm.dream_frames``);
the CLI writes each frame, then calls :func:`write_animation` with the frame files in
order. All reading and writing goes through :mod:`genart.imageio`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence


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

    The format follows the suffix (.gif or .webp). Frames are read by
    :func:`genart.imageio.load_image` and the animation written by
    :func:`genart.imageio.save_animation`, atomically.
    """
    from ...imageio import load_image, save_animation
    from ...imageio.animation import animation_format

    animation_format(dest)  # a bad suffix fails before any frame is read
    return save_animation([load_image(p) for p in frames], dest, fps=fps)
