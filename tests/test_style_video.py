"""Style transfer for videos: the temporal term of stylize() and the per-frame loop (tiny stand-in network)."""
from __future__ import annotations

import dataclasses

import pytest
import torch
from video_clips import make_clip, panning

from genart.commands.style.algorithm import TemporalTarget, stylize
from genart.commands.style.video import frame_config, stylize_frame
from genart.core.events import StageStarted, Step
from genart.video import render_video

from test_style import _config, _content, _style
from test_style_standin import TinyBackbone


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny networks: one torch thread does the same work without the spinning a second
    thread costs on a busy machine (measured 80x less CPU time under load)."""
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved)


def _stylize(cfg, **kw):
    return stylize(_content(), [_style()], cfg, backbone=TinyBackbone(), **kw)


def test_a_strong_temporal_term_holds_the_reliable_pixels_and_frees_the_rest():
    cfg = _config(pyramid=False, size=64, iterations=20, temporal_weight=1e5)
    target = torch.rand(1, 3, 48, 64, generator=torch.Generator().manual_seed(3))
    mask = torch.zeros(1, 1, 48, 64)
    mask[..., :, :32] = 1.0  # the left half is reliable
    events = []
    out = _stylize(cfg, temporal=[TemporalTarget(target, mask)], callback=events.append)
    left = (out - target)[..., :32].abs().mean().item()
    right = (out - target)[..., 32:].abs().mean().item()
    assert left < 0.02 < right  # held where reliable, free elsewhere
    assert "temporal" in [e for e in events if isinstance(e, Step)][-1].metrics
    free = _stylize(cfg, temporal=[TemporalTarget(target, torch.zeros_like(mask))])
    assert torch.allclose(free, _stylize(cfg), atol=1e-6)  # an all-zero mask changes nothing


def test_the_temporal_term_works_tiled_and_on_luminance():
    target = torch.full((1, 3, 48, 64), 0.5)
    mask = torch.ones(1, 1, 48, 64)
    tiled = _config(pyramid=False, size=160, iterations=6, tile_size=128, temporal_weight=1e5)
    out = stylize(_content(), [_style()], tiled, backbone=TinyBackbone(), temporal=[TemporalTarget(target, mask)])
    assert out.shape == (1, 3, 120, 160) and (out - 0.5).abs().mean() < 0.03
    lum = _config(pyramid=False, size=64, iterations=10, color="luminance", temporal_weight=1e5)
    out = _stylize(lum, temporal=[TemporalTarget(target, mask)])
    luminance = 0.299 * out[:, 0] + 0.587 * out[:, 1] + 0.114 * out[:, 2]
    assert (luminance - 0.5).abs().mean() < 0.03  # the colours are the photo's; the light is held


def test_later_frames_run_one_scale_from_the_warp():
    cfg = _config(size=64, frame_iterations=7, temporal_weight=10.0)
    assert frame_config(cfg, first=True) == cfg
    later = frame_config(cfg, first=False)
    assert (later.pyramid, later.iterations, later.init) == (False, 7, "image")
    assert frame_config(dataclasses.replace(cfg, temporal_weight=0.0), first=False).pyramid  # independent frames


def _render(tmp_path, name, cfg):
    clip = make_clip(tmp_path / "pan.mp4", panning(6, 48, 64, step=(3, 1)), fps=10)
    events = []

    def frame(ctx):
        return stylize_frame(ctx, [_style()], cfg, backbone=TinyBackbone(), callback=events.append)

    return render_video(clip, tmp_path / name, frame, long_term=cfg.long_term), events


def test_the_temporal_loop_is_far_steadier_than_independent_frames(tmp_path):
    # Noise init: each independent frame paints its own pattern that does not follow the pan.
    base = _config(size=64, start_size=32, scale_ratio=2.0, iterations=12, coarse_iterations=6, init="noise",
                   frame_iterations=6)
    independent, _ = _render(tmp_path, "independent.mp4", dataclasses.replace(base, temporal_weight=0.0))
    steady, events = _render(tmp_path, "steady.mp4", dataclasses.replace(base, temporal_weight=1e4, long_term=(2,)))
    assert steady.warping_error < 0.3 * independent.warping_error
    inner = [e.name for e in events if isinstance(e, StageStarted)]
    assert inner[:2] == ["scale 1/2 (32x24)", "scale 2/2 (64x48)"]  # the first frame: the pyramid
    assert inner[2:] == ["scale 1/1 (64x48)"] * 5  # later frames: one scale
