"""Scene cut detection: where the previous frame says nothing about the next.

A colour-histogram distance between consecutive frames (Bhattacharyya distance of CIELAB
histograms) against an adaptive threshold, confirmed by optical flow where the
distance alone is not decisive:

* a **cut** when the distance is at least ``threshold`` and at least ``ratio`` times the
  median of the recent (uncut) distances, so a clip that is busy throughout needs a bigger
  jump;
* a **candidate** when it is at least ``candidate`` and ``candidate_ratio`` times that
  median: a cut only if the flow between the two frames is mostly inconsistent (fewer
  than ``min_reliable`` of the pixels pass the forward-backward check), which catches
  cuts between shots of similar colours and spares fast motion within a shot.

Frames that cannot be predicted from their predecessor count, not only changes of camera
shot: a flash to white or a light-leak transition frame restarts the temporal terms too.
"""
from __future__ import annotations

from collections import deque
from typing import Callable, Iterable

import numpy as np

__all__ = ["CutDetector", "detect_cuts", "frame_histogram", "histogram_distance"]

# CIELAB, 8 x 8 x 8 bins: perceptually even, so compression noise in near-grey pixels
# (where hue is unstable) barely moves the histogram; measured against hue x saturation
# and RGB on the shared clip and on tiny compressed test clips (docs/video.md).
_BINS = (8, 8, 8)


def frame_histogram(frame: np.ndarray) -> np.ndarray:
    """A normalised CIELAB histogram (8 x 8 x 8 bins) of an RGB uint8 (or [0, 1] float) frame."""
    import cv2

    from .flow import as_uint8

    lab = cv2.cvtColor(as_uint8(frame), cv2.COLOR_RGB2LAB)
    hist = cv2.calcHist([lab], [0, 1, 2], None, list(_BINS), [0, 256, 0, 256, 0, 256])
    return hist / max(float(hist.sum()), 1.0)


def histogram_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Bhattacharyya distance of two histograms: 0 identical, 1 disjoint."""
    import cv2

    return float(cv2.compareHist(a, b, cv2.HISTCMP_BHATTACHARYYA))


class CutDetector:
    """Streaming cut detector: feed frames in order with :meth:`update`.

    Args:
        threshold: histogram distance that is a cut by itself (given ``ratio``).
        ratio: ... and it must also be this many times the recent median distance.
        candidate, candidate_ratio: the lower bar for a cut confirmed by flow failure.
        min_reliable: fraction of flow-consistent pixels below which flow "failed".
        window: how many recent uncut distances form the median.

    Example::

        detector = CutDetector()
        cuts = [i for i, f in enumerate(frames) if detector.update(f)]
    """

    def __init__(
        self,
        *,
        threshold: float = 0.3,
        ratio: float = 5.0,
        candidate: float = 0.1,
        candidate_ratio: float = 2.5,
        min_reliable: float = 0.3,
        window: int = 24,
    ) -> None:
        self.threshold, self.ratio = threshold, ratio
        self.candidate, self.candidate_ratio = candidate, candidate_ratio
        self.min_reliable = min_reliable
        self._recent: deque[float] = deque(maxlen=window)
        self._previous: np.ndarray | None = None
        self.last_distance = 0.0

    def reset(self) -> None:
        """Forget everything: the next frame starts a new shot."""
        self._recent.clear()
        self._previous = None

    def update(self, frame: np.ndarray, reliable: Callable[[], float] | None = None) -> bool:
        """Whether ``frame`` starts a new shot (the first frame does not count as a cut).

        Args:
            frame: RGB (H, W, 3), uint8 or float in [0, 1].
            reliable: called only for a candidate, returns the fraction of pixels whose
                flow from the previous frame is consistent (e.g. the mean of
                :func:`genart.video.flow.consistency_mask`). None: candidates are not cuts.
        """
        hist = frame_histogram(frame)
        previous, self._previous = self._previous, hist
        if previous is None:
            return False
        distance = self.last_distance = histogram_distance(previous, hist)
        median = float(np.median(self._recent)) if self._recent else 0.0
        cut = distance >= max(self.threshold, self.ratio * median)
        if not cut and reliable is not None and distance >= max(self.candidate, self.candidate_ratio * median):
            cut = reliable() < self.min_reliable
        if not cut:
            self._recent.append(distance)
        return cut


def detect_cuts(frames: Iterable[np.ndarray], *, flow: str = "dis", detector: CutDetector | None = None) -> list[int]:
    """Positions (0-based, in ``frames``) of the frames that start a new shot.

    Example::

        small = (f.rgb for f in read_frames("clip.mp4", size=256))
        detect_cuts(small)     # e.g. [24, 27, 29, 48, ...]
    """
    from .flow import PairFlow

    detector = detector or CutDetector()
    cuts: list[int] = []
    previous: np.ndarray | None = None
    for index, frame in enumerate(frames):
        pair = PairFlow(frame, previous, flow) if previous is not None else None
        if detector.update(frame, pair.reliable if pair is not None else None):
            cuts.append(index)
        previous = frame
    return cuts
