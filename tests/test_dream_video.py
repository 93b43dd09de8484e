"""The dream video loop's start image: the new frame with the previous dream, warped, blended in."""
from __future__ import annotations

import torch

from genart.commands.dream.algorithm import video_start


def test_the_warped_dream_is_blended_in_where_the_flow_is_reliable():
    source = torch.zeros(1, 3, 4, 6)
    warped = torch.ones(1, 3, 4, 6)
    mask = torch.zeros(1, 1, 4, 6)
    mask[..., :3] = 1.0
    start = video_start(source, warped, mask, 0.75)
    assert torch.allclose(start[..., :3], torch.full((1, 3, 4, 3), 0.75))  # reliable: blended
    assert torch.equal(start[..., 3:], source[..., 3:])  # unreliable: the new frame
    assert torch.equal(video_start(source, None, None, 0.75), source)  # a new shot
    assert torch.equal(video_start(source, warped, mask, 0.0), source)  # --blend 0: independent frames
    assert torch.allclose(video_start(source, warped, None, 0.5), torch.full_like(source, 0.5))


def test_later_frames_dream_fewer_steps_unless_frames_are_independent():
    from genart.commands.dream.algorithm import video_frame_config
    from genart.commands.dream.config import DreamConfig

    cfg = DreamConfig(iterations=10, blend=0.75)
    assert video_frame_config(cfg, first=True) == cfg
    assert video_frame_config(cfg, first=False).iterations == 5  # default: half
    assert video_frame_config(DreamConfig(iterations=10, frame_iterations=3), first=False).iterations == 3
    assert video_frame_config(DreamConfig(iterations=10, blend=0.0), first=False).iterations == 10
