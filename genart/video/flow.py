"""Optical flow between frames, forward-backward consistency, and backward warping.

Conventions (the same as OpenCV's): ``flow = estimate_flow(a, b)`` is an (H, W, 2) float32
array of (dx, dy) in pixels such that ``a[y, x] ~ b[y + dy, x + dx]``. So
``warp(b, flow)`` pulls ``b`` into ``a``'s frame: to bring the previous output into frame
t, estimate the flow from frame t to frame t-1 and warp the previous output with it.

Methods are a registry (:data:`FLOW_METHODS`, name -> function): ``"dis"`` (OpenCV's DIS,
the default: classical, no weights, a few ms per frame on a CPU at 256 px),
``"farneback"`` (OpenCV's older dense method, a baseline) and ``"raft"`` / ``"raft-small"``
(torchvision's RAFT, see :mod:`genart.video.raft`; needs weights, best on a GPU).

Images are (H, W, 3) arrays, uint8 or float in [0, 1]; cv2 is imported inside functions.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..core.errors import UsageError

__all__ = [
    "FLOW_METHODS",
    "as_uint8",
    "consistency_mask",
    "estimate_flow",
    "flow_pair",
    "PairFlow",
    "gray8",
    "warp",
]

FlowFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]

# DIS preset, chosen by benchmarks/bench_video.py (docs/PERFORMANCE.md, "Video"): on the
# shared phone clip MEDIUM leaves 36-42 % less error after warping than FAST (and less
# than Farneback, in less time) for 4-7x FAST's few milliseconds, which is nothing next
# to the seconds a styled or dreamed frame costs.
DIS_PRESET = "medium"
_DIS_PRESETS = {"ultrafast": 0, "fast": 1, "medium": 2}


def as_uint8(image: np.ndarray) -> np.ndarray:
    """An image (uint8, or float in [0, 1]) as contiguous uint8, rounded half up."""
    if image.dtype != np.uint8:
        image = (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return np.ascontiguousarray(image)


def gray8(image: np.ndarray) -> np.ndarray:
    """An RGB image (uint8, or float in [0, 1]) as one 8-bit grey channel for OpenCV."""
    import cv2

    image = as_uint8(image)
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def dis_flow(a: np.ndarray, b: np.ndarray, preset: str = DIS_PRESET) -> np.ndarray:
    """OpenCV's DIS optical flow (Kroeger et al. 2016) from ``a`` to ``b``."""
    import cv2

    dis = cv2.DISOpticalFlow_create(_DIS_PRESETS[preset])
    return dis.calc(gray8(a), gray8(b), None)


def farneback_flow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """OpenCV's Farneback flow (2003) from ``a`` to ``b`` (a baseline for the benchmark)."""
    import cv2

    # OpenCV's documented example settings: 3 levels, 15-px window, 3 iterations.
    return cv2.calcOpticalFlowFarneback(gray8(a), gray8(b), None, 0.5, 3, 15, 3, 5, 1.2, 0)


def _raft(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    from .raft import raft_flow

    return raft_flow(a, b)


def _raft_small(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    from .raft import raft_small_flow

    return raft_small_flow(a, b)


#: Flow methods by name; each maps (a, b) -> (H, W, 2) float32 flow from a to b.
FLOW_METHODS: dict[str, FlowFunction] = {
    "dis": dis_flow,
    "farneback": farneback_flow,
    "raft": _raft,
    "raft-small": _raft_small,
}


def flow_function(method: str | FlowFunction) -> FlowFunction:
    """The function for a method name (or the callable itself)."""
    if callable(method):
        return method
    try:
        return FLOW_METHODS[method]
    except KeyError:
        raise UsageError(f"unknown flow method {method!r}; choose one of {', '.join(FLOW_METHODS)}") from None


def estimate_flow(a: np.ndarray, b: np.ndarray, method: str | FlowFunction = "dis") -> np.ndarray:
    """Dense optical flow from image ``a`` to image ``b``.

    Args:
        a, b: RGB images (H, W, 3) of the same size, uint8 or float in [0, 1].
        method: a name in :data:`FLOW_METHODS` or a function (a, b) -> flow.

    Returns:
        (H, W, 2) float32 displacements (dx, dy): ``a[y, x] ~ b[y + dy, x + dx]``.

    Example::

        flow = estimate_flow(frame_t, frame_prev)   # t -> t-1
        prev_in_t = warp(output_prev, flow)
    """
    if a.shape[:2] != b.shape[:2]:
        raise ValueError(f"frames differ in size: {a.shape[:2]} and {b.shape[:2]}")
    flow = flow_function(method)(a, b)
    return np.ascontiguousarray(flow, dtype=np.float32)


def _grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    return xs, ys


def warp(image: np.ndarray, flow: np.ndarray, *, border: str = "replicate") -> np.ndarray:
    """Backward-warp ``image`` by ``flow`` with bilinear sampling: out[y, x] = image[y+dy, x+dx].

    Args:
        image: (H, W) or (H, W, C) array (C <= 4); float32 keeps sub-level precision.
        flow: (H, W, 2) displacements into ``image``.
        border: "replicate" (edge pixels) or "zero" for samples outside the image.

    Returns:
        An array of ``image``'s dtype and shape. Which samples fell outside is part of
        :func:`consistency_mask`.
    """
    import cv2

    height, width = flow.shape[:2]
    xs, ys = _grid(height, width)
    mode = cv2.BORDER_REPLICATE if border == "replicate" else cv2.BORDER_CONSTANT
    return cv2.remap(image, xs + flow[..., 0], ys + flow[..., 1], cv2.INTER_LINEAR, borderMode=mode)


def consistency_mask(flow: np.ndarray, reverse: np.ndarray) -> np.ndarray:
    """Where ``flow`` can be trusted: 1.0 reliable, 0.0 occluded / disoccluded / boundary.

    ``flow`` goes from image A to image B, ``reverse`` from B to A. Following Ruder, Dosovitskiy
    & Brox 2016 ("Artistic style transfer for videos", sec. 3.2), with w = flow and
    w~(x) = reverse(x + w(x)), a pixel is inconsistent where
    |w~ + w|^2 > 0.01 (|w|^2 + |w~|^2) + 0.5, on a motion boundary where
    |grad u|^2 + |grad v|^2 > 0.01 |w|^2 + 0.002, and unusable where x + w(x) leaves the frame.

    Returns:
        (H, W) float32 mask for the pixels of image A.
    """
    height, width = flow.shape[:2]
    back = warp(reverse, flow)
    both = np.sum((back + flow) ** 2, axis=-1)
    norms = np.sum(flow**2, axis=-1) + np.sum(back**2, axis=-1)
    consistent = both <= 0.01 * norms + 0.5
    du_y, du_x = np.gradient(flow[..., 0])
    dv_y, dv_x = np.gradient(flow[..., 1])
    boundary = du_x**2 + du_y**2 + dv_x**2 + dv_y**2 > 0.01 * np.sum(flow**2, axis=-1) + 0.002
    xs, ys = _grid(height, width)
    tx, ty = xs + flow[..., 0], ys + flow[..., 1]
    inside = (tx >= 0) & (tx <= width - 1) & (ty >= 0) & (ty <= height - 1)
    return (consistent & ~boundary & inside).astype(np.float32)


def flow_pair(
    current: np.ndarray, previous: np.ndarray, method: str | FlowFunction = "dis"
) -> tuple[np.ndarray, np.ndarray]:
    """Flow from ``current`` to ``previous`` and its consistency mask (for ``current``'s pixels).

    Two flows (both directions) per call. ``warp(previous_output, flow)`` is the previous
    output seen from the current frame, trustworthy where the mask is 1.
    """
    backward = estimate_flow(current, previous, method)
    forward = estimate_flow(previous, current, method)
    return backward, consistency_mask(backward, forward)


class PairFlow:
    """:func:`flow_pair` for one pair of frames, computed on first use and then kept.

    The cut detector asks for :meth:`reliable` only when in doubt; the renderer then
    reuses the same flow for warping instead of computing it twice.
    """

    def __init__(self, current: np.ndarray, previous: np.ndarray, method: str | FlowFunction = "dis") -> None:
        self.current, self.previous, self.method = current, previous, method
        self._result: tuple[np.ndarray, np.ndarray] | None = None

    def get(self) -> tuple[np.ndarray, np.ndarray]:
        """(flow from current to previous, consistency mask for current's pixels)."""
        if self._result is None:
            self._result = flow_pair(self.current, self.previous, self.method)
        return self._result

    def reliable(self) -> float:
        """Fraction of the current frame's pixels whose flow is consistent."""
        return float(self.get()[1].mean())


def describe(method: Any) -> str:
    """A short name for a flow method, for manifests and messages."""
    return method if isinstance(method, str) else getattr(method, "__name__", "custom")
