"""The only module that reads or writes image files: one loader, one saver.

Every command loads through :func:`load_image` (any supported format, recognised by
content, in sRGB [0, 1]) and writes through :func:`save_image` (atomic, 8-bit, with the
settings recorded in the file). torch is imported only inside the tensor helpers, so the
CLI can import this module cheaply.

Example::

    from genart.image import load_image, save_image, to_tensor

    img = load_image("cat.jpg")
    out = do_something(to_tensor(img))
    save_image(out, "cat_out.png", alpha=img.alpha, metadata={"command": "dream"})
"""
from __future__ import annotations

from .imageio.formats import ALPHA_FORMATS, SUPPORTED_FORMATS, resolve_format
from .imageio.load import LoadedImage, load_image
from .imageio.metadata import read_metadata
from .imageio.opening import DEFAULT_MAX_PIXELS
from .imageio.save import save_image
from .imageio.tensor import from_tensor, resize_long_side, to_tensor

__all__ = [
    "ALPHA_FORMATS",
    "DEFAULT_MAX_PIXELS",
    "SUPPORTED_FORMATS",
    "LoadedImage",
    "from_tensor",
    "load_image",
    "read_metadata",
    "resize_long_side",
    "resolve_format",
    "save_image",
    "to_tensor",
]
