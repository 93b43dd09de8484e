"""The live view's pictures as JPEG bytes, encoded once per version on the server's side."""
from __future__ import annotations

import threading

from ..core.errors import GenartError
from ..imageio import encode_image, load_thumbnail, to_thumbnail
from ..video import is_video
from .state import PREVIEW_SIDE, LiveState

THUMB_SIDE = 160  # px, long side of a finished job's thumbnail (shown at 80 px, sharp on HiDPI)
QUALITY = 88


class Pictures:
    """Encodes the state's latest picture and finished jobs' thumbnails, with a cache.

    Runs on the server's threads only, so the render never pays for JPEG encoding or
    for reading finished outputs back.
    """

    def __init__(self, state: LiveState, *, side: int = PREVIEW_SIDE) -> None:
        self.state = state
        self.side = side
        self._lock = threading.Lock()
        self._current: tuple[int, bytes | None] = (0, None)
        self._thumbs: dict[int, bytes | None] = {}

    def current(self) -> tuple[int, bytes | None]:
        """(version, JPEG) of the latest picture: a preview, or a finished job's output."""
        version, source = self.state.image()
        with self._lock:
            if self._current[0] == version:
                return self._current
            data = self._encode(source)
            self._current = (version, data)
            return self._current

    def thumbnail(self, index: int) -> bytes | None:
        with self._lock:
            if index not in self._thumbs:
                self._thumbs[index] = self._encode(self.state.thumbnail_source(index), THUMB_SIDE)
            return self._thumbs[index]

    def _encode(self, source: object, side: int | None = None) -> bytes | None:
        side = side or self.side
        try:
            if isinstance(source, str):
                pixels = _video_thumbnail(source, side) if is_video(source) else load_thumbnail(source, side)
            elif source is None:
                return None
            else:
                pixels = to_thumbnail(source, side)
            return encode_image(pixels, "jpg", quality=QUALITY)
        except (GenartError, OSError, ValueError):
            return None  # an output deleted or damaged meanwhile: nothing to show


def _video_thumbnail(path: str, side: int) -> object:
    """A finished video's first frame, long side at most ``side``."""
    from ..video import read_frames

    return to_thumbnail(next(iter(read_frames(path))).rgb, side)
