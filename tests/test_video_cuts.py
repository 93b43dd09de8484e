"""Scene cut detection: synthetic cuts, and the ground truth of the shared phone clip."""
from __future__ import annotations

import numpy as np
from video_clips import panning

from genart.video import CutDetector, detect_cuts, read_frames

# Established by looking at contact sheets of ../shared/videos/portrait_cuts.mp4 (frame
# numbers from 0): new camera shots at 29, 48, 52, 55, 57, 59, 62, 132, 145 and 161, and
# frames no earlier frame predicts: an orange colour flash over the same shot (24), a fade
# to white (27; 28 repeats it), light-leak transition frames (60, 61, 129-131, 142-144)
# and a whip-blur into the screen-recording shot (160).
PORTRAIT_CUTS = [24, 27, 29, 48, 52, 55, 57, 59, 60, 61, 62, 129, 130, 131, 132, 142, 143, 144, 145, 160, 161]


def test_shared_clip_cuts_match_ground_truth(shared_dir):
    frames = [f.rgb for f in read_frames(shared_dir / "videos" / "portrait_cuts.mp4", size=128)]
    assert len(frames) == 177
    assert detect_cuts(frames) == PORTRAIT_CUTS


def test_cut_between_similar_shots_is_confirmed_by_flow():
    # Two textures with the same colour statistics: the histogram alone is not decisive
    # (a candidate), the flow between them fails, so it is a cut.
    shot_a, shot_b = panning(6, seed=0), panning(6, seed=5)
    assert detect_cuts(shot_a + shot_b) == [6]
    detector = CutDetector()
    flags = [detector.update(f) for f in shot_a + shot_b]  # without flow: not sure, no cut
    assert not any(flags)


def test_colour_change_of_the_same_shot_is_not_a_cut():
    frames = panning(8)
    frames[7] = (frames[7] * np.array([1.0, 1.0, 0.8])).astype(np.uint8)  # a mild tint
    assert detect_cuts(frames) == []


def test_flash_to_white_is_a_cut_and_smooth_motion_is_not():
    frames = panning(10, step=(3, 2))
    assert detect_cuts(frames) == []
    frames[5] = np.full_like(frames[5], 250)
    assert detect_cuts(frames) == [5, 6]
