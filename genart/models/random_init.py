"""Seeded random weights (``weights="random"``) for tests and for trying a network out.

Convolutions get He et al.'s (2015) normal init for ReLU networks, so activations keep
their scale through deep stacks; linear layers the small normal of torchvision's VGG;
batch norm is the identity. Each tensor is drawn in state-dict order from one seeded
generator, so a seed always gives the same network.
"""
from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

__all__ = ["random_values"]


def _kaiming(t: torch.Tensor, g: torch.Generator) -> None:
    nn.init.kaiming_normal_(t, mode="fan_in", nonlinearity="relu", generator=g)


_INIT: dict[tuple[type, str], Callable[[torch.Tensor, torch.Generator], Any]] = {
    (nn.Conv2d, "weight"): _kaiming,
    (nn.Conv2d, "bias"): lambda t, g: t.zero_(),
    (nn.Linear, "weight"): lambda t, g: nn.init.normal_(t, 0.0, 0.01, generator=g),
    (nn.Linear, "bias"): lambda t, g: t.zero_(),
    (nn.BatchNorm2d, "weight"): lambda t, g: t.fill_(1.0),
    (nn.BatchNorm2d, "bias"): lambda t, g: t.zero_(),
    (nn.BatchNorm2d, "running_mean"): lambda t, g: t.zero_(),
    (nn.BatchNorm2d, "running_var"): lambda t, g: t.fill_(1.0),
    (nn.BatchNorm2d, "num_batches_tracked"): lambda t, g: t.zero_(),
}


def random_values(module: nn.Module, keys: set[str], seed: int) -> dict[str, torch.Tensor]:
    """Seeded random tensors for ``keys`` of ``module``'s state dict (in state-dict order)."""
    g = torch.Generator().manual_seed(seed)
    owners = dict(module.named_modules())
    values = {}
    for key, ref in module.state_dict().items():
        if key not in keys:
            continue
        owner, _, attr = key.rpartition(".")
        init = _INIT.get((type(owners[owner]), attr))
        if init is None:
            raise TypeError(f"no random init for {key} ({type(owners[owner]).__name__})")
        t = torch.empty(ref.shape, dtype=ref.dtype)
        init(t, g)
        values[key] = t
    return values
