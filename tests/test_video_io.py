"""Video in and out: recognition, probing, decoding and encoding round trips (tiny synthetic clips)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PIL import Image
from video_clips import audio_seconds, leftovers, make_clip, panning, texture

from genart.video import (
    AudioClip,
    VideoWriter,
    check_video_output,
    is_video,
    parse_frame_range,
    probe_video,
    read_frames,
)


def _frames(path, **kw):
    return list(read_frames(path, **kw))


# ------------------------------------------------------------------- recognition
def test_is_video_by_content_not_name(tmp_path):
    clip = make_clip(tmp_path / "clip.jpg", panning(3), muxer="mp4")  # an MP4 named .jpg
    still = tmp_path / "still.mp4"
    Image.fromarray(texture(8, 8)).save(still, format="PNG")  # a PNG named .mp4
    assert is_video(clip)
    assert not is_video(still)
    assert not is_video(tmp_path / "missing.mp4")


def test_animated_gif_is_video_static_gif_is_not(tmp_path):
    frames = [Image.fromarray(f) for f in panning(3)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:], duration=100)
    frames[0].save(tmp_path / "still.gif")
    assert is_video(tmp_path / "anim.gif")
    assert not is_video(tmp_path / "still.gif")


@pytest.mark.parametrize("name", ["c.mp4", "c.mov", "c.mkv", "c.webm", "c.gif"])
def test_every_written_kind_is_recognised_and_probed(tmp_path, name):
    with VideoWriter(tmp_path / name, fps=10) as writer:
        for f in panning(3):
            writer.write(f)
    assert is_video(tmp_path / name)
    assert probe_video(tmp_path / name).frames == 3


def test_avi_is_read(tmp_path):
    clip = make_clip(tmp_path / "c.avi", panning(4), codec="mpeg4")
    assert is_video(clip)
    info = probe_video(clip)
    assert info.container == "avi" and info.frames == 4
    assert len(_frames(clip)) == 4


def test_heic_brand_is_not_a_video(tmp_path):
    photo = tmp_path / "photo.mp4"
    photo.write_bytes(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 32)
    assert not is_video(photo)


# ----------------------------------------------------------------- round trips
def test_probe_and_decode_count_fps_and_pixels(tmp_path):
    source = panning(12)
    clip = make_clip(tmp_path / "c.mp4", source, fps=24)
    info = probe_video(clip)
    assert (info.frames, info.frames_exact, info.fps) == (12, True, Fraction(24))
    assert (info.width, info.height, info.rotation, info.has_audio) == (64, 48, 0, False)
    assert not info.variable_frame_rate
    frames = _frames(clip)
    assert [f.index for f in frames] == list(range(12))
    assert [f.time for f in frames] == [Fraction(i, 24) for i in range(12)]
    errors = [np.abs(frames[5].rgb.astype(int) - source[k]).mean() for k in (4, 5, 6)]
    assert errors[1] < 10 and errors[1] < errors[0] / 2 and errors[1] < errors[2] / 2  # lossy, same picture


def test_frame_range_every_and_resize(tmp_path):
    clip = make_clip(tmp_path / "c.mp4", panning(20))
    frames = _frames(clip, frame_range=(3, 15), every=4, size=32)
    assert [f.index for f in frames] == [3, 7, 11]
    assert frames[0].rgb.shape == (24, 32, 3)
    assert parse_frame_range("0:96") == (0, 96) and parse_frame_range("5:") == (5, None)


def test_rotation_metadata_gives_upright_frames(tmp_path):
    upright = np.zeros((40, 24, 3), np.uint8)  # portrait, red band at the top
    upright[:8] = (255, 0, 0)
    stored = np.ascontiguousarray(np.rot90(upright, k=1))  # stored landscape, like a phone
    clip = make_clip(tmp_path / "phone.mp4", [stored] * 3, rotation=-90)  # shown turned clockwise
    info = probe_video(clip)
    assert (info.width, info.height, info.rotation) == (24, 40, 270)
    rgb = _frames(clip)[0].rgb
    assert rgb.shape == (40, 24, 3)
    assert rgb[2, 12, 0] > 200 and rgb[30, 12, 0] < 60  # red on top, as displayed


def test_vfr_timestamps_survive_decode_and_encode(tmp_path):
    pts = [0, 40, 120, 130, 200, 400, 410, 500]
    clip = make_clip(tmp_path / "vfr.mp4", panning(8), pts=pts, time_base=Fraction(1, 1000))
    info = probe_video(clip)
    assert info.variable_frame_rate and info.frames == 8
    frames = _frames(clip)
    assert [f.time for f in frames] == [Fraction(p, 1000) for p in pts]
    out = tmp_path / "out.mp4"
    with VideoWriter(out, time_base=info.time_base) as writer:
        for f in frames:
            writer.write(f.rgb, f.time)
    assert [f.time for f in _frames(out)] == [Fraction(p, 1000) for p in pts]


@pytest.mark.parametrize("name, codec", [("o.mp4", "aac"), ("o.mkv", "aac"), ("o.webm", "opus")])
def test_audio_is_carried_over(tmp_path, name, codec):
    clip = make_clip(tmp_path / "s.mp4", panning(20), fps=10, audio_seconds=2.0)
    frames = _frames(clip)
    out = tmp_path / name
    with VideoWriter(out, fps=10, audio=AudioClip(clip)) as writer:
        for f in frames:
            writer.write(f.rgb, f.time)
    info = probe_video(out)
    assert info.has_audio and info.audio_codec == codec
    assert abs(audio_seconds(out) - 2.0) < 0.1


def test_audio_trimmed_to_frame_range(tmp_path):
    clip = make_clip(tmp_path / "s.mp4", panning(30), fps=10, audio_seconds=3.0)
    frames = _frames(clip, frame_range=(10, 20))
    out = tmp_path / "part.mp4"
    with VideoWriter(out, fps=10, audio=AudioClip(clip, frames[0].time, Fraction(2))) as writer:
        for f in frames:
            writer.write(f.rgb, f.time)
    assert probe_video(out).frames == 10
    assert abs(audio_seconds(out) - 1.0) < 0.1


def test_odd_size_mp4_is_padded_and_encodes(tmp_path):
    out = tmp_path / "odd.mp4"
    writer = VideoWriter(out, fps=5)
    with writer:
        for f in panning(4, height=33, width=47):
            writer.write(f)
    info = probe_video(out)
    assert (info.width, info.height, info.frames) == (48, 34, 4)
    assert any("even" in note for note in writer.notes)


def test_png_folder_output(tmp_path):
    out = tmp_path / "frames"
    with VideoWriter(str(out) + "/") as writer:
        for f in panning(3):
            writer.write(f)
    assert sorted(p.name for p in out.iterdir()) == ["frame_000001.png", "frame_000002.png", "frame_000003.png"]
    assert leftovers(tmp_path) == ["frames"]


def test_gif_in_and_out(tmp_path):
    source = panning(6)
    out = tmp_path / "anim.gif"
    with VideoWriter(out, fps=10) as writer:
        for f in source:
            writer.write(f)
    assert is_video(out)
    info = probe_video(out)
    assert info.frames == 6 and abs(float(info.fps) - 10) < 0.5
    frames = _frames(out)
    assert np.abs(frames[2].rgb.astype(int) - source[2]).mean() < 8  # 256-colour palette


def test_tensor_frames_are_accepted(tmp_path):
    torch = pytest.importorskip("torch")
    out = tmp_path / "t.mkv"
    with VideoWriter(out, fps=5) as writer:
        for _ in range(2):
            writer.write(torch.full((1, 3, 16, 16), 0.5))
    assert abs(int(_frames(out)[0].rgb.mean()) - 128) <= 2


def test_check_video_output_kinds(tmp_path):
    assert check_video_output(tmp_path / "a.mp4").codec == "libx264"
    assert check_video_output(tmp_path / "a.webm").codec == "libvpx-vp9"
    assert check_video_output(tmp_path / "a.gif").name == "gif"
    assert check_video_output(str(tmp_path / "frames") + "/").name == "folder"
    assert check_video_output(tmp_path).name == "folder"
