"""The loss curve of the current job, thinned so a run of any length stays a few hundred points."""
from __future__ import annotations

from typing import Any

MAX_POINTS = 400  # a chart a few hundred pixels wide shows no more
MAX_MARKS = 200


class Curve:
    """Values by global step (1, 2, 3... across the job's stages), with stage marks.

    Every point is kept until there are ``max_points``; then only steps on a doubled
    stride (every 2nd, 4th, 8th... step) are kept, so the curve covers the whole run
    evenly. The latest value is always shown, whether or not it falls on the stride.

    Example::

        curve = Curve(max_points=4)
        for v in range(10):
            curve.add(float(v))
        curve.as_dict()["x"]  # [4, 8, 10]
    """

    def __init__(self, max_points: int = MAX_POINTS) -> None:
        self.max_points = max_points
        self.key = ""
        self._stride = 1
        self._x: list[int] = []
        self._y: list[float] = []
        self._last: tuple[int, float] | None = None
        self._count = 0
        self._marks: list[tuple[int, str]] = []

    def add(self, value: float | None, *, key: str = "") -> None:
        """Record the value of the next step (None: a step without a number)."""
        self._count += 1
        self.key = key or self.key
        if value is None:
            return
        self._last = (self._count, value)
        if self._count % self._stride:
            return
        self._x.append(self._count)
        self._y.append(value)
        if len(self._x) > self.max_points:
            self._stride *= 2
            kept = [(x, y) for x, y in zip(self._x, self._y) if x % self._stride == 0]
            self._x = [x for x, _ in kept]
            self._y = [y for _, y in kept]

    def mark(self, label: str) -> None:
        """A new stage starts with the next step."""
        self._marks.append((self._count + 1, label))
        del self._marks[:-MAX_MARKS]

    def as_dict(self) -> dict[str, Any]:
        x, y = list(self._x), list(self._y)
        if self._last is not None and (not x or self._last[0] > x[-1]):
            x.append(self._last[0])
            y.append(self._last[1])
        return {"key": self.key, "x": x, "y": y, "marks": [{"x": m, "label": t} for m, t in self._marks]}
