"""Shots as jobs of their own: grouping cuts into segments, joining pieces by copying packets,
and a split run in this process that is interrupted and resumed (Ray: tests/test_ray.py)."""
from __future__ import annotations

import json
from fractions import Fraction

import pytest
from helpers import random_png
from helpers import run_cli as run
from video_clips import audio_seconds, leftovers, make_clip, panning

from genart.core.errors import ExitCode
from genart.engine.segments import _merge_short
from genart.video import AudioClip, probe_video, read_frames, render_video
from genart.video.join import Piece, join_videos

from test_cli_video import STYLE


def test_short_shots_run_on_into_the_next():
    assert _merge_short([0, 24, 27, 29, 48], 60, 12) == [0, 24, 48]
    assert _merge_short([0, 24, 55], 60, 12) == [0, 24]  # a short last shot joins the one before
    assert _merge_short([0, 5], 8, 12) == [0]


@pytest.fixture
def two_shots(tmp_path):
    frames = panning(10, 48, 64, seed=0) + panning(7, 48, 64, seed=5)
    return make_clip(tmp_path / "two.mp4", frames, fps=10, audio_seconds=1.7)


@pytest.mark.parametrize("output, piece", [("out.mp4", ".mp4"), ("out.mkv", ".mp4"), ("out.mov", ".mp4"),
                                           ("out.webm", ".webm")])
def test_pieces_are_joined_in_time_with_the_sound(two_shots, tmp_path, output, piece):
    a = render_video(two_shots, tmp_path / f"a{piece}", lambda c: c.source, frame_range=(0, 10), audio=False)
    b = render_video(two_shots, tmp_path / f"b{piece}", lambda c: c.source, frame_range=(10, 17), audio=False)
    out = join_videos([Piece(a.output, Fraction(0)), Piece(b.output, Fraction(1))], tmp_path / output,
                      audio=AudioClip(two_shots, Fraction(0), None), metadata={"genart": "test"})
    info = probe_video(out)
    assert (info.frames, info.fps) == (17, 10)
    assert [float(f.time) for f in read_frames(out)] == [i / 10 for i in range(17)]
    assert abs(audio_seconds(out) - 1.7) < 0.1
    source = [f.rgb.astype(float) for f in read_frames(two_shots)]
    assert all(abs(x.rgb - y).mean() < 8 for x, y in zip(read_frames(out), source))


def test_a_split_run_resumes_after_ctrl_c_and_joins(tmp_path, monkeypatch, capsys):
    import genart.commands.style.video as style_video

    clip = make_clip(tmp_path / "two.mp4", panning(14, 48, 64, seed=0) + panning(12, 48, 64, seed=5), fps=10,
                     audio_seconds=2.6)
    starry = random_png(tmp_path / "starry.png", 2, (40, 40))
    out = tmp_path / "out.mp4"
    args = ["style", str(clip), "-s", str(starry), "-o", str(out), "--split-shots", "--json", *STYLE]
    real, calls = style_video.stylize_frame, []

    def interrupted(ctx, *a, **kw):
        calls.append(ctx.source_index)
        if ctx.source_index == 16 and calls.count(16) == 1:
            raise KeyboardInterrupt
        return real(ctx, *a, **kw)

    monkeypatch.setattr(style_video, "stylize_frame", interrupted)
    code, stdout, _ = run(args, monkeypatch, capsys)
    assert code == ExitCode.INTERRUPTED and not out.exists() and stdout == ""
    pieces = tmp_path / "out.mp4.genart-pieces"
    assert sorted(p.name for p in pieces.iterdir()) == ["000000-000014.mp4", "000014-000026.mp4.genart-work"]
    code, stdout, err = run(args, monkeypatch, capsys)
    assert code == 0, err
    assert calls.count(0) == 1 and calls[calls.index(16) + 1:] == list(range(16, 26))  # only the rest was rendered
    [record] = [json.loads(line) for line in stdout.splitlines()]
    assert record["result"]["segments"] == [[0, 14], [14, 26]] and record["result"]["frames"] == 26
    assert probe_video(out).frames == 26 and leftovers(tmp_path) == ["out.mp4", "starry.png", "two.mp4"]


def test_split_shots_and_shards_do_not_mix(tmp_path, monkeypatch, capsys):
    clip = make_clip(tmp_path / "c.mp4", panning(3))
    code, _, err = run(["dream", str(clip), "--split-shots", "--shard", "0/2", "-o", str(tmp_path / "o.mp4")],
                       monkeypatch, capsys)
    assert code == ExitCode.USAGE and "--shard" in err
