"""The video settings video commands share, declared once (no numpy, no torch, no av).

Commands that take videos (``style``, ``dream``) put these fields in their config
dataclasses, so they become options (``--frame-range``, ``--every``, ``--flow``), preset
keys and ``GENART_*`` variables like every other setting::

    @dataclass(frozen=True)
    class StyleConfig:
        frame_range: str | None = frame_range_param()
        every: int = every_param()
        flow: str = flow_param()
"""
from __future__ import annotations

from typing import Any

from ..core.config import param
from ..core.errors import VideoUsageError

__all__ = ["FLOW_NAMES", "every_param", "flow_param", "frame_range_param", "parse_frame_range"]

#: The names of :data:`genart.video.flow.FLOW_METHODS` (a test keeps the two equal), here
#: so that a config can offer them without importing numpy.
FLOW_NAMES = ("dis", "farneback", "raft", "raft-small")


def frame_range_param() -> Any:
    return param(None, "Videos: the clip's frames START:END to render (END exclusive, either may be empty), e.g. 0:96.")


def every_param() -> Any:
    return param(1, "Videos: render every N-th frame of the range (each then lasts N frames).", min=1)


def flow_param() -> Any:
    return param(
        "dis", "Videos: optical flow between frames: dis (OpenCV DIS, CPU, default), farneback, or "
        "raft / raft-small (torchvision RAFT, needs its weights; best on a GPU).", choices=FLOW_NAMES,
    )


def parse_frame_range(text: str) -> tuple[int, int | None]:
    """``"START:END"`` (END exclusive, either may be empty) -> (start, end or None).

    Example::

        parse_frame_range("0:96")   # (0, 96)
        parse_frame_range("120:")   # (120, None)
    """
    start, sep, end = str(text).partition(":")
    try:
        if not sep:
            raise ValueError
        first = int(start) if start.strip() else 0
        last = int(end) if end.strip() else None
    except ValueError:
        raise VideoUsageError(f"frame range {text!r}: expected START:END, e.g. 0:96") from None
    if first < 0 or (last is not None and last <= first):
        raise VideoUsageError(f"frame range {text!r}: need 0 <= START < END")
    return first, last
