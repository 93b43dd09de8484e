"""The image-optimisation loop: convergence, events, clamping, averaging, errors."""
from __future__ import annotations

import pytest
import torch

from genart.core.errors import GenartError, UsageError
from genart.core.events import Intermediate, Step
from genart.core.losses import tv_loss
from genart.core.optim import optimize_image


def _target() -> torch.Tensor:
    return torch.rand(1, 3, 8, 8, generator=torch.Generator().manual_seed(0))


def _mse_to(target):
    def loss_fn(img):
        loss = (img - target).pow(2).mean()
        return loss, {"mse": loss.item()}

    return loss_fn


@pytest.mark.parametrize("optimizer,lr", [("lbfgs", 1.0), ("adam", 0.05)])
def test_reaches_a_quadratic_minimum(optimizer, lr):
    target = _target()
    init = torch.full_like(target, 0.5)
    out = optimize_image(init, _mse_to(target), optimizer=optimizer, iterations=60, learning_rate=lr)
    start = (init - target).pow(2).mean().item()
    assert (out - target).pow(2).mean().item() < start * 0.01
    assert not out.requires_grad
    assert torch.equal(init, torch.full_like(target, 0.5))  # input untouched


def test_emits_one_step_per_iteration_with_metrics_and_intermediates():
    events = []
    optimize_image(
        torch.zeros(1, 3, 8, 8), _mse_to(_target()), iterations=5, learning_rate=1.0,
        callback=events.append, save_every=2, tag="s0-",
    )
    steps = [e for e in events if isinstance(e, Step)]
    assert [s.step for s in steps] == [1, 2, 3, 4, 5]
    assert all(s.steps == 5 and "loss" in s.metrics and "mse" in s.metrics for s in steps)
    assert steps[-1].metrics["loss"] < steps[0].metrics["loss"]
    tags = [e.tag for e in events if isinstance(e, Intermediate)]
    assert tags == ["s0-step0002", "s0-step0004"]


def test_clamp_keeps_pixels_in_range():
    target = torch.full((1, 3, 4, 4), 2.0)  # the optimum lies outside [0, 1]
    out = optimize_image(torch.rand(1, 3, 4, 4), _mse_to(target), iterations=20, learning_rate=1.0)
    assert out.max().item() <= 1.0 and out.min().item() >= 0.0
    assert out.min().item() > 0.99
    free = optimize_image(torch.rand(1, 3, 4, 4), _mse_to(target), iterations=20,
                          learning_rate=1.0, clamp=None)
    assert free.min().item() > 1.5


def test_adam_returns_the_average_not_the_last_iterate():
    # With a huge learning rate the last Adam iterate oscillates around the optimum of a
    # smooth loss; the averaged iterate lies much closer to it.
    g = torch.Generator().manual_seed(1)
    init = torch.rand(1, 3, 16, 16, generator=g)

    def loss_fn(img):
        loss = tv_loss(img) + (img.mean() - 0.5) ** 2
        return loss, {}

    kw = dict(optimizer="adam", iterations=80, learning_rate=0.2, clamp=None)
    avg = optimize_image(init, loss_fn, **kw)
    last = optimize_image(init, loss_fn, average_decay=0.0, **kw)
    assert loss_fn(avg)[0].item() < loss_fn(last)[0].item()


def test_seeded_runs_are_identical():
    target = _target()
    a = optimize_image(torch.zeros_like(target), _mse_to(target), iterations=10, learning_rate=1.0)
    b = optimize_image(torch.zeros_like(target), _mse_to(target), iterations=10, learning_rate=1.0)
    assert torch.equal(a, b)


def test_divergence_is_reported():
    def loss_fn(img):
        return img.sum() * float("nan"), {}

    with pytest.raises(GenartError, match="diverged at iteration 1"):
        optimize_image(torch.zeros(1, 3, 4, 4), loss_fn, iterations=3, learning_rate=1.0)


def test_unknown_optimizer_is_a_usage_error():
    with pytest.raises(UsageError, match="sgd"):
        optimize_image(torch.zeros(1, 3, 4, 4), _mse_to(_target()[..., :4, :4]),
                       optimizer="sgd", iterations=1, learning_rate=1.0)


def test_non_contiguous_start_images_work():
    # Images converted from numpy (H, W, C) arrive permuted; L-BFGS must cope.
    target = _target()
    init = torch.rand(1, 8, 8, 3).permute(0, 3, 1, 2)
    assert not init.is_contiguous()
    out = optimize_image(init, _mse_to(target), iterations=5, learning_rate=1.0)
    assert out.shape == (1, 3, 8, 8)
