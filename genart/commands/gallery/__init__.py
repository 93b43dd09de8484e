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

from .build import GalleryResult, write_gallery
from .config import GalleryConfig

__all__ = ["GalleryConfig", "GalleryResult", "write_gallery"]
