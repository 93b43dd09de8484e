"""Real weights on the real clip: genart's temporal style loop is far steadier than frames
styled independently (a few small frames, few iterations; the full figures are in
docs/PERFORMANCE.md, "Video")."""
from __future__ import annotations

import dataclasses

import pytest
import torch

from genart.commands.style.video import stylize_frame
from genart.imageio import load_image, to_tensor
from genart.models import load_backbone
from genart.presets import resolve
from genart.video import render_video


@pytest.fixture(autouse=True)
def _one_thread():
    saved = torch.get_num_threads()
    torch.set_num_threads(1)  # small frames: a second thread mostly spins on a busy machine
    yield
    torch.set_num_threads(saved)


def test_the_default_is_far_steadier_than_independent_frames(shared_dir, tmp_path):
    weights = shared_dir / "weights" / "vgg19-caffe-conv1_1-conv3_4.pth"
    flags = {"weights": str(weights), "size": 112, "start_size": 80, "iterations": 15, "coarse_iterations": 10,
             "frame_iterations": 8}
    cfg = resolve("style", preset="vgg19-partial", flags=flags).config
    backbone = load_backbone(cfg.model, weights=cfg.weights, device="cpu")
    starry = to_tensor(load_image(shared_dir / "images" / "art" / "starry_night.jpg"))

    def render(config, name):
        def frame(ctx):
            return stylize_frame(ctx, [starry], config, backbone=backbone)

        clip = shared_dir / "videos" / "portrait_cuts.mp4"
        return render_video(clip, tmp_path / name, frame, size=config.size, frame_range=(96, 101)).warping_error

    default = render(cfg, "default.mp4")
    independent = render(dataclasses.replace(cfg, temporal_weight=0.0), "independent.mp4")
    assert default < 0.4 * independent, (default, independent)
