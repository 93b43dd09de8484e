"""Helpers shared by the CLI tests (imported as ``from helpers import ...``)."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genart.cli.main import main

# Top-1 labels of the shared photos with the BVLC GoogLeNet, as ../shared/README.md lists
# them (grace_hopper.bmp: "military uniform" within the top 5).
EXPECTED_TOP1 = {
    "bird.bmp": "chickadee",
    "parrot.jpg": "macaw",
    "hot_dog.jpg": "hotdog",
    "dragonfly.bmp": "dragonfly",
    "cat.bmp": "Egyptian cat",
}


def run_cli(args, monkeypatch, capsys, stdin: bytes | None = None):
    """Run ``genart ARGS`` in-process; returns (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["genart", *args])
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def random_png(path, seed: int, size: tuple[int, int] = (36, 48)) -> Path:
    """A seeded random RGB image of ``size`` (height, width) saved at ``path``."""
    pixels = (np.random.RandomState(seed).rand(*size, 3) * 255).astype(np.uint8)
    Image.fromarray(pixels).save(path)
    return Path(path)
