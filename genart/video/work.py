"""The work folder that makes long renders resumable.

Beside the output ``clip_starry.mp4`` lives ``clip_starry.mp4.genart-work/`` while the
render runs:

``manifest.json``  source (path, size, modification time), frame size, frame selection,
                   flow method and the command's settings: what the frames were made with
``000000.png``...  finished output frames, each written atomically (``save_image``)
``log.jsonl``      one line per finished frame with its warping error (for the summary)

A re-run with the same manifest resumes after the last finished frame; a re-run with a
different one (another source, size, range, or settings) starts over, with a warning, since
those frames belong to a different video. After encoding, the folder is deleted. A folder
with that name that genart did not make is never touched.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ..core.errors import VideoError

__all__ = ["WORK_SUFFIX", "WorkFolder", "work_folder_for"]

WORK_SUFFIX = ".genart-work"
_MANIFEST = "manifest.json"
_LOG = "log.jsonl"
_KIND = "genart video work folder"


def work_folder_for(output: str | os.PathLike[str]) -> Path:
    """``<output>.genart-work`` beside the output (a folder output loses its trailing /)."""
    path = Path(os.fspath(output).rstrip("/" + os.sep) or ".")
    return path.parent / (path.name + WORK_SUFFIX)


def _normalised(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest as JSON will give it back (tuples -> lists, odd values -> str)."""
    return json.loads(json.dumps({"kind": _KIND, **manifest}, sort_keys=True, default=str))


class WorkFolder:
    """Finished frames of one render, numbered by their position in the selection."""

    def __init__(self, output: str | os.PathLike[str]) -> None:
        self.path = work_folder_for(output)

    def prepare(self, manifest: Mapping[str, Any], resume: bool = True) -> tuple[int, str | None]:
        """Make the folder ready: (frames already finished, a note for the user or None)."""
        wanted = _normalised(manifest)
        if not self.path.exists():
            self.path.mkdir()
            self._write_manifest(wanted)
            return 0, None
        old = self._read_manifest()
        if resume and old == wanted:
            done = self.finished()
            return done, f"resuming after {done} finished frames ({self.path})" if done else None
        self._clear()
        self._write_manifest(wanted)
        reason = "resume is off" if resume is False else "the source or the settings changed"
        return 0, f"{self.path}: {reason}; its frames were discarded and the render starts over"

    def _read_manifest(self) -> dict[str, Any] | None:
        file = self.path / _MANIFEST
        if not self.path.is_dir() or not file.is_file():
            raise VideoError(f"{self.path}: exists but is not a genart work folder; move it away")
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # a damaged manifest: the frames cannot be trusted
        if not isinstance(data, dict) or data.get("kind") != _KIND:
            raise VideoError(f"{self.path}: exists but is not a genart work folder; move it away")
        return data

    def _write_manifest(self, manifest: Mapping[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".manifest.", suffix=".part")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(manifest, fh, indent=1, sort_keys=True)
            os.replace(tmp, self.path / _MANIFEST)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _clear(self) -> None:
        for entry in self.path.iterdir():
            if entry.is_file() and (entry.suffix == ".png" or entry.name in (_LOG, _MANIFEST)):
                entry.unlink()

    # ------------------------------------------------------------------- frames
    def frame_path(self, position: int) -> Path:
        return self.path / f"{position:06d}.png"

    def finished(self) -> int:
        """How many frames 0, 1, 2... are finished (a gap ends the count)."""
        done = 0
        while self.frame_path(done).is_file():
            done += 1
        return done

    def save(self, position: int, image: Any, metadata: Mapping[str, Any] | None = None) -> None:
        """Write frame ``position`` atomically (a Ctrl-C mid-write leaves no half frame)."""
        from ..imageio import save_image

        save_image(image, self.frame_path(position), metadata=metadata)

    def load(self, position: int) -> np.ndarray:
        """Frame ``position`` as float32 (H, W, 3) in [0, 1]."""
        from ..imageio import load_image

        return load_image(self.frame_path(position)).rgb

    def log(self, position: int, **values: Any) -> None:
        """Append one line about a finished frame (a torn last line is ignored on reading)."""
        with open(self.path / _LOG, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"frame": position, **values}) + "\n")

    def read_log(self, before: int) -> dict[int, dict[str, Any]]:
        """Logged lines of frames ``< before``, by frame position."""
        lines: dict[int, dict[str, Any]] = {}
        try:
            text = (self.path / _LOG).read_text(encoding="utf-8")
        except OSError:
            return lines
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("frame"), int) and entry["frame"] < before:
                lines[entry["frame"]] = entry
        return lines

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
