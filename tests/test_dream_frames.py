"""Zoom animations: frames, resume, and the animation file."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from genart.commands.dream.algorithm import DreamConfig, dream_frames
from genart.commands.dream.animation import frame_path, write_animation, written_frames
from genart.core.errors import ImageError
from test_dream_fakes import FakeBackbone, photo

CONFIG = DreamConfig(frames=4, octaves=1, iterations=2, zoom=1.1, rotate=3.0)


def test_frames_zoom_into_the_previous_frame():
    frames = dict(dream_frames(photo(48, 48), CONFIG, backbone=FakeBackbone()))
    assert sorted(frames) == [0, 1, 2, 3]
    for frame in frames.values():
        assert frame.shape == (1, 3, 48, 48)
        assert torch.equal(frame, torch.round(frame * 255) / 255)  # 8-bit, like the files
    assert not torch.equal(frames[1], frames[2])


def test_resumed_run_reproduces_the_uninterrupted_one():
    bb = FakeBackbone()
    full = dict(dream_frames(photo(48, 48), CONFIG, backbone=bb))
    resumed = dict(dream_frames(full[1], CONFIG, backbone=bb, start_frame=2))
    assert sorted(resumed) == [2, 3]
    assert torch.equal(resumed[2], full[2]) and torch.equal(resumed[3], full[3])


def _png(path, value):
    Image.fromarray(np.full((16, 16, 3), value, np.uint8)).save(path)
    return path


@pytest.mark.parametrize("suffix", [".gif", ".webp"])
def test_write_animation(tmp_path, suffix):
    paths = [_png(frame_path(tmp_path, "zoom", i), v) for i, v in enumerate((0, 128, 255))]
    assert written_frames(tmp_path, "zoom", 10) == 3
    dest = write_animation(paths, tmp_path / f"zoom{suffix}", fps=10)
    with Image.open(dest) as anim:
        assert anim.n_frames == 3
        anim.seek(2)
        assert anim.convert("RGB").getpixel((8, 8))[0] > 200
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([p.name for p in paths] + [dest.name])


def test_write_animation_refuses_unknown_formats(tmp_path):
    with pytest.raises(ImageError, match="gif or .webp"):
        write_animation([tmp_path / "a.png"], tmp_path / "a.mp4")
