"""The sRGB colour profile: the space every loaded image is converted to and every saved
image is tagged with (so colour-managed viewers show exactly what genart computed)."""
from __future__ import annotations

from functools import lru_cache

from PIL import ImageCms


@lru_cache(maxsize=1)
def srgb_profile() -> ImageCms.ImageCmsProfile:
    """LittleCMS's built-in sRGB (IEC 61966-2.1) profile."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@lru_cache(maxsize=1)
def srgb_icc() -> bytes:
    """The sRGB profile as bytes to embed (about 600 bytes)."""
    return srgb_profile().tobytes()
