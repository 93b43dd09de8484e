"""Bad video input and output: one line naming the file, the documented exit code, nothing left behind."""
from __future__ import annotations

import av
import numpy as np
import pytest
from video_clips import add_tone, leftovers, make_clip, panning

from genart.core.errors import ExitCode, GenartError, VideoError, VideoUsageError
from genart.video import VideoWriter, check_video_output, probe_video, read_frames, render_video


def _identity(ctx):
    return ctx.source


def _assert_one_line(info, name: str, code: ExitCode = ExitCode.FAILURE) -> str:
    message = str(info.value)
    assert isinstance(info.value, GenartError)
    assert name in message and "\n" not in message
    assert info.value.exit_code == code
    return message


def _audio_only(path):
    container = av.open(str(path), "w", format="mp4")
    add_tone(container, container.add_stream("aac", rate=48000, layout="mono"), 1.0)
    container.close()
    return path


def _tiny_stream(container, codec: str):
    stream = container.add_stream(codec, rate=10)
    stream.width, stream.height, stream.pix_fmt = 16, 16, "yuv420p"
    return stream


def _no_frames(path):
    """A Matroska file that declares a video track but holds only audio packets."""
    container = av.open(str(path), "w", format="matroska")
    _tiny_stream(container, "libx264")
    add_tone(container, container.add_stream("aac", rate=48000, layout="mono"), 0.1)
    container.close()
    return path


def _unknown_codec(path):
    """An FFV1 Matroska file whose codec id is rewritten to one FFmpeg does not know."""
    container = av.open(str(path), "w", format="matroska")
    stream = _tiny_stream(container, "ffv1")
    for i in range(2):
        frame = av.VideoFrame.from_ndarray(np.zeros((16, 16, 3), np.uint8), "rgb24").reformat(format="yuv420p")
        frame.pts = i
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))
    container.close()
    data = path.read_bytes()
    assert data.count(b"V_FFV1") == 1
    path.write_bytes(data.replace(b"V_FFV1", b"V_QQQ1"))
    return path


def _truncated_index_last(path):
    """An MP4 whose index (moov) sits at the end, cut in half: the index is gone."""
    make_clip(path, panning(10))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _truncated_faststart(path):
    """An MP4 with its index first, cut short: the index promises frames the file lacks."""
    full = path.with_name("full.mp4")
    container = av.open(str(full), "w", format="mp4", options={"movflags": "+faststart"})
    stream = container.add_stream("libx264", rate=10)
    stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
    for i, rgb in enumerate(panning(10)):
        frame = av.VideoFrame.from_ndarray(rgb, "rgb24").reformat(format="yuv420p")
        frame.pts = i
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))
    container.close()
    data = full.read_bytes()
    full.unlink()
    path.write_bytes(data[: len(data) - 600])
    return path


BAD_INPUTS = {
    "zero-byte": (lambda p: (p.write_bytes(b""), p)[1], "empty file"),
    "truncated": (_truncated_index_last, "truncated or damaged"),
    "truncated-faststart": (_truncated_faststart, "truncated"),
    "audio-only": (_audio_only, "no video stream"),
    "no-frames": (_no_frames, "0 frames"),
    "unknown-codec": (_unknown_codec, "unsupported video codec"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_one_line_and_nothing_left(tmp_path, case):
    make, words = BAD_INPUTS[case]
    source = make(tmp_path / ("bad.mkv" if case in ("no-frames", "unknown-codec") else "bad.mp4"))
    with pytest.raises(VideoError) as info:
        probe_video(source)
    assert words in _assert_one_line(info, source.name)
    with pytest.raises(VideoError):
        render_video(source, tmp_path / "out.mp4", _identity)
    assert leftovers(tmp_path) == [source.name]


def test_missing_file(tmp_path):
    with pytest.raises(VideoError) as info:
        probe_video(tmp_path / "nope.mp4")
    assert "no such file" in _assert_one_line(info, "nope.mp4")


def test_frame_range_outside_clip(tmp_path):
    clip = make_clip(tmp_path / "c.mp4", panning(10))
    for frame_range in [(10, 12), (5, 11), (20, None)]:
        with pytest.raises(VideoUsageError) as info:
            list(read_frames(clip, frame_range=frame_range))
        assert "outside the clip" in _assert_one_line(info, "c.mp4", ExitCode.USAGE)
        with pytest.raises(VideoUsageError):
            render_video(clip, tmp_path / "out.mp4", _identity, frame_range=frame_range)
    assert leftovers(tmp_path) == ["c.mp4"]


@pytest.mark.parametrize("name", ["out.png", "out.txt", "out", "out.avi"])
def test_output_that_cannot_hold_video(tmp_path, name):
    clip = make_clip(tmp_path / "c.mp4", panning(3))
    with pytest.raises(VideoUsageError) as info:
        check_video_output(tmp_path / name)
    assert "cannot hold a video" in _assert_one_line(info, name, ExitCode.USAGE)
    with pytest.raises(VideoUsageError):
        render_video(clip, tmp_path / name, _identity)
    assert leftovers(tmp_path) == ["c.mp4"]


def test_output_folder_missing(tmp_path):
    with pytest.raises(VideoError) as info:
        check_video_output(tmp_path / "no" / "out.mp4")
    _assert_one_line(info, "out.mp4")


def test_output_is_the_input(tmp_path):
    clip = make_clip(tmp_path / "c.mp4", panning(3))
    with pytest.raises(VideoUsageError):
        render_video(clip, clip, _identity)
    assert leftovers(tmp_path) == ["c.mp4"]


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_writer_interrupted_leaves_nothing(tmp_path, error):
    out = tmp_path / "out.mp4"
    with pytest.raises(error):
        with VideoWriter(out, fps=5) as writer:
            for i, rgb in enumerate(panning(5)):
                writer.write(rgb)
                if i == 2:
                    raise error()
    assert leftovers(tmp_path) == []


def test_writer_with_no_frames_is_an_error(tmp_path):
    with pytest.raises(VideoError):
        with VideoWriter(tmp_path / "out.webm"):
            pass
    assert leftovers(tmp_path) == []
