"""Long videos on a cluster: split at the scene cuts, render the shots in parallel, join.

Frames of one shot depend on each other (each starts from the previous one warped), shots
do not. :class:`ShotSplit` turns each video job into one job per shot, a segment of the
video (``Item.frames``) whose output is a piece in ``<output>.genart-pieces/``; any
executor runs them like other jobs (Ray spreads them over its workers, a re-run skips
the finished pieces). After the batch, the pieces of each video are joined in order, the
source's sound added, by copying their encoded packets (:func:`genart.video.join.join_videos`),
and the pieces are removed.

A segment starts at a cut, so the renderer starts it as a new shot anyway: a split render
gives the frames an unsplit one gives. Shots shorter than :data:`MIN_FRAMES` are merged
into the next one (the renderer still restarts its temporal terms at their cuts), so a
flash of three transition frames does not cost a job of its own.

Progress: segments show as items of the batch (``clip.mp4[29:48]``); ``--json`` writes one
object per video (after its join), not per segment. Nothing here imports torch.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Sequence

from ..core.errors import GenartError
from ..core.events import BatchFinished, ItemFinished, Message, emit
from . import batch

__all__ = ["MIN_FRAMES", "PIECES_SUFFIX", "ShotSplit", "pieces_folder"]

PIECES_SUFFIX = ".genart-pieces"
MIN_FRAMES = 12  # shots shorter than this (in rendered frames) join the next one
CUT_SIZE = 128  # long side (px) of the frames cuts are found on: cuts.py finds the same ones from 64 to 512 px
_SPLITTABLE = (".mp4", ".m4v", ".mov", ".mkv", ".webm")  # outputs whose pieces can be joined by copying


def pieces_folder(output: str) -> Path:
    """``<output>.genart-pieces`` beside the output."""
    path = Path(output)
    return path.parent / (path.name + PIECES_SUFFIX)


@dataclass
class _Video:
    """One video job split into segments: what the join needs."""

    job: batch.Job
    segments: list[tuple[int, int]]
    starts: list[Fraction]  # source time of each segment's first frame
    end: Fraction | None  # source time where the sound ends (None: the clip's end)
    pieces: list[batch.Job] = field(default_factory=list)


class ShotSplit:
    """Splits a batch's video jobs into shot segments, and joins the pieces afterwards.

    Example::

        split = ShotSplit(session)
        jobs = split.jobs(jobs)                     # video jobs -> one job per shot
        summary = execute(..., jobs, ..., split.callback(display, report))
        summary = split.join(summary)               # pieces -> videos; --json per video
    """

    def __init__(self, session: Any, min_frames: int = MIN_FRAMES) -> None:
        self.session = session
        self.min_frames = min_frames
        self.videos: list[_Video] = []
        self._segment_of: dict[str, _Video] = {}  # piece output -> its video
        self._display: Callable[[Any], None] | None = None
        self._report: Callable[[Any], None] | None = None
        self._finished: BatchFinished | None = None

    # ------------------------------------------------------------------ planning
    def jobs(self, jobs: Sequence[batch.Job]) -> list[batch.Job]:
        """The jobs with each splittable video job replaced by its segments' jobs."""
        out: list[batch.Job] = []
        for job in jobs:
            video = self._split(job, len(jobs))
            if video is None:
                out.append(job)
                continue
            self.videos.append(video)
            out.extend(video.pieces)
        return out

    def _split(self, job: batch.Job, total: int) -> _Video | None:
        from .media import is_video_item, probe, video_selection

        if not is_video_item(job.item) or job.item.frames is not None or job.output in (None, batch.STDIO):
            return None
        if Path(job.output).suffix.lower() not in _SPLITTABLE or batch.existing_outcome(job, total, self.session.overwrite):
            return None  # a GIF or a folder of frames; or a finished output, skipped as usual
        try:
            info = probe(job.item.path)
        except GenartError:
            return None  # fails as its own job, with its own message
        frame_range, every = video_selection(self.session.config, job.item)
        video = self._shots(job, info, frame_range, every)
        if len(video.segments) < 2:
            return None
        folder = pieces_folder(job.output)
        suffix = ".webm" if Path(job.output).suffix.lower() == ".webm" else ".mp4"  # MP4 packets remux into MOV/MKV
        for start, end in video.segments:
            item = replace(job.item, frames=(start, end))
            piece = batch.Job(item, str(folder / f"{start:06d}-{end:06d}{suffix}"), dict(job.variant))
            video.pieces.append(piece)
            self._segment_of[piece.output] = video
        folder.mkdir(parents=True, exist_ok=True)
        return video

    def _shots(self, job: batch.Job, info: Any, frame_range: Any, every: int) -> _Video:
        """Find the cuts (small frames, the renderer's detector) and group them into segments."""
        from ..video import CutDetector, read_frames, select_frames
        from ..video.flow import PairFlow

        selection = select_frames(info, frame_range, every)
        detector = CutDetector()
        indices: list[int] = []
        times: list[Fraction] = []
        starts: list[int] = [0]  # positions of the frames that start a shot
        previous = None
        for frame in read_frames(job.item.path, size=CUT_SIZE, frame_range=frame_range, every=every, info=info):
            pair = PairFlow(frame.rgb, previous, self.session.config.flow) if previous is not None else None
            if detector.update(frame.rgb, pair.reliable if pair is not None else None):
                starts.append(len(indices))
            indices.append(frame.index)
            times.append(frame.time)
            previous = frame.rgb
        starts = _merge_short(starts, len(indices), self.min_frames)
        bounds = starts + [len(indices)]
        segments = [(indices[a], indices[b] if b < len(indices) else indices[-1] + 1) for a, b in zip(bounds, bounds[1:])]
        end = None if selection.open_end else times[-1] + Fraction(every) / info.fps
        return _Video(job, segments, [times[a] for a in bounds[:-1]], end)

    # ---------------------------------------------------------------- events
    def callback(self, display: Callable[[Any], None], report: Callable[[Any], None] | None) -> Callable[[Any], None]:
        """The batch's event callback: segments are items on the display only (``--json``
        gets one object per video from :meth:`join`); the end of the batch waits for the joins."""
        self._display, self._report = display, report

        def forward(event: Any) -> None:
            if isinstance(event, BatchFinished):
                self._finished = event
                return
            if isinstance(event, ItemFinished) and event.output in self._segment_of:
                display(replace(event, output=None))  # a piece is not an output the user asked for
                return
            display(event)
            if report is not None:
                report(event)

        return forward

    # ------------------------------------------------------------------ joining
    def join(self, summary: batch.Summary) -> batch.Summary:
        """Join the pieces of every video whose segments all finished; the batch's summary
        with one outcome per video instead of its segments."""
        outcomes = {o.job.output: o for o in summary.outcomes}
        result = batch.Summary(interrupted=summary.interrupted)
        result.outcomes = [o for o in summary.outcomes if o.job.output not in self._segment_of]
        finished = [self._join_one(video, outcomes, summary.interrupted) for video in self.videos]
        joined = [o for o in finished if o is not None]  # an interrupted video has no outcome
        result.outcomes += joined
        result.total = len(result.outcomes) + summary.not_started + len(finished) - len(joined)
        for index, outcome in enumerate(joined, start=len(result.outcomes) - len(joined)):
            self._emit(ItemFinished(index, result.total, outcome.job.item.name, outcome.status, outcome.job.output,
                                    outcome.error, outcome.seconds, outcome.result, dict(outcome.job.variant)))
        if self._finished is not None:
            from .runner import finished_event

            self._emit(finished_event(result))
        return result

    def _join_one(self, video: _Video, outcomes: dict, interrupted: bool) -> batch.Outcome | None:
        """The video's outcome; None when the run stopped before all its shots were done
        (its finished pieces wait for the next run)."""
        done = [outcomes.get(p.output) for p in video.pieces]
        failed = next((o for o in done if o is not None and o.status == "failed"), None)
        if failed is not None:
            return batch.Outcome(video.job, "failed", error=f"{failed.job.item.name}: {failed.error}", code=failed.code)
        if interrupted or any(o is None for o in done):
            return None
        try:
            record = self._join_pieces(video, done)
        except GenartError as exc:
            return batch.Outcome(video.job, "failed", error=str(exc), code=exc.exit_code)
        return batch.Outcome(video.job, "ok", sum(o.seconds for o in done), result=record)

    def _join_pieces(self, video: _Video, done: list) -> dict[str, Any]:
        from ..video import AudioClip
        from ..video.join import Piece, join_videos
        from .media import probe

        job = video.job
        emit(self._display, Message(f"{job.item.name}: joining {len(video.pieces)} shots into {job.output}"))
        info = probe(job.item.path)
        audio = AudioClip(job.item.path, video.starts[0], video.end) if info.has_audio else None
        pieces = [Piece(p.output, start - video.starts[0]) for p, start in zip(video.pieces, video.starts)]
        records = [_piece_record(o) for o in done]
        join_videos(pieces, job.output, audio=audio, metadata=self.session.metadata(job, segments=video.segments))
        shutil.rmtree(pieces_folder(job.output), ignore_errors=True)
        return _joined_record(job.output, video, records)

    def _emit(self, event: Any) -> None:
        emit(self._display, event)
        emit(self._report, event)


def _merge_short(starts: list[int], count: int, min_frames: int) -> list[int]:
    """Shot starts (positions) with every shot shorter than ``min_frames`` run on into the
    next one (and a short last shot into the one before it)."""
    merged = starts[:1]
    for start in starts[1:]:
        if start - merged[-1] >= min_frames:
            merged.append(start)
    if len(merged) > 1 and count - merged[-1] < min_frames:
        merged.pop()
    return merged


def _piece_record(outcome: batch.Outcome) -> dict[str, Any]:
    """A piece's result; for a piece finished by an earlier run (skipped now), its frames."""
    if outcome.status == "ok" and isinstance(outcome.result, dict):
        return outcome.result
    from .media import probe

    frames = probe(outcome.job.output).frames
    return {"frames": frames, "resumed_from": frames}


def _joined_record(output: str, video: _Video, records: list[dict[str, Any]]) -> dict[str, Any]:
    """One ``--json`` result for a joined video, from its segments' results."""
    frames = sum(r.get("frames", 0) for r in records)
    errors = [(r["warping_error"], r.get("frames", 0)) for r in records if r.get("warping_error") is not None]
    cuts = sorted({c for r in records for c in r.get("cuts", [])} | {s for s, _ in video.segments[1:]})
    return {
        "output": os.fspath(output),
        "frames": frames,
        "rendered": sum(r.get("rendered", 0) for r in records),
        "resumed_from": sum(r.get("resumed_from", 0) for r in records),
        "seconds": round(sum(r.get("seconds", 0.0) for r in records), 3),
        "cuts": cuts,
        "warping_error": sum(e * n for e, n in errors) / max(sum(n for _, n in errors), 1) if errors else None,
        "segments": [list(s) for s in video.segments],
    }
