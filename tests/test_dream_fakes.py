"""A tiny stand-in backbone for the dream tests (no tests here).

It has the shape of ``genart.models.Backbone`` that dream uses (spec, extractor,
classify, categories, device) and runs in milliseconds, so the mechanics tests stay fast
and exact; tests with the real registry live in test_dream_models.py.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class Info:
    name: str
    channels: int


@dataclass(frozen=True)
class Spec:
    name: str = "tiny"
    min_size: int = 16
    has_classifier: bool = True
    default_dream_layers: tuple = ("conv2",)

    def layers(self) -> list[Info]:
        return [Info("conv1", 8), Info("conv2", 16), Info("conv3", 16)]

    def layer(self, name: str) -> Info:
        return {i.name: i for i in self.layers()}[name]


class TinyNet(nn.Module):
    def __init__(self, stride: int = 2) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=stride, padding=1)
        self.conv3 = nn.Conv2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(16, 10)

    def features(self, x: torch.Tensor, names: list[str]) -> dict[str, torch.Tensor]:
        out = {}
        for name in ("conv1", "conv2", "conv3"):
            x = torch.relu(getattr(self, name)(x))
            if name in names:
                out[name] = x
            if len(out) == len(names):
                break
        return out


class Extractor(nn.Module):
    def __init__(self, net: TinyNet, names: list[str]) -> None:
        super().__init__()
        self.net, self.names = net, list(names)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.net.features(x - 0.5, self.names)


class FakeBackbone:
    """Random-init, seeded, frozen; extractor stops after the deepest layer asked."""

    def __init__(self, seed: int = 0, stride: int = 2) -> None:
        torch.manual_seed(seed)
        self.module = TinyNet(stride).eval().requires_grad_(False)
        self.spec = Spec()
        self.device = torch.device("cpu")
        self.categories = [f"class {i}" for i in range(9)] + ["Great Dane"]
        self.extracted: list[list[str]] = []

    def extractor(self, names: list[str]) -> Extractor:
        self.extracted.append(list(names))
        return Extractor(self.module, names)

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        feats = self.module.features(x - 0.5, ["conv3"])["conv3"]
        return self.module.fc(feats.mean(dim=(2, 3)))


def photo(h: int = 64, w: int = 64, seed: int = 1) -> torch.Tensor:
    """A smooth random 'photo' (1, 3, h, w) in [0, 1]."""
    g = torch.Generator().manual_seed(seed)
    small = torch.rand(1, 3, max(2, h // 8), max(2, w // 8), generator=g)
    return torch.nn.functional.interpolate(small, size=(h, w), mode="bilinear", align_corners=False)
