"""A tiny stand-in backbone with VGG-like layer names, for fast mechanical style tests.

It mimics the part of :class:`genart.models.Backbone` that :func:`genart.commands.style.algorithm.stylize`
uses (``extractor``, ``device``, ``spec.min_size``), with a receptive field small enough
(radius < 32 px) that tiled gradients must equal whole-image gradients exactly.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from torch import nn

from genart.core.errors import LayerError

# name -> (in_channels, out_channels, pool before)
_LAYERS = {
    "relu1_1": (3, 8, False),
    "relu2_1": (8, 12, True),
    "relu3_1": (12, 16, True),
    "relu4_1": (16, 16, True),
    "relu4_2": (16, 16, False),
}


class TinyExtractor(nn.Module):
    def __init__(self, layers: list[str], seed: int = 0) -> None:
        super().__init__()
        unknown = [n for n in layers if n not in _LAYERS]
        if unknown:
            raise LayerError(f"tiny: unknown layer {unknown[0]!r}")
        torch.manual_seed(seed)
        self.convs = nn.ModuleDict({n: nn.Conv2d(i, o, 3, padding=1) for n, (i, o, _) in _LAYERS.items()})
        self.requires_grad_(False)
        order = list(_LAYERS)
        self.wanted = set(layers)
        self.last = max(order.index(n) for n in layers)
        self.order = order[: self.last + 1]

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        out = {}
        x = (x - 0.45) / 0.25
        for name in self.order:
            if _LAYERS[name][2]:
                x = nn.functional.max_pool2d(x, 2)
            x = torch.relu(self.convs[name](x))
            if name in self.wanted:
                out[name] = x
        return out


class TinyBackbone:
    device = torch.device("cpu")
    spec = SimpleNamespace(name="tiny", min_size=16)
    available_layers = list(_LAYERS)

    def __init__(self) -> None:
        self.poolings: list[str | None] = []  # the pooling each extractor was asked for

    def extractor(self, layers, *, pooling=None):
        self.poolings.append(pooling)
        return TinyExtractor(list(layers))


def test_standin_extractor_gives_named_layers_with_vgg_strides():
    feats = TinyBackbone().extractor(["relu1_1", "relu4_2"])(torch.rand(1, 3, 64, 48))
    assert set(feats) == {"relu1_1", "relu4_2"}
    assert feats["relu1_1"].shape == (1, 8, 64, 48)
    assert feats["relu4_2"].shape == (1, 16, 8, 6)
    with pytest.raises(LayerError):
        TinyBackbone().extractor(["relu5_1"])
