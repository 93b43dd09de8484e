"""Steadiness of a rendered video: the short-term warping error of Lai et al. 2018.

"Learning Blind Video Temporal Consistency" (ECCV 2018), eq. 9: warp output frame t-1 into
frame t with the optical flow of the *source* frames and average the squared difference
over the pixels where that flow is reliable (not occluded), then average over the pairs.
Here pixel values are in [0, 1], the squared difference is averaged over the three
channels, reliability is the forward-backward check of :func:`genart.video.flow.consistency_mask`,
and pairs that straddle a scene cut are left out. Lower is steadier; the source itself
(output = source) gives the floor that flow errors alone leave.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from .flow import FlowFunction, PairFlow, warp

__all__ = ["WarpingError", "pair_error", "warping_error"]


@dataclass(frozen=True)
class WarpingError:
    """Per-pair errors (``pairs[i]`` is the index t of the pair (t-1, t)) and their mean."""

    pairs: tuple[int, ...]
    values: tuple[float, ...]
    mean: float


def _float(image: np.ndarray) -> np.ndarray:
    if image.dtype == np.uint8:
        return image.astype(np.float32) / 255.0
    return np.asarray(image, dtype=np.float32)


def pair_error(output: np.ndarray, warped_previous: np.ndarray, mask: np.ndarray) -> float:
    """Mean over reliable pixels of the channel-mean squared difference (NaN if none)."""
    diff = np.mean((_float(output) - _float(warped_previous)) ** 2, axis=-1)
    weight = float(mask.sum())
    return float((diff * mask).sum() / weight) if weight > 0 else float("nan")


def warping_error(
    frames_out: Iterable[np.ndarray],
    frames_src: Iterable[np.ndarray],
    *,
    flow: str | FlowFunction = "dis",
    cuts: Sequence[int] | None = None,
) -> WarpingError:
    """Short-term warping error of ``frames_out`` given the source frames they came from.

    Args:
        frames_out: the rendered frames, (H, W, 3) uint8 or float in [0, 1], in order.
        frames_src: the source frames at the same size, in the same order.
        flow: flow method (see :data:`genart.video.flow.FLOW_METHODS`).
        cuts: positions t whose pair (t-1, t) is skipped; None: detected on the source
            with :class:`genart.video.cuts.CutDetector`.

    Returns:
        A :class:`WarpingError`; ``mean`` is NaN when no pair could be measured.

    Example::

        floor = warping_error(src_frames, src_frames).mean
        ours = warping_error(out_frames, src_frames).mean
    """
    from .cuts import CutDetector

    detector = CutDetector() if cuts is None else None
    skip = set(cuts or ())
    pairs: list[int] = []
    values: list[float] = []
    prev_out = prev_src = None
    for t, (out, src) in enumerate(zip(frames_out, frames_src, strict=True)):
        if out.shape[:2] != src.shape[:2]:
            raise ValueError(f"frame {t}: output {out.shape[:2]} and source {src.shape[:2]} differ in size")
        pair = PairFlow(src, prev_src, flow) if prev_src is not None else None
        reliable = pair.reliable if pair is not None else None
        cut = t in skip if detector is None else detector.update(src, reliable)
        if pair is not None and not cut:
            backward, mask = pair.get()
            value = pair_error(out, warp(_float(prev_out), backward), mask)
            if not np.isnan(value):
                pairs.append(t)
                values.append(value)
        prev_out, prev_src = out, src
    mean = float(np.mean(values)) if values else float("nan")
    return WarpingError(tuple(pairs), tuple(values), mean)
