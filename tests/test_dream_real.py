"""DeepDream with the real BVLC GoogLeNet weights on a real photo (skips without ../shared).

The art itself: the dream must raise inception_4c's activation substantially, keep the
photo's size and valid range, and change its structure (new edges) while staying a dream
*of the photo* (its coarse layout survives).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from genart.commands.dream.algorithm import DreamConfig, dream
from genart.core.events import Step

models = pytest.importorskip("genart.models")


def _photo(path, long_side: int) -> torch.Tensor:
    im = Image.open(path).convert("RGB")
    scale = long_side / max(im.size)
    im = im.resize((round(im.width * scale), round(im.height * scale)), Image.BICUBIC)
    return torch.from_numpy(np.asarray(im, np.float32) / 255.0).permute(2, 0, 1)[None]


def _edges(img: torch.Tensor) -> float:
    return float((img[..., 1:, :] - img[..., :-1, :]).abs().mean() + (img[..., 1:] - img[..., :-1]).abs().mean())


def test_classic_dream_with_bvlc_weights(shared_dir):
    bb = models.load_backbone("googlenet-bvlc", weights=shared_dir / "weights" / "bvlc_googlenet.pth")
    image = _photo(shared_dir / "images" / "photos" / "cat.bmp", 160)
    events = []
    out = dream(image, DreamConfig(octaves=2, iterations=6, seed=1), backbone=bb, callback=events.append)

    layer = bb.extractor(["inception_4c"])
    with torch.no_grad():
        before = float(layer(image)["inception_4c"].pow(2).mean())
        after = float(layer(out)["inception_4c"].pow(2).mean())
    assert after > 3.0 * before  # measured here: 4.2x
    trace = [e.metrics["objective"] for e in events if isinstance(e, Step)]
    last_octave = trace[6:]  # each value is taken under a different random roll: average
    assert sum(last_octave[-3:]) > 1.3 * sum(last_octave[:3])

    assert out.shape == image.shape
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0
    assert float((out - image).abs().mean()) > 0.012
    assert _edges(out) > 1.15 * _edges(image)  # measured here: 1.35x
    coarse = [F.avg_pool2d(t, 16).flatten() for t in (image, out)]
    assert float(torch.corrcoef(torch.stack(coarse))[0, 1]) > 0.7
