"""Reading a weights file and matching it to a built architecture.

Every way a file can be wrong (unreadable, truncated, not a state dict, another network's
keys, wrong shapes) becomes one :class:`WeightsError` line naming the file and the problem.
A file may hold only the first layers of a network: which layers it covers is decided by
:mod:`genart.models.backbone`, from the keys returned here.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

import torch

from ..core.errors import WeightsError
from .spec import BackboneSpec

__all__ = ["match_state_dict", "read_state_dict"]

_WRAPPERS = ("state_dict", "model", "model_state_dict")  # common checkpoint layouts


def read_state_dict(path: str | os.PathLike, *, mmap: bool = False) -> dict[str, Any]:
    """``torch.load`` a state dict safely (``weights_only=True``), with one-line errors.

    ``mmap``: map the file instead of reading it (for looking at keys and shapes only).
    """
    path = Path(path)
    try:
        data = torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)
    except FileNotFoundError:
        raise WeightsError(f"{path}: no such weights file") from None
    except IsADirectoryError:
        raise WeightsError(f"{path}: is a folder, not a weights file") from None
    except Exception as exc:  # torch raises many types for a bad file; all mean the same here
        raise WeightsError(f"{path}: not a readable torch weights file ({_first_line(exc)})") from None
    for key in _WRAPPERS:
        if isinstance(data, Mapping) and isinstance(data.get(key), Mapping):
            data = data[key]
    if not isinstance(data, Mapping) or not data:
        raise WeightsError(f"{path}: does not hold a state dict (found {type(data).__name__})")
    if all(isinstance(k, str) and k.startswith("module.") for k in data):
        data = {k[len("module.") :]: v for k, v in data.items()}  # saved from nn.DataParallel
    return dict(data)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line if len(line) <= 160 else line[:157] + "..."


def match_state_dict(
    spec: BackboneSpec, expected: Mapping[str, torch.Tensor], raw: Mapping[str, Any], path: Path
) -> dict[str, torch.Tensor]:
    """Map ``raw`` (a file's state dict) onto the module keys of ``expected``.

    Args:
        spec: gives the key mapping (Caffe names, ignored auxiliary heads).
        expected: the module's state dict (shapes only are used; meta tensors are fine).
        raw: what the file holds.
        path: the file, for messages.

    Returns:
        module key -> float32 (or integer buffer) tensor, for the keys the file has.

    Raises:
        WeightsError: unknown keys, non-tensor values, wrong shapes, or nothing usable.
    """
    to_module = spec.key_to_module or (lambda k: k)
    values: dict[str, torch.Tensor] = {}
    unexpected: list[str] = []
    for key, value in raw.items():
        target = to_module(str(key))
        if target is None:
            continue
        if target not in expected:
            unexpected.append(str(key))
            continue
        if not isinstance(value, torch.Tensor):
            raise WeightsError(f"{path}: {key} is a {type(value).__name__}, not a tensor")
        if value.is_meta:
            raise WeightsError(f"{path}: {key} holds no data (saved from the meta device)")
        want = expected[target].shape
        if tuple(value.shape) != tuple(want):
            raise WeightsError(
                f"{path}: {key} has shape {tuple(value.shape)} but {spec.name} needs {tuple(want)} "
                f"(weights for another network?)"
            )
        values[target] = value.float() if value.is_floating_point() else value
    if unexpected and not values:
        raise WeightsError(
            f"{path}: none of its keys belong to {spec.name} (it has e.g. {unexpected[0]}); "
            f"weights for another network?"
        )
    if unexpected:
        raise WeightsError(
            f"{path}: {len(unexpected)} key(s) that {spec.name} does not have, e.g. {unexpected[0]} "
            f"(weights for another network?)"
        )
    if not values:
        raise WeightsError(f"{path}: holds no weights for {spec.name}")
    return values
