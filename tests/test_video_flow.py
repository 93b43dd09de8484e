"""Optical flow, warping, forward-backward consistency, RAFT plumbing."""
from __future__ import annotations

import numpy as np
import pytest
from video_clips import texture

from genart.core.errors import UsageError, WeightsUnavailableOffline
from genart.video import FLOW_METHODS, consistency_mask, estimate_flow, flow_pair, warp


def _shifted(dx: int, dy: int):
    """(a, b) where b shows a's content moved by (dx, dy): a[y, x] == b[y + dy, x + dx]."""
    big = texture(120, 140, seed=1)
    y0, x0, h, w = 20, 20, 64, 80
    return big[y0 : y0 + h, x0 : x0 + w], big[y0 - dy : y0 - dy + h, x0 - dx : x0 - dx + w]


@pytest.mark.parametrize("method", ["dis", "farneback"])
@pytest.mark.parametrize("dx, dy", [(3, -2), (5, 4)])
def test_flow_of_a_shift(method, dx, dy):
    a, b = _shifted(dx, dy)
    flow = estimate_flow(a, b, method)
    inner = flow[8:-8, 8:-8]
    assert flow.shape == (64, 80, 2) and flow.dtype == np.float32
    assert np.median(np.linalg.norm(inner - [dx, dy], axis=-1)) < 0.2


def test_warping_the_shifted_image_back_matches():
    a, b = _shifted(5, 4)
    back = warp(b.astype(np.float32) / 255, estimate_flow(a, b))
    plain = np.abs(b.astype(np.float32) / 255 - a / 255)[8:-8, 8:-8].mean()
    error = np.abs(back - a / 255)[8:-8, 8:-8].mean()
    assert error < 0.01 and error < plain / 10


def test_zero_flow_warp_is_identity():
    image = texture(20, 30).astype(np.float32) / 255
    assert np.allclose(warp(image, np.zeros((20, 30, 2), np.float32)), image)


def test_consistency_marks_the_disoccluded_band():
    background, square = texture(64, 96, seed=2), texture(24, 24, seed=3, blur=1.5)
    before, after = background.copy(), background.copy()
    before[20:44, 30:54] = square
    after[20:44, 36:60] = square  # the square moved 6 px right: 30..36 is uncovered
    _, mask = flow_pair(after, before)
    assert mask[22:42, 30:36].mean() < 0.2  # background seen for the first time
    assert mask[:, 72:90].mean() > 0.9  # static background far away
    assert mask[26:38, 42:54].mean() > 0.9  # inside the moving square


def test_consistency_of_a_plain_shift_excludes_what_left_the_frame():
    a, b = _shifted(6, 0)
    mask = consistency_mask(estimate_flow(a, b), estimate_flow(b, a))
    assert mask[:, -4:].mean() < 0.2  # their match lies outside b
    assert mask[8:-8, 8:-12].mean() > 0.9


def test_unknown_method_is_a_usage_error():
    a, b = _shifted(1, 1)
    with pytest.raises(UsageError, match="dis"):
        estimate_flow(a, b, "nope")
    assert {"dis", "farneback", "raft", "raft-small"} <= set(FLOW_METHODS)


def test_raft_offline_without_weights_names_the_file():
    a, b = _shifted(1, 1)
    with pytest.raises(WeightsUnavailableOffline, match="raft_small_C_T_V2-01064c6d.pth"):
        estimate_flow(a, b, "raft-small")


def test_raft_plumbing_with_random_weights():
    torch = pytest.importorskip("torch")
    from torchvision.models.optical_flow import raft_small

    from genart.video.raft import RaftFlow

    torch.manual_seed(0)
    method = RaftFlow("raft_small", network=raft_small(weights=None), device="cpu", updates=1)
    a, b = _shifted(2, 1)
    flow = estimate_flow(a[:36, :50], b[:36, :50], method)  # padded to RAFT's minimum inside
    assert flow.shape == (36, 50, 2) and np.isfinite(flow).all()


def test_the_configs_offer_every_flow_method():
    from genart.video.flow import FLOW_METHODS
    from genart.video.params import FLOW_NAMES

    assert FLOW_NAMES == tuple(FLOW_METHODS)
