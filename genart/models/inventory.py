"""What is on disk: the library behind ``genart models list`` and ``genart models verify``."""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..core.errors import GenartError
from .registry import get_spec
from .spec import BackboneSpec
from .weights import locate_weights, sha256_file

__all__ = ["VerifyResult", "WeightsFile", "WeightsStatus", "verify_weights", "weights_files", "weights_status"]

WEIGHTS_SUFFIXES = (".pth", ".pt")


@dataclass(frozen=True)
class WeightsStatus:
    """One backbone's weights file and where it would be loaded from."""

    name: str
    family: str
    description: str
    filename: str | None
    status: str  # "cached" (on disk), "missing" (would be downloaded) or "unavailable"
    path: Path | None  # the file on disk, when cached
    size: int | None  # bytes, when cached
    origin: str  # "GENART_WEIGHTS_DIR", "hub cache", "download" or "unavailable"
    url: str | None
    checksum: str  # how the file is checked, in words

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path) if self.path else None
        return data


def weights_status(spec: BackboneSpec | str) -> WeightsStatus:
    """Where ``spec``'s weights are (or would come from), without touching the network."""
    spec = get_spec(spec)
    found = locate_weights(spec)
    source = spec.weights
    if found.path is not None:
        status, size = "cached", found.path.stat().st_size
    else:
        status, size = ("missing" if found.origin == "download" else "unavailable"), None
    return WeightsStatus(
        name=spec.name,
        family=spec.family,
        description=spec.description,
        filename=source.filename if source else None,
        status=status,
        path=found.path,
        size=size,
        origin=found.origin,
        url=source.url if source else None,
        checksum=source.checksum_note if source else "no published checksum",
    )


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking one weights file."""

    name: str
    path: Path | None
    checksum: str  # "ok", "mismatch", "no published checksum", "not checked (...)" or "missing"
    loads: bool  # the file loads into the network
    detail: str  # what it holds, or what is wrong

    @property
    def ok(self) -> bool:
        return self.loads and self.checksum not in ("mismatch", "missing")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path) if self.path else None
        data["ok"] = self.ok
        return data


def verify_weights(spec: BackboneSpec | str, weights: str | os.PathLike | None = None) -> VerifyResult:
    """Check the sha256 of ``spec``'s weights file (where one is known) and that it loads.

    Args:
        spec: a spec or backbone name.
        weights: check this file instead of the one found in the search folders.
    """
    spec = get_spec(spec)
    path = locate_weights(spec, weights).path
    if path is None:
        return VerifyResult(spec.name, None, "missing", False, "not on disk (see `genart models download`)")
    checksum = _checksum(spec, path)
    try:
        detail = _load_summary(spec, path)
    except GenartError as exc:
        return VerifyResult(spec.name, path, checksum, False, str(exc))
    return VerifyResult(spec.name, path, checksum, True, detail)


def _checksum(spec: BackboneSpec, path: Path) -> str:
    source = spec.weights
    if source is None or path.name != source.filename:
        return "not checked (not the published file name)"
    expected = source.expected_hash
    if expected is None:
        return "no published checksum"
    return "ok" if sha256_file(path).startswith(expected) else "mismatch"


def _load_summary(spec: BackboneSpec, path: Path) -> str:
    from .backbone import load_backbone

    bb = load_backbone(spec, weights=path, offline=True)
    params = sum(p.numel() for p in bb.module.parameters() if not p.is_meta)
    tensors = len([t for t in bb.module.state_dict().values() if not t.is_meta])
    layers = f", layers up to {bb.available_layers[-1]}" if bb.available_layers else ""
    classifier = "with classifier" if spec.has_classifier and bb.has_classifier_weights else "no classifier"
    return f"{tensors} tensors, {params / 1e6:.1f}M parameters{layers}, {classifier}"


@dataclass(frozen=True)
class WeightsFile:
    """A weights file found where genart looks for weights, and what it holds."""

    path: Path
    size: int
    origin: str  # "GENART_WEIGHTS_DIR" or "hub cache"
    backbone: str | None  # the registered backbone it fits, if any
    deepest: str | None  # the deepest layer it covers
    partial: bool  # it covers only the first layers of the network
    note: str = ""  # why it fits no backbone

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        return data


def weights_files() -> list[WeightsFile]:
    """Every weights file in GENART_WEIGHTS_DIR and the hub cache, matched to the
    registered backbone it fits and the layers it covers (a partial file such as the
    first blocks of VGG19 included). Files are read lazily (memory-mapped)."""
    from .registry import list_specs
    from .weights import search_dirs

    out: list[WeightsFile] = []
    seen: set[Path] = set()
    for origin, folder in search_dirs():
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.suffix in WEIGHTS_SUFFIXES and p.is_file()):
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            out.append(_identify(path, origin, list_specs()))
    return out


def _identify(path: Path, origin: str, specs: list[BackboneSpec]) -> WeightsFile:
    from .backbone import covered_layers
    from .loading import read_state_dict

    size = path.stat().st_size
    try:
        raw = read_state_dict(path, mmap=True)
    except GenartError as exc:
        return WeightsFile(path, size, origin, None, None, False, note=str(exc).split(": ", 1)[-1])
    ordered = sorted((s for s in specs if s.layer_table), key=lambda s: _affinity(s, path))
    for spec in ordered:
        try:
            covered = covered_layers(spec, raw, path)
        except GenartError:
            continue
        if covered:
            deepest = [n for n in covered if spec.layer(n).kind != "pool"][-1]
            return WeightsFile(path, size, origin, spec.name, deepest, len(covered) < len(spec.layer_table))
    return WeightsFile(path, size, origin, None, None, False, note="fits no registered backbone")


def _affinity(spec: BackboneSpec, path: Path) -> tuple[int, int]:
    """Sort key of the backbones a file may fit (several share key layouts, e.g. vgg19 and
    vgg19-caffe): its published file name first, then the longest backbone name found in
    the file's name."""
    if spec.weights is not None and spec.weights.filename == path.name:
        return (0, 0)
    return (1, -len(spec.name)) if spec.name in path.stem else (2, 0)
