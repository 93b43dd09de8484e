"""Colour control: colour-space round trips and the statistics each mode promises."""
from __future__ import annotations

import torch

from genart.commands.style.color import (
    COLOR_MODES,
    match_colors,
    match_luminance,
    plan_color,
    preserve_colors,
    rgb_to_yiq,
    yiq_to_rgb,
)


def _img(seed: int, size=(1, 3, 24, 32), lo=0.0, hi=1.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return lo + (hi - lo) * torch.rand(size, generator=g)


def _rgb_stats(img):
    flat = img[0].reshape(3, -1)
    return flat.mean(1), torch.cov(flat, correction=0)


def test_yiq_round_trip_and_grey_has_no_chroma():
    img = _img(0)
    assert torch.allclose(yiq_to_rgb(rgb_to_yiq(img)), img, atol=1e-5)
    grey = torch.full((1, 3, 4, 4), 0.4)
    yiq = rgb_to_yiq(grey)
    assert torch.allclose(yiq[:, 0], torch.full((1, 4, 4), 0.4), atol=1e-6)
    assert yiq[:, 1:].abs().max() < 1e-6


def test_preserve_keeps_result_luminance_and_content_chroma():
    content, result = _img(1, lo=0.3, hi=0.7), _img(2, lo=0.3, hi=0.7)
    out = preserve_colors(result, content)
    assert torch.allclose(rgb_to_yiq(out)[:, 0], rgb_to_yiq(result)[:, 0], atol=1e-4)
    assert torch.allclose(rgb_to_yiq(out)[:, 1:], rgb_to_yiq(content)[:, 1:], atol=1e-4)


def test_match_luminance_moves_mean_and_std_to_the_content():
    style, content = _img(3, lo=0.0, hi=0.4), _img(4, lo=0.4, hi=0.9)
    y = match_luminance(style, content)
    yc = rgb_to_yiq(content)[:, 0]
    assert y.shape == (1, 1, 24, 32)
    assert abs(y.mean().item() - yc.mean().item()) < 1e-3
    assert abs(y.std().item() - yc.std().item()) < 1e-3


def test_match_colors_moves_mean_and_covariance_to_the_content():
    style = _img(5, lo=0.0, hi=0.5) * torch.tensor([1.0, 0.2, 0.6]).view(1, 3, 1, 1)
    content = _img(6, lo=0.3, hi=0.7)
    out = match_colors(style, content)
    m_out, c_out = _rgb_stats(out)
    m_c, c_c = _rgb_stats(content)
    m_s, _ = _rgb_stats(style)
    assert torch.allclose(m_out, m_c, atol=1e-3)
    assert torch.allclose(c_out, c_c, atol=1e-3)
    assert not torch.allclose(m_s, m_c, atol=1e-2)  # there was something to match


def test_every_mode_plans_and_finishes_to_rgb():
    content, style = _img(7), _img(8, size=(1, 3, 16, 16))
    for mode in COLOR_MODES:
        plan = plan_color(mode, content, [style])
        channels = 1 if mode == "luminance" else 3
        assert plan.content.shape == (1, channels, 24, 32), mode
        assert plan.styles[0].shape[1] == channels, mode
        out = plan.finish(torch.rand(1, channels, 12, 16))
        assert out.shape == (1, 3, 12, 16), mode
        assert 0.0 <= out.min() and out.max() <= 1.0, mode
