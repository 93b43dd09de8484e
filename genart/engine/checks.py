"""Helpers for commands' checks before any work: input sizes from headers, layer tables.

Nothing here decodes pixels or imports torch.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterable, Iterator

from ..core.errors import UsageError
from . import batch

__all__ = ["check_output_size", "file_sizes", "input_sizes", "naming", "registered_spec"]


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


def check_output_size(
    session: Any, what: str, hw: tuple[int, int], side: int, estimate: Callable[[int, int], float] | None,
    *, max_pixels: bool = True,
) -> None:
    """``--size side`` for an output with the aspect of ``hw`` (h, w): within --max-pixels
    and, estimated by ``estimate(height, width)`` (bytes; None: not estimated), within the
    machine's memory (not checked on a GPU). Raises UsageError naming ``what``."""
    from ..core.budget import check_budget
    from ..core.geometry import fit_long_side

    h, w = hw
    check_budget(
        what=what, setting="--size", value=side,
        shape=lambda s: fit_long_side(h, w, s),
        need=(lambda s: estimate(*fit_long_side(h, w, s))) if estimate is not None else (lambda s: 0.0),
        max_pixels=session.max_pixels if max_pixels else None, memory=session.device != "cuda",
    )
