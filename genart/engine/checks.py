"""Helpers for commands' checks before any work: input sizes from headers, layer tables.

Nothing here decodes pixels or imports torch.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterable, Iterator

from ..core.errors import UsageError
from . import batch

__all__ = ["file_sizes", "input_sizes", "naming", "registered_spec"]


def input_sizes(jobs: Iterable[batch.Job], max_pixels: int | None) -> dict[str, tuple[int, int]]:
    """(width, height) of every distinct readable input image (or video frame) of ``jobs``. Stdin, generated
    items and files that cannot be read are left out: a bad file fails as its own job, so
    a batch goes on past it."""
    from ..core.errors import GenartError
    from ..imageio import image_size

    sizes: dict[str, tuple[int, int]] = {}
    for job in jobs:
        path = job.item.path
        if path in (None, batch.STDIO) or path in sizes:
            continue
        try:
            size = _video_size(path) if job.item.kind == "video" else image_size(path, max_pixels=max_pixels)
        except GenartError:
            continue
        if size is not None:
            sizes[path] = size
    return sizes


def _video_size(path: str) -> tuple[int, int]:
    """A video's frame size as displayed (its frames are checked like images)."""
    from .media import probe

    info = probe(path)
    return info.width, info.height


def file_sizes(paths: Iterable[str | None], max_pixels: int | None) -> dict[str, tuple[int, int]]:
    """:func:`input_sizes` of files named by a session (a style, a guide...), None skipped."""
    from pathlib import Path

    return input_sizes([batch.Job(batch.Item(p, Path(p)), None) for p in paths if p], max_pixels)


def registered_spec(model: str) -> Any | None:
    """The spec of registered backbone ``model`` with its layer table (no torch), or None
    when it has none or is a torchvision classifier found by name (that needs torchvision)."""
    from ..models import list_specs

    spec = next((s for s in list_specs() if s.name == model), None)
    return spec if spec is not None and spec.layer_table else None


@contextlib.contextmanager
def naming(path: str) -> Iterator[None]:
    """Put the file's name in front of a check's UsageError ("content: 2000x20 px ...")."""
    try:
        yield
    except UsageError as exc:
        raise UsageError(f"{path}: {exc}") from None
