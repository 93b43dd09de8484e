"""save_animation: frames (tensors, arrays, loaded images) -> GIF/WebP, atomically."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from genart.commands.dream.animation import write_animation
from genart.core.errors import ImageError
from genart.imageio import load_image, save_animation, save_image


def _frames():
    grey = [torch.full((1, 3, 12, 16), v) for v in (0.0, 0.5, 1.0)]
    grey[1][..., :, :8] = 0.25  # a left half that differs
    return grey


@pytest.mark.parametrize("suffix", [".gif", ".webp"])
def test_frames_of_every_kind_make_a_looping_animation(tmp_path, suffix):
    png = tmp_path / "f.png"
    save_image(torch.full((1, 3, 12, 16), 0.8), png)
    frames = [*_frames(), np.zeros((12, 16, 3), np.uint8), load_image(png)]
    dest = save_animation(frames, tmp_path / f"a{suffix}", fps=20)
    with Image.open(dest) as anim:
        assert anim.n_frames == 5 and anim.size == (16, 12)
        anim.seek(1)
        assert anim.info.get("loop") == 0
        assert suffix == ".webp" or anim.info.get("duration") == 50  # Pillow reads GIF timing only
        left, right = anim.convert("RGB").getpixel((2, 6)), anim.convert("RGB").getpixel((14, 6))
        assert abs(left[0] - 64) < 8 and abs(right[0] - 128) < 8
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([png.name, dest.name])


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    dest = tmp_path / "a.gif"
    dest.write_bytes(b"old")

    def broken(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken)
    with pytest.raises(ImageError, match="a.gif"):
        save_animation(_frames(), dest)
    assert dest.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["a.gif"]


def test_bad_requests_are_image_errors(tmp_path):
    with pytest.raises(ImageError, match=r"\.gif or \.webp"):
        save_animation(_frames(), tmp_path / "a.mp4")
    with pytest.raises(ImageError, match="no frames"):
        save_animation([], tmp_path / "a.gif")
    with pytest.raises(ImageError, match="8x8, 16x12"):
        save_animation([*_frames(), torch.zeros(1, 3, 8, 8)], tmp_path / "a.gif")
    with pytest.raises(ImageError, match="already exists"):
        (tmp_path / "b.gif").write_bytes(b"x")
        save_animation(_frames(), tmp_path / "b.gif", overwrite=False)


def test_dream_frames_are_read_through_the_image_layer(tmp_path):
    good = tmp_path / "z_00000.png"
    save_image(torch.zeros(1, 3, 8, 8), good)
    bad = tmp_path / "z_00001.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage")
    with pytest.raises(ImageError, match="z_00001.png"):  # load_image names the file
        write_animation([good, bad], tmp_path / "z.gif")
    assert not (tmp_path / "z.gif").exists()
