"""``genart gallery``: a static HTML page of a folder of genart outputs (no server, no torch).

``config``   GalleryConfig: thumbnail size and format, copy or link, what to include
``build``    ``write_gallery``: thumbnails, full images, index.html with the data embedded
``static/``  the page's template, CSS and JS (inlined into index.html: one file works offline)

Example::

    from genart.commands.gallery import GalleryConfig, write_gallery

    result = write_gallery("out/", "gallery/", GalleryConfig())
    print(result.index)  # gallery/index.html; open it in a browser
"""
from __future__ import annotations

import importlib

# Imported on first use: ``genart.commands.gallery.command`` (read by --help) stays light.
_LAZY = {"GalleryResult": "build", "write_gallery": "build", "GalleryConfig": "config"}
__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
