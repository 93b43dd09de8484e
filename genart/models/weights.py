"""Where a backbone's weights file comes from, and downloading it safely.

Order of resolution (first hit wins):

1. an explicit file (``weights=FILE``; a bare file name is also looked up in 2 and 3);
2. ``$GENART_WEIGHTS_DIR/<file name>`` (several folders may be joined with ``os.pathsep``);
3. the torch hub cache, ``torch.hub.get_dir()/checkpoints/<file name>`` (honours TORCH_HOME);
4. a download into the hub cache, unless offline (``offline=True`` or ``GENART_OFFLINE=1``).

A download is written to a temporary file in the destination folder, hashed while it
arrives, checked against the published sha256 (or the torch-hub style prefix in the file
name) and moved into place with ``os.replace``; on any failure nothing is left behind.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..core.errors import GenartError, WeightsError, WeightsUnavailableOffline
from ..core.events import EventCallback, Message, StageStarted, Step, emit
from .registry import get_spec
from .spec import BackboneSpec, WeightsSource

__all__ = [
    "WeightsLocation",
    "download_weights",
    "hub_checkpoints_dir",
    "locate_weights",
    "offline_from_env",
    "resolve_weights",
    "search_dirs",
    "sha256_file",
]

ENV_DIR = "GENART_WEIGHTS_DIR"
ENV_OFFLINE = "GENART_OFFLINE"
CHUNK = 1 << 20  # bytes per read while downloading or hashing
TIMEOUT_S = 60.0  # per socket operation, not for the whole download


def offline_from_env() -> bool:
    """Whether ``GENART_OFFLINE`` forbids the network."""
    return os.environ.get(ENV_OFFLINE, "").strip().lower() in ("1", "true", "yes", "on")


def _offline(offline: bool | None) -> bool:
    return offline_from_env() if offline is None else offline


def hub_checkpoints_dir() -> Path:
    """torch hub's checkpoint folder (``$TORCH_HOME/hub/checkpoints`` by default)."""
    import torch.hub

    return Path(torch.hub.get_dir()) / "checkpoints"


def search_dirs() -> list[tuple[str, Path]]:
    """The folders searched for weights files, in order, each with where it comes from."""
    dirs = [(ENV_DIR, Path(p).expanduser()) for p in os.environ.get(ENV_DIR, "").split(os.pathsep) if p]
    dirs.append(("hub cache", hub_checkpoints_dir()))
    return dirs


@dataclass(frozen=True)
class WeightsLocation:
    """Where a backbone's weights would be loaded from, found without the network."""

    path: Path | None  # the file, or None when it is not on disk
    origin: str  # "file", "GENART_WEIGHTS_DIR", "hub cache", "download" or "unavailable"


def _source(spec: BackboneSpec) -> WeightsSource:
    if spec.weights is None:
        raise WeightsError(f"{spec.name}: no known weights file; pass weights=FILE (--weights)")
    return spec.weights


def locate_weights(spec: BackboneSpec | str, weights: str | os.PathLike | None = None) -> WeightsLocation:
    """Find the weights file without downloading (steps 1-3 of the module docstring)."""
    spec = get_spec(spec)
    if weights is not None:
        explicit = Path(weights).expanduser()
        if explicit.is_file():
            return WeightsLocation(explicit, "file")
        if explicit.name == str(weights):  # a bare file name: look in the search folders
            for origin, folder in search_dirs():
                if (folder / explicit.name).is_file():
                    return WeightsLocation(folder / explicit.name, origin)
        return WeightsLocation(None, "unavailable")
    if spec.weights is None:
        return WeightsLocation(None, "unavailable")
    for origin, folder in search_dirs():
        candidate = folder / spec.weights.filename
        if candidate.is_file():
            return WeightsLocation(candidate, origin)
    return WeightsLocation(None, "download" if spec.weights.url else "unavailable")


def resolve_weights(
    spec: BackboneSpec | str,
    weights: str | os.PathLike | None = None,
    *,
    offline: bool | None = None,
    callback: EventCallback | None = None,
) -> Path:
    """The path of the weights file for ``spec``, downloading it if needed and allowed.

    Args:
        spec: a spec or backbone name.
        weights: an explicit file (or bare file name found in the search folders).
        offline: forbid the network; ``None`` reads ``GENART_OFFLINE``.
        callback: receives download progress events.

    Raises:
        WeightsError: an explicit file is missing, or the download failed.
        WeightsUnavailableOffline: the file is not on disk and downloading is forbidden.
    """
    spec = get_spec(spec)
    found = locate_weights(spec, weights)
    if found.path is not None:
        return found.path
    if weights is not None:
        where = ", ".join(str(d) for _, d in search_dirs())
        hint = f"; put it in {_drop_folder()} (or set {ENV_DIR}) or pass --weights PATH" if len(Path(weights).parts) == 1 else ""
        raise WeightsError(f"{weights}: no such weights file (looked in {where}){hint}")
    source = _source(spec)
    if _offline(offline):
        raise WeightsUnavailableOffline(_offline_message(spec, source))
    if not source.url:
        raise WeightsError(f"{spec.name}: {source.filename} not found and has no download URL")
    return download_weights(spec, offline=False, callback=callback)


def _drop_folder() -> Path:
    """Where a user should put a weights file: GENART_WEIGHTS_DIR when set, else the hub cache."""
    return search_dirs()[0][1]


def _offline_message(spec: BackboneSpec, source: WeightsSource) -> str:
    url = f"download it from {source.url} and " if source.url else ""
    return (
        f"{spec.name}: weights file {source.filename} not found and downloads are off "
        f"(--offline / GENART_OFFLINE=1); {url}put it in {_drop_folder()} (or pass --weights FILE)"
    )


def _instead(source: WeightsSource) -> str:
    """What to do when a download cannot happen."""
    return (
        f"instead, get {source.filename} another way and put it in {_drop_folder()} (or set {ENV_DIR}), "
        "or pass --weights FILE; --offline never tries the network"
    )


def download_weights(
    spec: BackboneSpec | str,
    *,
    dest_dir: str | os.PathLike | None = None,
    force: bool = False,
    offline: bool | None = None,
    callback: EventCallback | None = None,
    timeout: float = TIMEOUT_S,
) -> Path:
    """Download ``spec``'s weights into ``dest_dir`` (default: the hub cache); return the path.

    An existing file is kept unless ``force``. Progress goes to ``callback`` as a
    ``StageStarted`` then ``Step`` events counting bytes (``steps`` is 0 when the server
    sends no length), and a final ``Message``.

    Raises:
        WeightsUnavailableOffline: offline.
        WeightsError: HTTP or network failure, a short read, or a checksum mismatch.
    """
    spec = get_spec(spec)
    source = _source(spec)
    folder = Path(dest_dir).expanduser() if dest_dir is not None else hub_checkpoints_dir()
    dest = folder / source.filename
    if dest.is_file() and not force:
        return dest
    if _offline(offline):
        raise WeightsUnavailableOffline(_offline_message(spec, source))
    if not source.url:
        raise WeightsError(f"{spec.name}: {source.filename} has no download URL")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WeightsError(f"{folder}: cannot create the weights folder ({exc.strerror or exc})") from None
    size = _fetch(source, dest, callback, timeout)
    emit(callback, Message(f"downloaded {source.filename} ({size / 1e6:.1f} MB, {source.checksum_note}) to {folder}"))
    return dest


def _fetch(source: WeightsSource, dest: Path, callback: EventCallback | None, timeout: float) -> int:
    """Download ``source.url`` to ``dest`` atomically; return its size in bytes."""
    from .. import __version__

    request = urllib.request.Request(source.url, headers={"User-Agent": f"genart/{__version__}"})
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as response:
            size, digest = _copy(response, out, source.filename, callback)
        expected = source.expected_hash
        if expected and not digest.startswith(expected):
            raise WeightsError(
                f"{source.filename}: sha256 mismatch (expected {expected}, got {digest[: len(expected)]}) "
                f"from {source.url}; the download was discarded"
            )
        os.replace(tmp, dest)
        return size
    except GenartError:
        tmp.unlink(missing_ok=True)
        raise
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, urllib.error.HTTPError):
            reason = f"HTTP {exc.code} {exc.reason}"
        else:
            reason = getattr(exc, "reason", None) or exc
        raise WeightsError(f"{source.filename}: download from {source.url} failed: {reason}; {_instead(source)}") from None
    except BaseException:  # Ctrl-C included: leave nothing behind
        tmp.unlink(missing_ok=True)
        raise


def _copy(response, out: IO[bytes], name: str, callback: EventCallback | None) -> tuple[int, str]:
    """Stream ``response`` into ``out`` while hashing; return (bytes, sha256 hex digest)."""
    length = response.headers.get("Content-Length")
    total = int(length) if length and length.isdigit() else None
    emit(callback, StageStarted(f"download {name}", 0, 1, total or 0))
    hasher = hashlib.sha256()
    done = 0
    while True:
        chunk = response.read(CHUNK)
        if not chunk:
            break
        out.write(chunk)
        hasher.update(chunk)
        done += len(chunk)
        emit(callback, Step(done, total or 0, {"MB": done / 1e6}))
    if total is not None and done != total:
        raise WeightsError(f"{name}: connection closed after {done} of {total} bytes; the download was discarded")
    return done, hasher.hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    """The sha256 hex digest of a file."""
    hasher = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            hasher.update(chunk)
    return hasher.hexdigest()
