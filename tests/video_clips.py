"""Tiny synthetic video clips for the video tests, made with PyAV (imported as ``from video_clips import ...``)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Sequence

import numpy as np


def texture(height: int, width: int, seed: int = 0, blur: float = 2.0) -> np.ndarray:
    """A smooth random RGB texture (uint8): structure at every scale for the flow to lock on."""
    import cv2

    noise = np.random.RandomState(seed).rand(height, width, 3).astype(np.float32)
    smooth = cv2.GaussianBlur(noise, (0, 0), blur)
    smooth -= smooth.min()
    return (smooth / smooth.max() * 255).astype(np.uint8)


def panning(count: int, height: int = 48, width: int = 64, step: tuple[int, int] = (2, 1), seed: int = 0) -> list[np.ndarray]:
    """``count`` frames of a camera panning over a texture by ``step`` = (dx, dy) px per frame."""
    dx, dy = step
    big = texture(height + abs(dy) * count, width + abs(dx) * count, seed)
    frames = []
    for i in range(count):
        x = i * dx if dx >= 0 else abs(dx) * (count - i)
        y = i * dy if dy >= 0 else abs(dy) * (count - i)
        frames.append(np.ascontiguousarray(big[y : y + height, x : x + width]))
    return frames


def make_clip(
    path: Path,
    frames: Sequence[np.ndarray],
    *,
    fps: int = 10,
    codec: str = "libx264",
    muxer: str | None = None,
    pts: Sequence[int] | None = None,
    time_base: Fraction | None = None,
    rotation: int = 0,
    audio_seconds: float | None = None,
    audio_codec: str = "aac",
) -> Path:
    """Encode ``frames`` (RGB uint8) into ``path``; optional VFR ``pts``, rotation and a sine track."""
    import av

    container = av.open(str(path), "w", format=muxer)
    height, width = frames[0].shape[:2]
    stream = container.add_stream(codec, rate=fps)
    stream.width, stream.height = width, height
    stream.pix_fmt = "pal8" if codec == "gif" else "yuv420p"
    tb = time_base or Fraction(1, fps)
    stream.time_base = stream.codec_context.time_base = tb
    if rotation:
        stream.set_display_rotation(rotation)
    sound = container.add_stream(audio_codec, rate=48000, layout="mono") if audio_seconds else None
    for i, rgb in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(rgb, "rgb24").reformat(format=stream.pix_fmt)
        frame.pts = pts[i] if pts is not None else i
        frame.time_base = tb
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))
    if sound is not None:
        add_tone(container, sound, audio_seconds)
    container.close()
    return path


def add_tone(container, stream, seconds: float) -> None:
    """Encode ``seconds`` of a 440 Hz tone into an audio ``stream`` (48 kHz mono) of ``container``."""
    import av

    rate = 48000
    samples = (0.3 * np.sin(2 * np.pi * 440 * np.arange(int(rate * seconds)) / rate)).astype(np.float32)
    for start in range(0, len(samples), 960):
        frame = av.AudioFrame.from_ndarray(samples[None, start : start + 960], format="flt", layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def audio_seconds(path: Path) -> float | None:
    """Decoded length of the first audio track, or None without one."""
    import av

    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        return sum(f.samples for f in container.decode(stream)) / stream.rate


def leftovers(folder: Path, keep: Sequence[str] = ()) -> list[str]:
    """Names in ``folder`` other than ``keep`` (temporary files, partial outputs)."""
    return sorted(p.name for p in Path(folder).iterdir() if p.name not in keep)
