"""Helpers for commands' checks before any work: input sizes from headers, layer tables.

Nothing here decodes pixels or imports torch.
"""
from __future__ import annotations

from typing import Any, Iterable

from . import batch

__all__ = ["input_sizes", "registered_spec"]


def input_sizes(jobs: Iterable[batch.Job], max_pixels: int | None) -> dict[str, tuple[int, int]]:
    """(width, height) of every distinct readable input image of ``jobs``. Stdin, generated
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
            size = image_size(path, max_pixels=max_pixels)
        except GenartError:
            continue
        if size is not None:
            sizes[path] = size
    return sizes


def registered_spec(model: str) -> Any | None:
    """The spec of registered backbone ``model`` with its layer table (no torch), or None
    when it has none or is a torchvision classifier found by name (that needs torchvision)."""
    from ..models import list_specs

    spec = next((s for s in list_specs() if s.name == model), None)
    return spec if spec is not None and spec.layer_table else None
