"""render_video: temporal context, cuts, events, resume after interruption, outputs, steadiness metric."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from video_clips import audio_seconds, leftovers, make_clip, panning

from genart.core.errors import VideoError
from genart.core.events import Message, StageStarted, Step
from genart.video import probe_video, read_frames, render_video, warping_error, work_folder_for


def _identity(ctx):
    return ctx.source


def _decoded(path):
    return [f.rgb.astype(np.int16) for f in read_frames(path)]


@pytest.fixture
def clip(tmp_path):
    return make_clip(tmp_path / "clip.mp4", panning(12), fps=10, audio_seconds=1.2)


def test_context_carries_warp_mask_and_restarts_at_cuts(tmp_path):
    source = make_clip(tmp_path / "cut.mp4", panning(6, seed=0) + panning(6, seed=5), fps=10)
    seen = []

    def render(ctx):
        seen.append(ctx)
        return ctx.initial()

    result = render_video(source, tmp_path / "out.mp4", render, long_term=(2,))
    assert result.cuts == (6,) and result.frames == 12
    assert [c.new_shot for c in seen] == [True] + [False] * 5 + [True] + [False] * 5
    assert seen[6].cut and seen[6].warped is None and seen[6].mask is None
    ctx = seen[3]
    assert ctx.warped.shape == (48, 64, 3) and ctx.mask.shape == (48, 64) and ctx.flow.shape == (48, 64, 2)
    assert ctx.mask.mean() > 0.8  # a plain pan: almost everything is reliable
    assert [w.offset for w in ctx.long_term] == [2]
    assert not np.any((ctx.long_term[0].mask > 0) & (ctx.mask > 0))  # Ruder's exclusive masks
    assert seen[7].long_term == ()  # t-2 lies before the cut
    assert ctx.tensor("mask").shape == (1, 1, 48, 64) and ctx.tensor("warped").shape == (1, 3, 48, 64)
    assert result.warping_error is not None and result.warping_error < 1e-3  # initial() copies the warp


def test_events_frames_then_encoding(tmp_path, clip):
    """Each frame is an outer stage (no steps of its own) around what render_frame emits."""
    events = []

    def render(ctx):
        events.append(StageStarted("inner", 0, 1, 2))
        return ctx.source

    render_video(clip, tmp_path / "out.mp4", render, callback=events.append)
    outer = [e for e in events if isinstance(e, StageStarted) and e.steps == 0]
    assert [(s.name, s.index, s.count) for s in outer[:2]] == [("frame 1/12", 0, 12), ("frame 2/12", 1, 12)]
    assert [s.name for s in outer] == [f"frame {i}/12" for i in range(1, 13)] + ["encoding"]
    assert outer[-1].index == outer[-1].count == 12  # all frames done
    kinds = [(e.name if isinstance(e, StageStarted) else type(e).__name__) for e in events[:3]]
    assert kinds == ["frame 1/12", "inner", "Message"]  # the frame, its inner stage, its summary
    assert "warping error" in [e for e in events if isinstance(e, Message)][1].text
    steps = [e for e in events if isinstance(e, Step)]
    assert [s.step for s in steps] == list(range(1, 13))  # encoding, one step per frame


def test_resume_after_interruption(tmp_path, clip):
    out = tmp_path / "out.mp4"
    calls = []

    def interrupted(ctx):
        calls.append((ctx.index, ctx.new_shot, ctx.warped is not None))
        if ctx.index == 5 and len(calls) == 6:
            raise KeyboardInterrupt
        return ctx.source

    with pytest.raises(KeyboardInterrupt):
        render_video(clip, out, interrupted)
    assert not out.exists()
    assert sorted(p.name for p in work_folder_for(out).glob("*.png")) == [f"{i:06d}.png" for i in range(5)]
    assert leftovers(tmp_path) == ["clip.mp4", "out.mp4.genart-work"]

    events = []
    result = render_video(clip, out, interrupted, callback=events.append)
    assert calls[6] == (5, False, True)  # resumed at frame 5, with the previous output warped in
    assert [c[0] for c in calls[6:]] == list(range(5, 12))
    assert (result.resumed_from, result.rendered, result.frames) == (5, 7, 12)
    assert json.loads(json.dumps(result.record()))["frames"] == 12
    assert any(isinstance(e, Message) and "resuming" in e.text for e in events)
    assert leftovers(tmp_path) == ["clip.mp4", "out.mp4"]

    plain = render_video(clip, tmp_path / "plain.mp4", _identity)
    assert plain.frames == 12 and probe_video(out).frames == 12
    assert abs(audio_seconds(out) - 1.2) < 0.1


def test_resumed_frames_equal_an_uninterrupted_run(tmp_path, clip):
    """Frames that depend on the warped previous output come out the same after a resume."""

    def steady(ctx):
        return 0.7 * ctx.initial() + 0.3 * ctx.source

    def stop_at_6(ctx):
        if ctx.index == 6:
            raise KeyboardInterrupt
        return steady(ctx)

    with pytest.raises(KeyboardInterrupt):
        render_video(clip, f"{tmp_path}/resumed/", stop_at_6, long_term=(2,))
    render_video(clip, f"{tmp_path}/resumed/", steady, long_term=(2,))
    render_video(clip, f"{tmp_path}/plain/", steady, long_term=(2,))
    resumed = sorted((tmp_path / "resumed").iterdir())
    plain = sorted((tmp_path / "plain").iterdir())
    assert len(resumed) == len(plain) == 12
    for a, b in zip(resumed, plain):
        assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b))), a.name


def test_changed_settings_start_over(tmp_path, clip):
    out = tmp_path / "out.mp4"

    def stop_at_3(ctx):
        if ctx.index == 3:
            raise KeyboardInterrupt
        return ctx.source

    with pytest.raises(KeyboardInterrupt):
        render_video(clip, out, stop_at_3, settings={"style_weight": 1.0})
    indices, events = [], []

    def record(ctx):
        indices.append(ctx.index)
        return ctx.source

    render_video(clip, out, record, settings={"style_weight": 2.0}, callback=events.append)
    assert indices[0] == 0
    assert any(isinstance(e, Message) and e.level == "warning" and "starts over" in e.text for e in events)


def test_resume_off_starts_over(tmp_path, clip):
    out = tmp_path / "out.mp4"
    with pytest.raises(KeyboardInterrupt):
        render_video(clip, out, lambda ctx: (_ for _ in ()).throw(KeyboardInterrupt) if ctx.index == 4 else ctx.source)
    indices = []
    render_video(clip, out, lambda ctx: indices.append(ctx.index) or ctx.source, resume=False)
    assert indices == list(range(12))


def test_a_foreign_work_folder_is_left_alone(tmp_path, clip):
    out = tmp_path / "out.mp4"
    foreign = work_folder_for(out)
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(VideoError, match="not a genart work folder"):
        render_video(clip, out, _identity)
    assert (foreign / "notes.txt").read_text() == "mine" and not out.exists()


def test_work_manifest_records_the_settings(tmp_path, clip):
    out = tmp_path / "out.mp4"
    with pytest.raises(KeyboardInterrupt):
        render_video(
            clip, out, lambda ctx: (_ for _ in ()).throw(KeyboardInterrupt), size=32, frame_range=(2, 10), every=2,
            settings={"iterations": 50},
        )
    manifest = json.loads((work_folder_for(out) / "manifest.json").read_text())
    assert manifest["size"] == [24, 32] and manifest["selection"] == [2, 10, 2]
    assert manifest["settings"] == {"iterations": 50} and manifest["flow"] == "dis"


def test_frame_range_every_keeps_timing_and_trims_audio(tmp_path, clip):
    out = tmp_path / "part.mp4"
    result = render_video(clip, out, _identity, frame_range=(2, 10), every=2)
    assert result.frames == 4
    times = [f.time for f in read_frames(out)]
    assert [float(t) for t in times] == pytest.approx([0.0, 0.2, 0.4, 0.6])
    assert abs(audio_seconds(out) - 0.8) < 0.1


@pytest.mark.parametrize("name", ["out.gif", "frames/", "out.webm"])
def test_other_outputs(tmp_path, clip, name):
    result = render_video(clip, f"{tmp_path}/{name}", _identity, size=32)
    assert result.frames == 12
    if name.endswith("/"):
        assert len(list((tmp_path / "frames").glob("frame_*.png"))) == 12
    else:
        assert probe_video(tmp_path / name).frames == 12
    assert not work_folder_for(tmp_path / name).exists()


def test_portrait_clip_renders_upright(tmp_path):
    upright = np.zeros((40, 24, 3), np.uint8)
    upright[:8] = (255, 0, 0)
    phone = make_clip(tmp_path / "phone.mp4", [np.ascontiguousarray(np.rot90(upright))] * 4, rotation=-90)
    out = tmp_path / "out.mp4"
    render_video(phone, out, _identity)
    info = probe_video(out)
    assert (info.width, info.height, info.rotation) == (24, 40, 0)
    assert _decoded(out)[0][2, 12, 0] > 200


def test_warping_error_orders_steady_above_flicker():
    frames = panning(10, step=(2, 1))
    rng = np.random.RandomState(0)
    flicker = [np.clip(f + rng.randint(-30, 30, f.shape), 0, 255).astype(np.uint8) for f in frames]
    floor = warping_error(frames, frames)
    noisy = warping_error(flicker, frames)
    assert floor.pairs == tuple(range(1, 10))
    assert floor.mean < 2e-4 and noisy.mean > 10 * floor.mean


def test_warping_error_of_the_shared_clip_source(shared_dir):
    frames = [f.rgb for f in read_frames(shared_dir / "videos" / "portrait_cuts.mp4", size=128, frame_range=(0, 36))]
    result = warping_error(frames, frames)
    assert 24 not in result.pairs and 27 not in result.pairs and 29 not in result.pairs  # cuts left out
    assert 0 < result.mean < 0.003
