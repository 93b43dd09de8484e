"""A stand-in for a GPU on machines without one: tensors that say they live elsewhere.

:class:`Elsewhere` wraps a CPU tensor and reports the ``meta`` device. Every operation on
it runs on the wrapped CPU tensor, so values, ``item()`` and autograd all work, but it
enforces CUDA's device rules first: a plain (CPU) tensor may meet an ``Elsewhere`` tensor
only as a 0-dim input, never as a larger operand and never as the tensor written into.
Code that creates a tensor without saying where (``torch.zeros(())``) and then mixes it
with the image's tensors fails here exactly as it would on a GPU.

Inside ``with on_fake_device():`` tensors sent to the fake device (``.to(device)``,
``device=...`` of a factory, ``.to(other)``) become ``Elsewhere`` tensors, so whole
algorithms run "on the device"; :func:`move_module` moves a module's weights there.

Example::

    x = elsewhere(torch.rand(1, 3, 8, 8))
    (x * 2).sum().item()            # fine
    torch.zeros(()).add_(x.sum())   # RuntimeError, as on CUDA
"""
from __future__ import annotations

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten, tree_map

FAKE = torch.device("meta")
CPU = torch.device("cpu")


class Elsewhere(torch.Tensor):
    """A CPU tensor that claims another device and checks CUDA's mixing rules."""

    inner: torch.Tensor

    @staticmethod
    def __new__(cls, inner: torch.Tensor) -> "Elsewhere":
        return torch.Tensor._make_wrapper_subclass(
            cls, inner.shape, strides=inner.stride(), dtype=inner.dtype, device=FAKE,
            requires_grad=inner.requires_grad,
        )

    def __init__(self, inner: torch.Tensor) -> None:
        self.inner = inner

    def __repr__(self) -> str:  # noqa: D105
        return f"Elsewhere({self.inner!r})"

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        kwargs = _to_cpu(kwargs or {})
        _check_devices(func, args, kwargs)
        out = func(*tree_map(_unwrap, args), **tree_map(_unwrap, kwargs))
        return tree_map(_wrap, out)


def _unwrap(t):
    return t.inner if isinstance(t, Elsewhere) else t


def _wrap(t):
    return Elsewhere(t) if type(t) is torch.Tensor else t


def _is_fake(d) -> bool:
    return isinstance(d, (torch.device, str)) and torch.device(d).type == FAKE.type


def _to_cpu(kwargs: dict) -> dict:
    return {k: (CPU if k == "device" and _is_fake(v) else v) for k, v in kwargs.items()}


def _check_devices(func, args, kwargs) -> None:
    flat, _ = tree_flatten((args, kwargs))
    plain = [t for t in flat if isinstance(t, torch.Tensor) and not isinstance(t, Elsewhere)]
    if not plain:
        return
    big = [t for t in plain if t.dim() > 0]
    if big:
        raise RuntimeError(f"{func}: a CPU tensor of shape {tuple(big[0].shape)} meets tensors on another device")
    written = [a for a, s in zip(args, func._schema.arguments) if s.alias_info is not None and s.alias_info.is_write]
    if any(not isinstance(t, Elsewhere) for t in written):
        raise RuntimeError(f"{func}: writes into a CPU tensor from another device")


class on_fake_device(TorchFunctionMode):  # noqa: N801 - used as a context manager
    """Tensors sent to the fake device inside this block become :class:`Elsewhere`."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        moved = _is_fake(kwargs.get("device"))
        kwargs = _to_cpu(kwargs)
        if func in (torch.Tensor.to, torch.Tensor.cuda) and len(args) > 1:
            target = args[1]
            if isinstance(target, Elsewhere) or _is_fake(target):
                moved = True
                args = (args[0], *((target.dtype,) if isinstance(target, Elsewhere) else ()), *args[2:])
        out = func(*args, **kwargs)
        if moved:
            return tree_map(lambda t: elsewhere(t, copy=False) if isinstance(t, torch.Tensor) else t, out)
        return out


def elsewhere(t: torch.Tensor, *, copy: bool = True) -> Elsewhere:
    """``t`` (its values) as an :class:`Elsewhere` tensor."""
    if isinstance(t, Elsewhere):
        return t
    inner = t.detach()
    return Elsewhere(inner.clone() if copy else inner).requires_grad_(t.requires_grad)


def move_module(module: torch.nn.Module) -> torch.nn.Module:
    """Replace ``module``'s parameters and buffers by :class:`Elsewhere` tensors, in place."""
    for m in module.modules():
        for store in (m._parameters, m._buffers):
            for name, value in list(store.items()):
                if value is not None:
                    del store[name]
                    object.__setattr__(m, name, elsewhere(value))
    return module
