"""The image layer: the only code that reads or writes image files.

Every command loads through :func:`load_image` (any supported format, recognised by
content, in sRGB [0, 1]) and writes through :func:`save_image` (atomic, 8-bit, with the
settings recorded in the file). torch is imported only inside the tensor helpers, so the
CLI can import this package cheaply.

Example::

    from genart.imageio import load_image, save_image, to_tensor

    img = load_image("cat.jpg")
    out = do_something(to_tensor(img))
    save_image(out, "cat_out.png", alpha=img.alpha, metadata={"command": "dream"})

Split by concern:

``formats``   what is read and written, content sniffing, extension -> format
``opening``   opening files and stdin, the pixel limit checked before decoding
``convert``   Pillow modes, alpha and ICC profiles -> float sRGB
``load``      ``load_image`` and ``LoadedImage``
``probe``     ``image_size`` from the header, for checks before any work
``save``      ``save_image``: 8-bit encoding, atomic writes, stdout; ``encode_image``
``animation`` ``save_animation``: frames -> GIF/WebP, atomic
``metadata``  settings stored in written files, ``read_metadata``
``records``   a folder of genart outputs and the settings each recorded (sheets, galleries)
``srgb``      the sRGB profile images are converted to and tagged with
``tensor``    numpy <-> torch (torch imported lazily)
``thumbnail`` small 8-bit copies for pages and contact sheets
"""
from __future__ import annotations

from .animation import ANIMATION_FORMATS, save_animation
from .formats import ALPHA_FORMATS, SUPPORTED_FORMATS, resolve_format
from .load import LoadedImage, load_image
from .metadata import read_metadata
from .opening import DEFAULT_MAX_PIXELS
from .probe import image_size
from .save import encode_image, rgb_uint8, save_image
from .tensor import from_tensor, resize_long_side, to_tensor
from .thumbnail import load_thumbnail, to_thumbnail

__all__ = [
    "ALPHA_FORMATS",
    "ANIMATION_FORMATS",
    "DEFAULT_MAX_PIXELS",
    "SUPPORTED_FORMATS",
    "LoadedImage",
    "encode_image",
    "from_tensor",
    "image_size",
    "load_image",
    "load_thumbnail",
    "read_metadata",
    "resize_long_side",
    "resolve_format",
    "rgb_uint8",
    "save_animation",
    "save_image",
    "to_thumbnail",
    "to_tensor",
]
