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
from dataclasses import dataclass
from typing import Callable, Mapping, Protocol

import torch
from torch import Tensor

from .errors import GenartError, UsageError
from .events import EventCallback, Intermediate, Message, Step, emit

__all__ = ["Convergence", "LossFn", "OPTIMIZERS", "Optimizer", "StopRule", "optimize_image"]

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


@dataclass(frozen=True)
class Optimizer:
    """An optimiser and how it keeps pixels in range.

    ``projects``: the iterate is clamped in place after each step (projected gradient;
    right for Adam). Otherwise the optimiser's variable is never touched: the loss sees it
    clamped, and a penalty pulls back what lies beyond the range. L-BFGS builds its
    curvature pairs from the steps it took and the gradients found there; clamping its
    iterate made every pair describe a step that never happened.
    """

    make: Callable[[Tensor, float, int], torch.optim.Optimizer]
    projects: bool


OPTIMIZERS: dict[str, Optimizer] = {
    "lbfgs": Optimizer(_make_lbfgs, projects=False),
    "adam": Optimizer(_make_adam, projects=True),
}


class StopRule(Protocol):
    """Decides after each iteration whether an optimisation may end early."""

    def reached(self, losses: list[float]) -> bool:
        """``losses``: the loss of every iteration so far, oldest first."""
        ...


@dataclass(frozen=True)
class Convergence:
    """When an optimisation has converged: its best loss improved by less than
    ``tolerance`` (a fraction of it) over the last ``window`` iterations.

    The best loss so far, not the last one, so a single bad L-BFGS step neither stops a
    run nor keeps it going. ``tolerance`` 0 never stops early.

    Example::

        stop = Convergence(0.01, window=10)  # stop once 10 iterations gain less than 1%
        out = optimize_image(start, loss_fn, iterations=200, learning_rate=1.0, stop=stop)
    """

    tolerance: float
    window: int = 10

    def reached(self, losses: "list[float]") -> bool:
        """Whether the run whose losses (one per iteration, oldest first) these are may stop."""
        if self.tolerance <= 0 or len(losses) <= self.window:
            return False
        before = min(losses[: -self.window])
        gain = before - min(before, min(losses[-self.window :]))
        return gain <= self.tolerance * abs(before)


# Weight of the pull-back penalty, relative to the loss at the start: any value from 1 to
# 100 kept L-BFGS's loss curve steady in tests/test_optim.py and the style runs of
# docs/PERFORMANCE.md ("Keeping pixels in range"); 10 did best.
PULL_BACK = 10.0


def _clamped(x: Tensor, bounds: tuple[float, float]) -> Tensor:
    """``x`` clamped to ``bounds``, passing the gradient at the bounds too.

    ``Tensor.clamp`` passes none at a bound itself, so a pixel exactly at 0 or 1 (a white
    background) would never move; here only pixels beyond a bound get none.
    """
    lo, hi = bounds
    passes = ((x >= lo) & (x <= hi)).to(x.dtype)
    return x.detach().clamp(lo, hi) + passes * (x - x.detach())  # value: the clamp; slope: passes


def _pull_back(x: Tensor, bounds: tuple[float, float], scale: float) -> Tensor:
    """A quadratic penalty on the part of ``x`` beyond ``bounds``: a pixel an L-BFGS step
    threw out of range, which the clamp leaves without a gradient, comes back."""
    lo, hi = bounds
    beyond = torch.relu(x - hi).pow(2) + torch.relu(lo - x).pow(2)
    return PULL_BACK * scale * beyond.mean()


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
    stop: StopRule | None = None,
) -> Tensor:
    """Optimise the pixels of ``init`` to minimise ``loss_fn``; return the result, detached.

    Args:
        init: the starting image (N, C, H, W); it is copied, never modified.
        loss_fn: maps the image to ``(loss, metrics)``; ``metrics`` (floats, e.g. the
            per-layer losses) are reported with every :class:`Step`.
        optimizer: ``"lbfgs"`` (memory: 2 * history_size * image) or ``"adam"``.
        iterations: number of iterations (at most, with ``stop``); each is one forward and
            one backward pass.
        learning_rate: L-BFGS step scale (1 is the usual) or Adam's step size.
        history_size: L-BFGS memory length.
        callback: receives a :class:`Step` per iteration (whose ``preview`` returns the
            image at the time of the call) and an :class:`Intermediate` every
            ``save_every`` iterations (tagged ``f"{tag}step{n:04d}"``).
        clamp: the pixel range of the loss's input and of the result, or None. Adam
            clamps its iterate after each step; L-BFGS optimises an unconstrained image
            that the loss sees clamped (see :class:`Optimizer`). The reported ``loss``
            is always ``loss_fn``'s, of the image in range.
        average_decay: Adam returns the bias-corrected moving average of its iterates
            with this decay (0 returns the last iterate).
        save_every: emit intermediate images this often (0 = never).
        tag: prefix for intermediate image tags, e.g. ``"scale2-"``.
        stop: end before ``iterations`` once the loss has converged (see
            :class:`Convergence`); the last :class:`Step` of a run that ended early has
            ``steps`` equal to its ``step`` (the iterations it ran), every earlier one
            ``steps == iterations``.

    Raises:
        GenartError: the loss became nan or infinite (the learning rate is too high).
    """
    if optimizer not in OPTIMIZERS:
        raise UsageError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
    kind = OPTIMIZERS[optimizer]
    # A fresh contiguous copy: L-BFGS flattens gradients with view(), which fails on
    # channels-last or permuted tensors (e.g. images straight from numpy).
    x = init.detach().float().clone(memory_format=torch.contiguous_format).requires_grad_(True)
    opt = kind.make(x, learning_rate, history_size)
    avg = _Averager(x.detach(), average_decay) if optimizer == "adam" and average_decay > 0 else None
    boxed = clamp is not None and not kind.projects
    start_loss: list[float] = []  # the penalty's scale, fixed at the first evaluation
    metrics: dict[str, float] = {}
    losses: list[float] = []

    def closure() -> Tensor:
        opt.zero_grad(set_to_none=True)
        loss, extra = loss_fn(_clamped(x, clamp) if boxed else x)
        total = loss
        if boxed:
            if not start_loss:
                start_loss.append(max(abs(float(loss.detach())), 1e-12))
            total = loss + _pull_back(x, clamp, start_loss[0])
        total.backward()
        metrics.clear()
        metrics["loss"] = float(loss.detach())
        metrics.update(extra)
        return total

    def current() -> Tensor:
        """The image as it stands, in range, a copy (what a preview or the result shows)."""
        image = _result(x, avg)
        return image if clamp is None else image.clamp_(*clamp)

    for step in range(1, iterations + 1):
        opt.step(closure)
        _check_finite(metrics["loss"], step)
        with torch.no_grad():
            if clamp is not None and kind.projects:
                x.clamp_(*clamp)
            if avg is not None:
                avg.update(x)
        losses.append(metrics["loss"])
        done = stop is not None and stop.reached(losses)
        # An early end reports the stage as complete (step == steps): progress bars fill
        # and the live page's estimate ends, as after a full run.
        emit(callback, Step(step, step if done else iterations, dict(metrics), preview=current))
        if done:
            emit(callback, Message(f"{tag.rstrip('-') or 'optimisation'}: converged after {step} of {iterations} iterations", "debug"))
            break
        if save_every > 0 and step % save_every == 0 and step < iterations:
            emit(callback, Intermediate(f"{tag}step{step:04d}", current()))
    return current()


def _result(x: Tensor, avg: _Averager | None) -> Tensor:
    return (x if avg is None else avg.get()).detach().clone()


def _check_finite(loss: float, step: int) -> None:
    if not math.isfinite(loss):
        raise GenartError(
            f"optimisation diverged at iteration {step}: the loss is {loss}; "
            "lower the learning rate or the loss weights"
        )
