"""Pillow image (any supported mode) -> float32 sRGB pixels in [0, 1] plus optional alpha.

The order matters: alpha is split off first (colour management and the networks see only
colour), then the embedded ICC profile maps colour to sRGB, then the pixel mode decides how
raw values scale to [0, 1] (8-bit /255, 16-bit /65535, float as stored).
"""
from __future__ import annotations

import io
from functools import lru_cache
from typing import Callable

import numpy as np
from PIL import Image, ImageCms

from .srgb import srgb_profile

_ALPHA_MODES = {"RGBA": "RGB", "LA": "L"}
# Modes Pillow can only express through a detour (premultiplied, bilevel, palette).
_NORMALISE = {"RGBa": "RGBA", "La": "LA", "1": "L", "RGBX": "RGB", "PA": "RGBA"}
_ICC_MODES = {"RGB", "L", "CMYK", "LAB"}
_UINT16_MODES = {"I;16", "I;16L", "I;16B", "I;16N"}


def to_arrays(im: Image.Image, notes: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
    """Convert a decoded image to ``(rgb (H, W, 3), alpha (H, W) or None)``, float32 in [0, 1].

    ``alpha`` is None when the image has none or is fully opaque. Notes for the user (ICC
    conversion, value rescaling) are appended to ``notes``. Raises ValueError for a pixel
    mode Pillow cannot turn into RGB.
    """
    icc = im.info.get("icc_profile")
    im, alpha = _split_alpha(_normalise_mode(im))
    if icc:
        im = _apply_icc(im, icc, notes)
    elif im.mode == "LAB":  # CIELAB TIFFs: Pillow has no plain formula for these
        try:
            im = _transform(im, _lab_profile(), "LAB")
        except ImageCms.PyCMSError as exc:
            raise ValueError(f"cannot convert Lab pixels ({exc})") from None
    rgb = _CONVERTERS.get(im.mode, _via_pillow_rgb)(im, notes)
    return np.ascontiguousarray(rgb, dtype=np.float32), alpha


def _normalise_mode(im: Image.Image) -> Image.Image:
    if im.mode == "P":
        # Palette images (GIF, PNG-8) carry transparency as a palette index or tRNS chunk.
        return im.convert("RGBA" if im.has_transparency_data else "RGB")
    if im.mode in ("RGB", "L") and "transparency" in im.info:  # a PNG colour key (tRNS)
        return im.convert("RGBA" if im.mode == "RGB" else "LA")
    if im.mode in _NORMALISE:
        return im.convert(_NORMALISE[im.mode])
    return im


def _split_alpha(im: Image.Image) -> tuple[Image.Image, np.ndarray | None]:
    if im.mode not in _ALPHA_MODES:
        return im, None
    alpha = np.asarray(im.getchannel("A"))
    colour = im.convert(_ALPHA_MODES[im.mode])
    if alpha.min() == 255:  # an alpha channel that hides nothing is no alpha at all
        return colour, None
    return colour, alpha.astype(np.float32) / 255.0


# ------------------------------------------------------------------------------ ICC
@lru_cache(maxsize=1)
def _lab_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))


def _apply_icc(im: Image.Image, icc: bytes, notes: list[str]) -> Image.Image:
    """Map colours from the embedded profile to sRGB (returns RGB; unchanged on failure)."""
    if im.mode not in _ICC_MODES:
        notes.append(f"embedded ICC profile ignored for {im.mode} pixels")
        return im
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        out = _transform(im, profile, im.mode)
    except (OSError, ValueError, ImageCms.PyCMSError) as exc:
        notes.append(f"embedded ICC profile unusable ({' '.join(str(exc).split())}); colours used as stored")
        return im
    if _changed(im, out):  # sRGB-tagged files (the usual case) convert to themselves
        notes.append(f"colours converted from the embedded ICC profile '{_profile_name(profile)}' to sRGB")
    return out


def _changed(before: Image.Image, after: Image.Image) -> bool:
    if before.mode not in ("RGB", "L"):
        return True  # CMYK or Lab to RGB is always a change of numbers
    old = np.asarray(before.convert("RGB"), dtype=np.int16)
    return bool(np.abs(np.asarray(after, dtype=np.int16) - old).max() > 1)


def _transform(im: Image.Image, profile: ImageCms.ImageCmsProfile, mode: str) -> Image.Image:
    # Perceptual intent: photographs from wide-gamut profiles keep their gradations
    # (matrix/TRC profiles fall back to relative colorimetric, as the ICC spec says).
    transform = ImageCms.buildTransform(
        profile, srgb_profile(), mode, "RGB", renderingIntent=ImageCms.Intent.PERCEPTUAL
    )
    return ImageCms.applyTransform(im, transform)


def _profile_name(profile: ImageCms.ImageCmsProfile) -> str:
    try:
        name = ImageCms.getProfileDescription(profile).strip()
    except ImageCms.PyCMSError:
        name = ""
    return name or "unnamed"


# --------------------------------------------------------------- pixel modes -> [0, 1]
def _from_rgb8(im: Image.Image, notes: list[str]) -> np.ndarray:
    return np.asarray(im, dtype=np.float32) / 255.0


def _from_gray8(im: Image.Image, notes: list[str]) -> np.ndarray:
    return _gray_to_rgb(np.asarray(im, dtype=np.float32) / 255.0)


def _from_uint16(im: Image.Image, notes: list[str]) -> np.ndarray:
    # 16-bit grey (PNG, TIFF): the full 0..65535 range maps to [0, 1]; converting through
    # Pillow's "L" would clip everything above 255 to white.
    return _gray_to_rgb(np.asarray(im).astype(np.float32) / 65535.0)


def _from_int32(im: Image.Image, notes: list[str]) -> np.ndarray:
    values = np.asarray(im).astype(np.float64)
    if values.size and values.min() >= 0 and values.max() <= 65535:
        return _gray_to_rgb(values / 65535.0)  # 16-bit data stored in a 32-bit mode
    return _gray_to_rgb(_rescale(values, "32-bit integer", notes))


def _from_float(im: Image.Image, notes: list[str]) -> np.ndarray:
    values = np.asarray(im).astype(np.float64)
    finite = values[np.isfinite(values)]
    if finite.size != values.size:
        notes.append("non-finite values (NaN/inf) in a float image were set to black")
    values = np.where(np.isfinite(values), values, 0.0)
    if finite.size == 0 or (finite.min() >= 0 and finite.max() <= 1):
        return _gray_to_rgb(values)
    if finite.min() >= 0 and finite.max() <= 255:
        notes.append(f"float image with values up to {finite.max():.4g} read as 0-255")
        return _gray_to_rgb(values / 255.0)
    return _gray_to_rgb(_rescale(values, "float", notes))


def _rescale(values: np.ndarray, kind: str, notes: list[str]) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    notes.append(f"{kind} image values [{low:.4g}, {high:.4g}] stretched to [0, 1]")
    if high == low:
        return np.zeros_like(values)
    return (values - low) / (high - low)


def _via_pillow_rgb(im: Image.Image, notes: list[str]) -> np.ndarray:
    # CMYK without a profile, YCbCr, HSV: Pillow's own conversions are the plain formulas.
    try:
        return np.asarray(im.convert("RGB"), dtype=np.float32) / 255.0
    except ValueError:
        raise ValueError(f"unsupported pixel mode {im.mode}") from None


def _gray_to_rgb(gray: np.ndarray) -> np.ndarray:
    return np.repeat(gray.astype(np.float32)[:, :, None], 3, axis=2)


_CONVERTERS: dict[str, Callable[[Image.Image, list[str]], np.ndarray]] = {
    "RGB": _from_rgb8,
    "L": _from_gray8,
    "I": _from_int32,
    "F": _from_float,
    **{mode: _from_uint16 for mode in _UINT16_MODES},
}
