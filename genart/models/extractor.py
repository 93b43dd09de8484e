"""The named-layer feature extractor: runs a backbone stage by stage, up to the deepest layer asked.

Stages after the deepest requested layer are not part of the extractor at all, so they are
never computed. Activations stay differentiable with respect to the input image (style
transfer and DeepDream optimise the image); the parameters are frozen.
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ..core.errors import ImageError
from .spec import Preprocess

__all__ = ["FeatureExtractor", "Normalize", "check_rgb_batch"]


class Normalize(nn.Module):
    """RGB [0, 1] -> network input: ``(rgb_or_bgr * scale - mean) / std``."""

    def __init__(self, pre: Preprocess) -> None:
        super().__init__()
        self.bgr = pre.bgr
        self.scale = pre.scale
        self.register_buffer("mean", torch.tensor(pre.mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(pre.std, dtype=torch.float32).view(1, 3, 1, 1))

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        x = img.flip(1) if self.bgr else img  # RGB -> BGR for Caffe ports
        return (x * self.scale - self.mean) / self.std


def check_rgb_batch(img: torch.Tensor, who: str) -> None:
    """Raise ImageError unless ``img`` is an (N, 3, H, W) tensor."""
    if not isinstance(img, torch.Tensor) or img.dim() != 4 or img.shape[1] != 3:
        shape = tuple(img.shape) if isinstance(img, torch.Tensor) else type(img).__name__
        raise ImageError(f"{who}: expected an RGB batch of shape (N, 3, H, W), got {shape}")


class FeatureExtractor(nn.Module):
    """Returns ``{name: activation}`` for the requested layers of a backbone.

    Built by :meth:`genart.models.Backbone.extractor`, which validates the names. The
    input is an RGB batch (N, 3, H, W) in [0, 1]; normalisation is included. Keys of the
    result are the names as requested (aliases included).

    Example::

        ext = bb.extractor(["relu1_1", "relu4_2"])
        feats = ext(img)            # feats["relu4_2"].shape == (N, 512, H / 8, W / 8)
    """

    def __init__(
        self,
        backbone_name: str,
        normalize: Normalize,
        stages: Sequence[tuple[str, nn.Module]],
        requested: Sequence[tuple[str, str]],
        min_size: int,
    ) -> None:
        super().__init__()
        self.backbone_name = backbone_name
        self.normalize = normalize
        self.stages = nn.ModuleDict(dict(stages))
        self.requested = tuple(requested)  # (name as asked, canonical name)
        self.min_size = min_size
        self.eval()

    @property
    def layers(self) -> tuple[str, ...]:
        """The requested layer names, as given."""
        return tuple(asked for asked, _ in self.requested)

    @property
    def deepest(self) -> str:
        """The last layer this extractor computes."""
        return next(reversed(self.stages.keys()))

    def train(self, mode: bool = True) -> "FeatureExtractor":
        # A frozen extractor: batch-norm statistics must never update.
        return super().train(False)

    def forward(self, img: torch.Tensor) -> dict[str, torch.Tensor]:
        check_rgb_batch(img, self.backbone_name)
        wanted = {canonical for _, canonical in self.requested}
        found: dict[str, torch.Tensor] = {}
        x = self.normalize(img)
        for name, stage in self.stages.items():
            x = self._run(stage, x, name, img)
            if name in wanted:
                found[name] = x
        return {asked: found[canonical] for asked, canonical in self.requested}

    def _run(self, stage: nn.Module, x: torch.Tensor, name: str, img: torch.Tensor) -> torch.Tensor:
        try:
            return stage(x)
        except RuntimeError as exc:
            h, w = img.shape[-2:]
            if min(h, w) < self.min_size:  # the likely cause: the maps shrank to nothing
                raise ImageError(
                    f"{self.backbone_name}: a {w}x{h} image is too small for layer {name} "
                    f"(this network needs at least {self.min_size} px per side)"
                ) from exc
            raise
