"""The frame-by-frame driver every video command uses: :func:`render_video`.

The command supplies ``render_frame(ctx) -> frame``; the driver decodes the source (one
frame in memory at a time), computes optical flow between consecutive *source* frames,
detects cuts, hands each frame a :class:`FrameContext` (the previous output warped into
this frame, the mask of pixels where that warp is reliable, long-term warps if asked),
keeps finished frames in a work folder (:mod:`genart.video.work`) so an interrupted run
resumes, then encodes the video (sound included) atomically and removes the work folder.
"""
from __future__ import annotations

import dataclasses
import os
import time
from collections import deque
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..core.errors import VideoUsageError
from ..core.events import EventCallback, Message, StageStarted, Step, emit
from .audio import AudioClip
from .cuts import CutDetector
from .decode import FrameSelection, display_size, read_frames, select_frames
from .flow import FlowFunction, PairFlow, describe, flow_pair, warp
from .metrics import pair_error
from .outputs import check_video_output
from .probe import VideoInfo, probe_video
from .work import WorkFolder
from .writer import VideoWriter

__all__ = ["FrameContext", "LongTermWarp", "VideoResult", "render_video"]


@dataclass(frozen=True)
class LongTermWarp:
    """Output frame t-``offset`` warped into frame t, and where it is the nearest reliable view.

    ``mask`` follows Ruder et al. 2016 (sec. 3.3): a pixel counts for the nearest earlier
    frame in which it is visible, so the masks of the short-term warp and of all long-term
    warps do not overlap.
    """

    offset: int
    image: np.ndarray
    mask: np.ndarray


@dataclass(frozen=True)
class FrameContext:
    """What ``render_frame`` gets for one frame. Arrays are float32 in [0, 1].

    Attributes:
        index: position of this frame among the frames rendered (0-based).
        count: how many frames the render has (an estimate for some containers).
        source_index: the frame's number in the clip.
        time: its presentation time in seconds (source clock).
        source: the source frame, (H, W, 3).
        warped: the previous OUTPUT frame warped into this frame by the source's flow,
            (H, W, 3); None at the first frame and at a cut.
        mask: (H, W), 1 where ``warped`` is reliable (not occluded, disoccluded, on a
            motion boundary or from outside the frame); None with ``warped``.
        flow: (H, W, 2) flow from this source frame to the previous one; None with ``warped``.
        new_shot: True at the first frame and at a cut: temporal terms restart.
        cut: True at a detected scene cut.
        long_term: warps from older output frames of the same shot (``long_term`` offsets).
    """

    index: int
    count: int
    source_index: int
    time: Fraction
    source: np.ndarray
    warped: np.ndarray | None = None
    mask: np.ndarray | None = None
    flow: np.ndarray | None = None
    new_shot: bool = True
    cut: bool = False
    long_term: tuple[LongTermWarp, ...] = ()

    def initial(self, fill: np.ndarray | None = None) -> np.ndarray:
        """A starting image: ``warped`` where reliable, ``fill`` (default: the source) elsewhere."""
        fill = self.source if fill is None else fill
        if self.warped is None or self.mask is None:
            return fill
        mask = self.mask[..., None]
        return (mask * self.warped + (1.0 - mask) * fill).astype(np.float32)

    def tensor(self, name: str, device: Any = None) -> Any:
        """An array attribute as a torch tensor: images (1, 3, H, W), masks (1, 1, H, W).

        Example: ``ctx.tensor("warped")``, ``ctx.tensor("mask", device)``; None stays None.
        """
        return as_tensor(getattr(self, name), device)


def as_tensor(array: np.ndarray | None, device: Any = None) -> Any:
    """(H, W, C) or (H, W) array -> (1, C, H, W) float32 tensor (None -> None)."""
    if array is None:
        return None
    import torch

    chw = array[None] if array.ndim == 2 else array.transpose(2, 0, 1)
    tensor = torch.from_numpy(np.ascontiguousarray(chw, dtype=np.float32)).unsqueeze(0)
    return tensor if device is None else tensor.to(device)


@dataclass(frozen=True)
class VideoResult:
    """What :func:`render_video` did.

    ``frames``: frames in the output; ``rendered``: of them, made in this run (the rest
    were resumed from the work folder); ``cuts``: clip frame numbers that started a new
    shot; ``warping_error``: mean short-term warping error of the output (Lai et al. 2018,
    see :mod:`genart.video.metrics`), None when not measured.
    """

    output: Path
    frames: int
    rendered: int
    resumed_from: int
    seconds: float
    cuts: tuple[int, ...]
    warping_error: float | None
    notes: tuple[str, ...] = ()

    def record(self) -> dict[str, Any]:
        """A JSON-able summary (the CLI's ``--json`` result for one video)."""
        return {
            "output": str(self.output),
            "frames": self.frames,
            "rendered": self.rendered,
            "resumed_from": self.resumed_from,
            "seconds": round(self.seconds, 3),
            "cuts": list(self.cuts),
            "warping_error": self.warping_error,
        }


RenderFrame = Callable[[FrameContext], Any]


def render_video(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    render_frame: RenderFrame,
    *,
    size: int | None = None,
    frame_range: tuple[int, int | None] | None = None,
    every: int = 1,
    flow: str | FlowFunction = "dis",
    long_term: Sequence[int] = (),
    settings: Any = None,
    resume: bool = True,
    audio: bool = True,
    measure: bool = True,
    metadata: Mapping[str, Any] | None = None,
    callback: EventCallback | None = None,
    detector: CutDetector | None = None,
) -> VideoResult:
    """Render a video frame by frame with temporal context, resumably, into ``output``.

    Args:
        source: the input video.
        output: .mp4 / .m4v / .mov / .mkv / .webm / .gif, or a folder for PNG frames.
        render_frame: makes one output frame from a :class:`FrameContext`; returns an
            (H, W, 3) array (uint8 or float in [0, 1]) or a (1, 3, H, W) tensor at the
            context's size.
        size: long side of the frames (None: the clip's size).
        frame_range: (start, end) clip frame numbers, end exclusive / None.
        every: render every N-th frame of the range (timing kept: each lasts N frames).
        flow: flow method name (``genart.video.flow.FLOW_METHODS``) or function.
        long_term: extra offsets j > 1 for warps from output frame t-j (e.g. (2, 4));
            each costs two more flow computations per frame.
        settings: the command's settings (a mapping or a dataclass); with everything
            else above it decides whether a work folder can be resumed.
        resume: False starts over even when a matching work folder exists.
        audio: carry the source's sound over (trimmed to the frames rendered).
        measure: compute the output's warping error as frames finish.
        metadata: JSON-able settings recorded in the frames and the container.
        callback: receives, per frame, a StageStarted ``"frame k/n"`` with no steps of
            its own (an outer stage: the events ``render_frame`` emits are its inner
            stages) and a debug Message (seconds, warping error, pixels followed); then
            the outer stage ``"encoding"`` and an inner one with a Step per frame
            encoded; and Messages (resume, cuts).
        detector: a configured :class:`CutDetector` (default settings otherwise).

    Returns:
        A :class:`VideoResult`.

    Raises:
        VideoError / VideoUsageError: unreadable source, a bad range or output, an
            encoder failure. KeyboardInterrupt from ``render_frame`` passes through with
            the finished frames kept in the work folder and nothing at ``output``.

    Example::

        def negative(ctx):
            return 1.0 - ctx.source

        result = render_video("clip.mp4", "neg.mp4", negative, size=256)
        print(result.frames, result.cuts, result.warping_error)
    """
    started = time.monotonic()
    check_video_output(output)
    info = probe_video(source)
    _refuse_overwriting_source(source, output)
    selection = select_frames(info, frame_range, every)
    offsets = _check_offsets(long_term)
    work = WorkFolder(output)
    manifest = _manifest(source, display_size(info, size), selection, flow, offsets, settings)
    done, note = work.prepare(manifest, resume)
    if note:
        emit(callback, Message(note, "warning" if done == 0 else "info"))
    detector = detector or CutDetector()
    run = _Run(work, render_frame, selection, flow, offsets, measure, metadata, callback, done, detector)
    for frame in read_frames(source, size=size, frame_range=frame_range, every=every, info=info):
        run.step(frame.index, frame.time, frame.rgb)
    clip = _audio_clip(source, info, selection, run.times) if audio and info.has_audio else None
    writer = _encode(output, work, run.times, info.fps / selection.every, info.time_base, clip, metadata, callback)
    work.remove()
    return VideoResult(
        output=writer.path,
        frames=len(run.times),
        rendered=len(run.times) - done,
        resumed_from=done,
        seconds=time.monotonic() - started,
        cuts=tuple(run.cuts),
        warping_error=run.mean_error(),
        notes=tuple(writer.notes),
    )


def _refuse_overwriting_source(source: str | os.PathLike[str], output: str | os.PathLike[str]) -> None:
    out = Path(os.fspath(output).rstrip("/" + os.sep) or ".")
    if out.exists() and os.path.samefile(source, out):
        raise VideoUsageError(f"{output}: is the input video; choose another output")


def _check_offsets(long_term: Sequence[int]) -> tuple[int, ...]:
    offsets = tuple(sorted({int(j) for j in long_term}))
    if any(j < 2 for j in offsets):
        raise VideoUsageError(f"long-term offsets must be 2 or more (1 is the short-term warp), got {list(long_term)}")
    return offsets


def _settings_dict(settings: Any) -> Any:
    if dataclasses.is_dataclass(settings) and not isinstance(settings, type):
        return dataclasses.asdict(settings)
    return dict(settings) if isinstance(settings, Mapping) else settings


def _manifest(
    source: str | os.PathLike[str],
    size: tuple[int, int],
    selection: FrameSelection,
    flow: Any,
    offsets: tuple[int, ...],
    settings: Any,
) -> dict[str, Any]:
    stat = os.stat(source)
    return {
        "source": str(Path(source).resolve()),
        "source_bytes": stat.st_size,
        "source_mtime_ns": stat.st_mtime_ns,
        "size": list(size),
        "selection": [selection.start, selection.end, selection.every],
        "flow": describe(flow),
        "long_term": list(offsets),
        "settings": _settings_dict(settings),
    }


@dataclass
class _Past:
    """A frame of the current shot kept for warping: its source, and its output if loaded."""

    position: int
    source: np.ndarray
    output: np.ndarray | None


class _Run:
    """The per-frame state of one render (kept small: a few frames, whatever the length)."""

    def __init__(
        self,
        work: WorkFolder,
        render_frame: RenderFrame,
        selection: FrameSelection,
        flow: Any,
        offsets: tuple[int, ...],
        measure: bool,
        metadata: Mapping[str, Any] | None,
        callback: EventCallback | None,
        done: int,
        detector: CutDetector,
    ) -> None:
        self.work, self.render_frame, self.selection = work, render_frame, selection
        self.flow, self.offsets, self.measure = flow, offsets, measure
        self.metadata, self.callback, self.done = metadata, callback, done
        self.detector = detector
        self.past: deque[_Past] = deque(maxlen=max((1, *offsets)))
        self.times: list[Fraction] = []
        self.cuts: list[int] = []
        self.errors = {p: e["warping_error"] for p, e in work.read_log(done).items() if e.get("warping_error") is not None}

    def step(self, index: int, when: Fraction, rgb: np.ndarray) -> None:
        position = len(self.times)
        self.times.append(when)
        previous = self.past[-1] if self.past else None
        pair = PairFlow(rgb, previous.source, self.flow) if previous is not None else None
        cut = self.detector.update(rgb, pair.reliable if pair is not None else None)
        if cut:
            self.cuts.append(index)
            self.past.clear()
            if position >= self.done:  # cuts among resumed frames were announced before
                emit(self.callback, Message(f"scene cut at frame {index}: temporal terms restart"))
        out = self._render(position, index, when, rgb, None if cut else pair, cut) if position >= self.done else None
        self.past.append(_Past(position, rgb, out))

    def _output(self, past: _Past) -> np.ndarray:
        if past.output is None:  # a frame finished in an earlier run
            past.output = self.work.load(past.position)
        return past.output

    def _render(
        self, position: int, index: int, when: Fraction, rgb: np.ndarray, pair: PairFlow | None, cut: bool
    ) -> np.ndarray:
        tick = time.monotonic()
        count = max(self.selection.count, position + 1)  # the count is an estimate for some containers
        emit(self.callback, StageStarted(f"frame {position + 1}/{count}", position, count, 0))
        source = rgb.astype(np.float32) / 255.0
        ctx = FrameContext(position, self.selection.count, index, when, source, cut=cut)
        if pair is not None:
            backward, mask = pair.get()
            warped = warp(self._output(self.past[-1]), backward)
            longs = self._long_term(rgb, mask)
            ctx = dataclasses.replace(
                ctx, warped=warped, mask=mask, flow=backward, new_shot=False, long_term=longs
            )
        out = _as_rgb(self.render_frame(ctx), source.shape)
        error = pair_error(out, ctx.warped, ctx.mask) if self.measure and ctx.warped is not None else None
        self.work.save(position, out, self.metadata)
        self.work.log(position, warping_error=error)
        self._finished(position, index, out, error, ctx, time.monotonic() - tick)
        return out

    def _finished(
        self, position: int, index: int, out: np.ndarray, error: float | None, ctx: FrameContext, seconds: float
    ) -> None:
        if error is not None and not np.isnan(error):
            self.errors[position] = error
        text = f"frame {position + 1} (clip frame {index}) took {seconds:.2f} s"
        if error is not None:
            text += f", warping error {error:.5f}"
        if ctx.mask is not None:
            text += f", {ctx.mask.mean():.0%} of pixels followed"
        emit(self.callback, Message(text, "debug"))

    def _long_term(self, rgb: np.ndarray, short_mask: np.ndarray) -> tuple[LongTermWarp, ...]:
        """Warps from t-j for each offset j within the shot, with Ruder's exclusive masks."""
        warps: list[LongTermWarp] = []
        covered = short_mask.copy()
        for j in self.offsets:
            if j > len(self.past):
                break
            past = self.past[-j]
            flow, mask = flow_pair(rgb, past.source, self.flow)
            exclusive = np.clip(mask - covered, 0.0, 1.0)
            covered = np.maximum(covered, mask)
            warps.append(LongTermWarp(j, warp(self._output(past), flow), exclusive))
        return tuple(warps)

    def mean_error(self) -> float | None:
        values = [v for v in self.errors.values() if v is not None and not np.isnan(v)]
        return float(np.mean(values)) if values and self.measure else None


def _as_rgb(result: Any, shape: tuple[int, ...]) -> np.ndarray:
    """render_frame's result as float32 (H, W, 3), checked against the frame size.

    Rounded to the 8-bit levels the work folder stores, so that the next frame warps the
    same pixels whether this one stayed in memory or is reloaded by a resumed run.
    """
    from ..imageio import rgb_uint8

    levels = rgb_uint8(result)
    if levels.shape != tuple(shape):
        raise ValueError(f"render_frame returned shape {levels.shape}, expected {tuple(shape)}")
    return levels.astype(np.float32) / 255.0


def _audio_clip(
    source: str | os.PathLike[str], info: VideoInfo, selection: FrameSelection, times: list[Fraction]
) -> AudioClip | None:
    if not times:
        return None
    end = None if selection.open_end else times[-1] + Fraction(selection.every) / info.fps
    return AudioClip(source, times[0], end)


def _encode(
    output: str | os.PathLike[str],
    work: WorkFolder,
    times: list[Fraction],
    fps: Fraction,
    time_base: Fraction,
    clip: AudioClip | None,
    metadata: Mapping[str, Any] | None,
    callback: EventCallback | None,
) -> VideoWriter:
    """Encode the finished frames into ``output`` (atomically); the work folder stays until done."""
    emit(callback, StageStarted("encoding", len(times), len(times), 0))  # the frames bar: all done
    emit(callback, StageStarted(Path(os.fspath(output).rstrip("/")).name, 0, 1, len(times)))
    writer = VideoWriter(output, fps=fps, time_base=time_base, audio=clip, metadata=metadata)
    with writer:
        for position, when in enumerate(times):
            writer.write(work.load(position), when)
            emit(callback, Step(position + 1, len(times), {}))
    return writer
