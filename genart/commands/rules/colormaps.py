"""Colour ramps for density images and palettes for lines, from a few control colours.

Each ramp runs from its background (empty) to its brightest (densest) colour, with control
colours chosen to rise steadily in lightness, so equal steps of density read as equal
steps of tone. Interpolation is linear in sRGB between neighbouring controls.
"""
from __future__ import annotations

import numpy as np

from .drawing import parse_color

RAMPS: dict[str, tuple[str, ...]] = {
    "ember": ("#07060b", "#2a0f3c", "#6b1d4f", "#b8343d", "#ea7430", "#f9c25c", "#fff3d6"),
    "ocean": ("#03070f", "#0a2140", "#0f4368", "#187a93", "#4fb7b4", "#b6e8d5", "#f4fff8"),
    "ink": ("#f6f2e9", "#d9d2c3", "#a89f90", "#6c655c", "#37332f", "#121110"),
    "aurora": ("#040814", "#0b2440", "#0d5a62", "#2a9a74", "#8fd683", "#e9f7b8", "#fdfff2"),
    "rose": ("#0c0710", "#36132d", "#7a2853", "#c8547a", "#ee9aa8", "#fbd9d6", "#fff7f4"),
    "mono": ("#000000", "#ffffff"),
}

PALETTES: dict[str, tuple[str, ...]] = {
    "ink": ("#1d1d1f", "#3a3a3d", "#5c5b5e"),
    "sunset": ("#2b2d42", "#7a2e55", "#c8493f", "#e5843a", "#d9a441"),
    "ocean": ("#0b3954", "#087e8b", "#4fb0c6", "#bfd7ea", "#ff5a5f"),
    "forest": ("#1b3a2a", "#3e6b3a", "#7d9a4a", "#c9b458", "#8a5a3b"),
    "bauhaus": ("#1d1d1b", "#d62f2f", "#1f4e9c", "#f2b705", "#e9e4d8"),
    "candy": ("#ff6b9a", "#ffb86b", "#7bd389", "#5aa9e6", "#a77be0"),
}


def apply_ramp(values: np.ndarray, name: str) -> np.ndarray:
    """Map ``values`` in [0, 1] (any shape) to float RGB in [0, 1] along ramp ``name``."""
    controls = np.array([parse_color(c) for c in RAMPS[name]], dtype=np.float32) / 255.0
    pos = np.clip(values, 0.0, 1.0) * (len(controls) - 1)
    low = np.minimum(pos.astype(np.int64), len(controls) - 2)
    t = (pos - low)[..., None].astype(np.float32)
    return controls[low] * (1 - t) + controls[low + 1] * t
