"""The image-optimisation loop shared by style transfer and Neural Doodle.

:func:`optimize_image` minimises ``loss_fn(image)`` over the pixels of ``image`` with
L-BFGS or Adam and reports every iteration as a :class:`genart.core.events.Step`. It knows
nothing about networks or styles: the caller composes the loss.

Example::

    def loss_fn(img):
        loss = tv_loss(img)
        return loss, {"tv": loss.item()}

    out = optimize_image(noise, loss_fn, iterations=50, learning_rate=1.0)
"""
from __future__ import annotations

import math
from typing import Callable, Mapping

import torch
from torch import Tensor

from .errors import GenartError, UsageError
from .events import EventCallback, Intermediate, Step, emit

__all__ = ["LossFn", "OPTIMIZERS", "optimize_image"]

LossFn = Callable[[Tensor], "tuple[Tensor, Mapping[str, float]]"]


class _Averager:
    """Bias-corrected exponential moving average of the iterate.

    Adam's last iterate jitters around the optimum with an amplitude set by the learning
    rate; the average of recent iterates sits much closer to it (Polyak & Juditsky 1992),
    so Adam returns the average, which is what lets it run at a high learning rate.
    """

    def __init__(self, like: Tensor, decay: float) -> None:
        self.decay = decay
        self.value = torch.zeros_like(like)
        self.weight = 0.0

    def update(self, x: Tensor) -> None:
        self.value.mul_(self.decay).add_(x, alpha=1 - self.decay)
        self.weight = self.weight * self.decay + (1 - self.decay)

    def get(self) -> Tensor:
        return self.value / self.weight


def _make_lbfgs(x: Tensor, learning_rate: float, history_size: int) -> torch.optim.Optimizer:
    # One function evaluation per step() and no line search, as in neural-style: an
    # iteration then costs exactly one forward + backward, so timings compare 1:1.
    return torch.optim.LBFGS(
        [x],
        lr=learning_rate,
        max_iter=1,
        history_size=history_size,
        tolerance_grad=-1.0,  # never stop early: the caller asked for N iterations
        tolerance_change=-1.0,
    )


def _make_adam(x: Tensor, learning_rate: float, history_size: int) -> torch.optim.Optimizer:
    return torch.optim.Adam([x], lr=learning_rate)


OPTIMIZERS: dict[str, Callable[[Tensor, float, int], torch.optim.Optimizer]] = {
    "lbfgs": _make_lbfgs,
    "adam": _make_adam,
}


def optimize_image(
    init: Tensor,
    loss_fn: LossFn,
    *,
    optimizer: str = "lbfgs",
    iterations: int,
    learning_rate: float,
    history_size: int = 10,
    callback: EventCallback | None = None,
    clamp: tuple[float, float] | None = (0.0, 1.0),
    average_decay: float = 0.9,
    save_every: int = 0,
    tag: str = "",
) -> Tensor:
    """Optimise the pixels of ``init`` to minimise ``loss_fn``; return the result, detached.

    Args:
        init: the starting image (N, C, H, W); it is copied, never modified.
        loss_fn: maps the image to ``(loss, metrics)``; ``metrics`` (floats, e.g. the
            per-layer losses) are reported with every :class:`Step`.
        optimizer: ``"lbfgs"`` (memory: 2 * history_size * image) or ``"adam"``.
        iterations: number of iterations; each is one forward and one backward pass.
        learning_rate: L-BFGS step scale (1 is the usual) or Adam's step size.
        history_size: L-BFGS memory length.
        callback: receives a :class:`Step` per iteration and an :class:`Intermediate`
            every ``save_every`` iterations (tagged ``f"{tag}step{n:04d}"``).
        clamp: pixel range enforced after every step, or None.
        average_decay: Adam returns the bias-corrected moving average of its iterates
            with this decay (0 returns the last iterate).
        save_every: emit intermediate images this often (0 = never).
        tag: prefix for intermediate image tags, e.g. ``"scale2-"``.

    Raises:
        GenartError: the loss became nan or infinite (the learning rate is too high).
    """
    if optimizer not in OPTIMIZERS:
        raise UsageError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
    # A fresh contiguous copy: L-BFGS flattens gradients with view(), which fails on
    # channels-last or permuted tensors (e.g. images straight from numpy).
    x = init.detach().float().clone(memory_format=torch.contiguous_format).requires_grad_(True)
    opt = OPTIMIZERS[optimizer](x, learning_rate, history_size)
    avg = _Averager(x.detach(), average_decay) if optimizer == "adam" and average_decay > 0 else None
    metrics: dict[str, float] = {}

    def closure() -> Tensor:
        opt.zero_grad(set_to_none=True)
        loss, extra = loss_fn(x)
        loss.backward()
        metrics.clear()
        metrics["loss"] = float(loss.detach())
        metrics.update(extra)
        return loss

    for step in range(1, iterations + 1):
        opt.step(closure)
        _check_finite(metrics["loss"], step)
        with torch.no_grad():
            if clamp is not None:
                x.clamp_(*clamp)
            if avg is not None:
                avg.update(x)
        emit(callback, Step(step, iterations, dict(metrics)))
        if save_every > 0 and step % save_every == 0 and step < iterations:
            emit(callback, Intermediate(f"{tag}step{step:04d}", _result(x, avg)))
    return _result(x, avg)


def _result(x: Tensor, avg: _Averager | None) -> Tensor:
    return (x if avg is None else avg.get()).detach().clone()


def _check_finite(loss: float, step: int) -> None:
    if not math.isfinite(loss):
        raise GenartError(
            f"optimisation diverged at iteration {step}: the loss is {loss}; "
            "lower the learning rate or the loss weights"
        )
