"""Progress events: algorithms report what they do through these, never by printing.

An algorithm takes ``callback: EventCallback | None`` and calls it with one of the
dataclasses below. The CLI turns them into a progress display (``genart.core.progress``);
library users may log them, collect them, or ignore them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Union


@dataclass(frozen=True)
class StageStarted:
    """A new stage begins: a pyramid scale, a dream octave, a doodle phase, a frame."""

    name: str  # human text, e.g. "scale 2/4 (256x192)"
    index: int  # 0-based stage index
    count: int  # total number of stages
    steps: int  # steps this stage will take


@dataclass(frozen=True)
class Step:
    """One optimisation / gradient step inside the current stage."""

    step: int  # 1-based step inside the stage
    steps: int  # steps in the stage
    metrics: Mapping[str, float] = field(default_factory=dict)  # e.g. {"loss": 1.2}


@dataclass(frozen=True)
class Intermediate:
    """An intermediate image worth saving (``--save-every``, animation frames).

    ``image`` is an RGB tensor of shape (1, 3, H, W) in [0, 1]; ``tag`` names it, e.g.
    "scale2-step0050". The CLI decides whether and where to write it.
    """

    tag: str
    image: Any


@dataclass(frozen=True)
class Message:
    """A note for the user (a warning or a detail shown with ``-v``)."""

    text: str
    level: str = "info"  # "info", "warning", "debug"


Event = Union[StageStarted, Step, Intermediate, Message]
EventCallback = Callable[[Event], None]


def emit(callback: EventCallback | None, event: Event) -> None:
    """Send ``event`` to ``callback`` if there is one."""
    if callback is not None:
        callback(event)
