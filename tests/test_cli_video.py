"""`genart style` and `genart dream` on videos, through the real entry point (random-init
weights, tiny synthetic clips): round trips, mixed folders, frame selection, resume after
Ctrl-C, bad inputs, --json."""
from __future__ import annotations

import json
from fractions import Fraction

import pytest
from helpers import random_png
from helpers import run_cli as run
from video_clips import audio_seconds, leftovers, make_clip, panning

from genart.core.errors import ExitCode
from genart.video import probe_video, work_folder_for

from test_video_errors import BAD_INPUTS

# One torch thread: tiny networks waste most of a second thread's time spinning on a busy machine.
STYLE = ["--model", "vgg19-caffe", "--weights", "random", "--size", "40", "--no-pyramid", "--iterations", "2",
         "--frame-iterations", "1", "--style-layers", "relu1_1,relu2_1", "--content-layers", "relu2_1",
         "--threads", "1", "-q"]
DREAM = ["--weights", "random", "--octaves", "1", "--iterations", "1", "--jitter", "2", "--layers", "inception_3a",
         "--threads", "1", "-q"]


@pytest.fixture
def clip(tmp_path):
    return make_clip(tmp_path / "clip.mp4", panning(8, 48, 64), fps=10, audio_seconds=0.8)


@pytest.fixture
def starry(tmp_path):
    return random_png(tmp_path / "starry.png", 2, (40, 40))


def _records(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_style_on_a_clip_gives_a_video_with_its_frames_timing_and_sound(clip, starry, tmp_path, monkeypatch, capsys):
    out = tmp_path / "clip_starry.mp4"
    code, stdout, err = run(["style", str(clip), "-s", str(starry), "-o", str(out), "--json", *STYLE], monkeypatch, capsys)
    assert code == 0, err
    [record] = _records(stdout)  # one object per video
    assert record["status"] == "ok" and record["output"] == str(out)
    result = record["result"]
    assert result["frames"] == 8 and result["output"] == str(out) and result["seconds"] > 0
    assert result["warping_error"] is not None
    info = probe_video(out)
    assert (info.frames, info.fps, (info.width, info.height)) == (8, Fraction(10), (40, 30))
    assert abs(audio_seconds(out) - 0.8) < 0.1
    assert leftovers(tmp_path) == ["clip.mp4", "clip_starry.mp4", "starry.png"]  # no work folder left


def test_dream_on_a_clip_keeps_frames_and_sound_and_takes_a_frame_range(clip, tmp_path, monkeypatch, capsys):
    out = tmp_path / "dream.mkv"
    code, stdout, err = run(["dream", str(clip), "-o", str(out), "--json", "--frame-range", "2:8", "--every", "2",
                             *DREAM], monkeypatch, capsys)
    assert code == 0, err
    assert _records(stdout)[0]["result"]["frames"] == 3  # frames 2, 4, 6
    info = probe_video(out)
    assert (info.frames, (info.width, info.height)) == (3, (64, 48))
    assert abs(audio_seconds(out) - 0.6) < 0.1  # the sound of frames 2..7


def test_a_folder_mixes_videos_and_images(clip, starry, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "clips"
    folder.mkdir()
    clip.rename(folder / "clip.mov")  # the output keeps the input's container
    random_png(folder / "photo.png", 0)
    outdir = tmp_path / "styled"
    code, stdout, err = run(["style", str(folder), "-s", str(starry), "-o", str(outdir), "--json", *STYLE],
                            monkeypatch, capsys)
    assert code == 0, err
    assert sorted(p.name for p in outdir.iterdir()) == ["clip_starry.mov", "photo_starry.png"]
    by_input = {r["input"]: r["result"] for r in _records(stdout)}
    assert by_input[str(folder / "clip.mov")]["frames"] == 8 and by_input[str(folder / "photo.png")]["width"] == 40
    code, stdout, err = run(["style", str(folder), "-s", str(starry), "-o", str(tmp_path / "webm"), "--format", "webm",
                             "--frame-range", "0:2", *STYLE], monkeypatch, capsys)
    assert code == 0, err  # --format webm changes the videos only
    assert sorted(p.name for p in (tmp_path / "webm").iterdir()) == ["clip_starry.webm", "photo_starry.png"]


def test_ctrl_c_keeps_finished_frames_and_a_rerun_resumes(clip, starry, tmp_path, monkeypatch, capsys):
    import genart.commands.style.video as style_video

    out = tmp_path / "out.mp4"
    args = ["style", str(clip), "-s", str(starry), "-o", str(out), "--json", *STYLE]
    real = style_video.stylize_frame
    calls = []

    def interrupted(ctx, *a, **kw):
        calls.append(ctx.index)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(ctx, *a, **kw)

    monkeypatch.setattr(style_video, "stylize_frame", interrupted)
    code, stdout, err = run(args, monkeypatch, capsys)
    assert code == ExitCode.INTERRUPTED and not out.exists()
    assert leftovers(tmp_path) == ["clip.mp4", "out.mp4.genart-work", "starry.png"]  # no half-written video
    assert len(list(work_folder_for(out).glob("*.png"))) == 3
    code, stdout, err = run(args, monkeypatch, capsys)
    assert code == 0, err
    assert calls[4:] == [3, 4, 5, 6, 7]  # resumed at the first unfinished frame
    result = _records(stdout)[0]["result"]
    assert (result["resumed_from"], result["rendered"], result["frames"]) == (3, 5, 8)
    assert probe_video(out).frames == 8 and leftovers(tmp_path) == ["clip.mp4", "out.mp4", "starry.png"]
    code, _, err = run(args, monkeypatch, capsys)
    assert code == 1 and "exists" in err  # a finished video is not redone without --overwrite


@pytest.mark.parametrize("case", ["zero-byte", "truncated", "audio-only", "no-frames", "unknown-codec"])
def test_a_bad_video_fails_with_one_line_and_leaves_nothing(case, starry, tmp_path, monkeypatch, capsys):
    make, words = BAD_INPUTS[case]
    source = make(tmp_path / ("bad.mkv" if case in ("no-frames", "unknown-codec") else "bad.mp4"))
    code, _, err = run(["dream", str(source), "-o", str(tmp_path / "out.mp4"), *DREAM], monkeypatch, capsys)
    assert code == ExitCode.FAILURE
    [line] = err.strip().splitlines()
    assert source.name in line and words in line
    assert leftovers(tmp_path) == sorted([source.name, "starry.png"])


@pytest.mark.parametrize("args, words", [
    (["--frame-range", "6:20"], "outside the clip"),
    (["--frame-range", "8:"], "outside the clip"),
    (["--frame-range", "5"], "expected START:END"),
    (["-o", "OUT/still.png"], "cannot hold a video"),
    (["-o", "-"], "standard output"),
])
def test_bad_video_usage_is_refused_before_any_work(args, words, clip, starry, tmp_path, monkeypatch, capsys):
    args = [a.replace("OUT", str(tmp_path)) for a in args]
    output = [] if "-o" in args else ["-o", str(tmp_path / "out.mp4")]
    code, stdout, err = run(["style", str(clip), "-s", str(starry), *output, *args, *STYLE], monkeypatch, capsys)
    assert code == ExitCode.USAGE and words in err and stdout == ""
    assert leftovers(tmp_path) == ["clip.mp4", "starry.png"]


def test_dream_zoom_frames_do_not_apply_to_a_video(clip, tmp_path, monkeypatch, capsys):
    code, _, err = run(["dream", str(clip), "--frames", "3", "-o", str(tmp_path / "z.mp4"), *DREAM], monkeypatch, capsys)
    assert code == ExitCode.USAGE and "--frame-range" in err


def test_the_live_page_shows_a_finished_video_by_its_first_frame(clip):
    from genart.web.pictures import Pictures
    from genart.web.state import LiveState

    jpeg = Pictures(LiveState())._encode(str(clip), 32)
    assert jpeg is not None and jpeg[:2] == b"\xff\xd8"
