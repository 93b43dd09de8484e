"""Folders of fake genart outputs for the sheet and gallery tests (``from genart_outputs import ...``).

Each output is a small solid-colour PNG carrying the record genart's CLI writes
(command, argv, input, variant, config), so tests can find every picture by its colour.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from genart.imageio import save_image

# Distinct colours, far apart, none close to the sheet's dark background or its text.
COLOURS = [
    (230, 40, 40), (40, 200, 60), (50, 90, 230), (240, 200, 30), (200, 50, 220),
    (30, 210, 210), (250, 130, 20), (140, 240, 140), (120, 60, 20), (250, 160, 200),
]


def solid(colour: tuple[int, int, int], size: tuple[int, int] = (30, 40)) -> np.ndarray:
    return np.tile(np.array(colour, dtype=np.uint8), (*size, 1))


def write_output(path: Path, colour, command: str, *, input: str, style: str | None = None,
                 config: dict[str, Any] | None = None, argv: list[str] | None = None,
                 size: tuple[int, int] = (30, 40), **extra: Any) -> Path:
    metadata = {
        "genart": "0.1.0",
        "command": command,
        "argv": argv if argv is not None else [command, input],
        "input": input,
        **({"variant": {"style": Path(style).stem}, "style": [style]} if style else {}),
        **extra,
        "config": config or {"size": 40, "layers": ["a", "b"]},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(solid(colour, size), path, metadata=metadata)
    return path


def styled_folder(root: Path) -> dict[str, Any]:
    """2 inputs x 2 styles (input and style files present), plus things to leave out."""
    inputs = {"cat.png": COLOURS[0], "dog.png": COLOURS[1]}
    styles = {"starry.png": COLOURS[2], "scream.png": COLOURS[3]}
    for name, colour in {**inputs, **styles}.items():
        save_image(solid(colour), root / name)  # no record: sources, not outputs
    out = root / "out"
    cells = {}
    k = 4
    for i in inputs:
        for s in styles:
            colour = COLOURS[k]
            k += 1
            argv = ["style", i, "-s", s, "--preset", "fast", "-o", "out/"]
            write_output(out / f"{Path(i).stem}_{Path(s).stem}.png", colour, "style", input=i, style=s, argv=argv)
            cells[(i, Path(s).stem)] = colour
    # Left out of sheets and galleries: an intermediate image and a file without a record.
    write_output(out / "cat_starry_scale1-step0010.png", COLOURS[9], "style", input="cat.png",
                 style="starry.png", intermediate="scale1-step0010")
    save_image(solid((5, 5, 5)), out / "notes.png")
    return {"out": out, "inputs": inputs, "styles": styles, "cells": cells}
