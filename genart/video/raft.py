"""Optional learned optical flow: torchvision's RAFT (Teed & Deng 2020).

Better than DIS on large motion and textureless regions, but it needs weights (about 5 MB
for ``raft_small``, 21 MB for ``raft_large``) and is slow on a CPU; on a GPU it is the
better choice. The weights are torchvision's published files, looked up like genart's
other weights (:mod:`genart.models.weights`: an explicit file, ``$GENART_WEIGHTS_DIR``,
the torch hub cache) and downloaded into the hub cache only when downloads are allowed;
offline, a missing file is a one-line error naming the URL to fetch.

Usage: ``estimate_flow(a, b, "raft")`` (raft_large) or ``"raft-small"``; or build a
:class:`RaftFlow` with your own weights file and pass it as the method.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import WeightsError, WeightsUnavailableOffline

__all__ = ["RAFT_MODELS", "RaftFlow", "raft_flow", "raft_small_flow"]

#: model name -> (torchvision builder name, weights enum name)
RAFT_MODELS: dict[str, tuple[str, str]] = {
    "raft_large": ("raft_large", "Raft_Large_Weights"),
    "raft_small": ("raft_small", "Raft_Small_Weights"),
}
_CACHE: dict[tuple[str, str | None, str], "RaftFlow"] = {}


def _weights_url(model: str) -> str:
    from torchvision.models import optical_flow

    return getattr(optical_flow, RAFT_MODELS[model][1]).DEFAULT.url


def _locate(model: str, weights: str | os.PathLike[str] | None, offline: bool | None) -> Any:
    """The state dict for ``model``: from ``weights``, the search folders, or a download."""
    import torch

    from ..models.weights import offline_from_env, search_dirs

    url = _weights_url(model)
    filename = url.rsplit("/", 1)[-1]
    candidates = [Path(weights)] if weights is not None else [folder / filename for _, folder in search_dirs()]
    for path in candidates:
        if path.is_file():
            try:
                return torch.load(path, map_location="cpu", weights_only=True)
            except Exception as exc:  # noqa: BLE001 - a damaged file: say which
                raise WeightsError(f"{path}: cannot load {model} weights ({exc})") from None
    if weights is not None:
        raise WeightsError(f"{weights}: no such weights file for {model}")
    if offline_from_env() if offline is None else offline:
        folder = search_dirs()[0][1]
        raise WeightsUnavailableOffline(
            f"{model}: weights file {filename} not found and downloads are off (GENART_OFFLINE=1); "
            f"download it from {url} and put it in {folder}"
        )
    return torch.hub.load_state_dict_from_url(url, map_location="cpu", progress=False, check_hash=True, weights_only=True)


class RaftFlow:
    """A RAFT model as a flow method: ``RaftFlow()(a, b)`` -> (H, W, 2) flow from a to b.

    Args:
        model: "raft_large" or "raft_small".
        weights: a weights file (torchvision's state dict); None: looked up / downloaded.
        device: a torch device or name ("auto": CUDA, then MPS, then CPU).
        offline: forbid the download (None: ``GENART_OFFLINE``).
        network: an already built torchvision RAFT module (for tests and custom weights).
        updates: recurrent refinement steps (torchvision's default 12; fewer is faster).
    """

    def __init__(
        self,
        model: str = "raft_large",
        *,
        weights: str | os.PathLike[str] | None = None,
        device: Any = "auto",
        offline: bool | None = None,
        network: Any = None,
        updates: int = 12,
    ) -> None:
        import torch
        from torchvision.models import optical_flow

        from ..core.device import select_device

        if model not in RAFT_MODELS:
            raise WeightsError(f"unknown RAFT model {model!r}; choose one of {', '.join(RAFT_MODELS)}")
        self.device = select_device(device) if isinstance(device, str) else torch.device(device)
        if network is None:
            network = getattr(optical_flow, RAFT_MODELS[model][0])(weights=None)
            network.load_state_dict(_locate(model, weights, offline))
        self.network = network.eval().to(self.device)
        self.updates = updates
        self.__name__ = model

    def __call__(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        from .flow import as_uint8

        height, width = a.shape[:2]
        # RAFT works on multiples of 8 pixels, and its correlation pyramid needs 128 or more.
        pad = (0, _padded(width) - width, 0, _padded(height) - height)

        def prepare(image: np.ndarray) -> torch.Tensor:
            x = torch.from_numpy(as_uint8(image)).permute(2, 0, 1)[None].float().to(self.device)
            return F.pad(x / 127.5 - 1.0, pad, mode="replicate")  # RAFT expects [-1, 1]

        with torch.inference_mode():
            flow = self.network(prepare(a), prepare(b), num_flow_updates=self.updates)[-1]
        return flow[0, :, :height, :width].permute(1, 2, 0).float().cpu().numpy()


def _padded(side: int) -> int:
    return max(128, side + -side % 8)


def _cached(model: str) -> RaftFlow:
    key = (model, os.environ.get("GENART_WEIGHTS_DIR"), "auto")
    if key not in _CACHE:
        _CACHE[key] = RaftFlow(model)
    return _CACHE[key]


def raft_flow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Flow from a to b with RAFT-large (weights resolved once, then kept)."""
    return _cached("raft_large")(a, b)


def raft_small_flow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Flow from a to b with RAFT-small."""
    return _cached("raft_small")(a, b)
