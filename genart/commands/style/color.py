"""Colour control for style transfer (Gatys, Bethge, Hertzmann & Shechtman, "Preserving
Color in Neural Artistic Style Transfer", arXiv:1606.05897, 2016; and Gatys et al.,
"Controlling Perceptual Factors in Neural Style Transfer", CVPR 2017).

Each mode turns the content and style images into what the optimisation works on, and
says how to turn its result back into an RGB picture:

- ``none``: the style's colours.
- ``preserve``: optimise as usual, then keep the result's luminance with the photo's
  chrominance (luminance-only transfer after the fact).
- ``luminance``: optimise a one-channel luminance image against styles whose luminance
  was shifted to the photo's mean and standard deviation, then add the photo's chrominance.
- ``match``: move the style images' colour mean and covariance to the photo's (a linear
  colour transfer) before optimising.

All images are RGB tensors (1, 3, H, W) in [0, 1]; luminance images are (1, 1, H, W).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import torch
from torch import Tensor

from ...core.geometry import resize
from ...core.losses import sqrtm_psd

__all__ = [
    "COLOR_MODES",
    "ColorPlan",
    "plan_color",
    "visible_part",
    "rgb_to_yiq",
    "yiq_to_rgb",
    "preserve_colors",
    "match_luminance",
    "match_colors",
]

# NTSC YIQ, the colour space of Gatys et al. (2016, 2017).
_RGB_TO_YIQ = torch.tensor(
    [[0.299, 0.587, 0.114], [0.595716, -0.274453, -0.321263], [0.211456, -0.522591, 0.311135]]
)
_YIQ_TO_RGB = torch.linalg.inv(_RGB_TO_YIQ)


def _apply(matrix: Tensor, img: Tensor) -> Tensor:
    return torch.einsum("ij,njhw->nihw", matrix.to(img), img)


def rgb_to_yiq(img: Tensor) -> Tensor:
    """RGB (N, 3, H, W) -> YIQ; Y (luminance) lies in [0, 1]."""
    return _apply(_RGB_TO_YIQ, img)


def yiq_to_rgb(img: Tensor) -> Tensor:
    return _apply(_YIQ_TO_RGB, img)


def _luminance(img: Tensor) -> Tensor:
    return img if img.shape[1] == 1 else rgb_to_yiq(img)[:, :1]


def preserve_colors(result: Tensor, content: Tensor) -> Tensor:
    """``result``'s luminance (RGB or one channel) with ``content``'s I and Q channels."""
    yiq = rgb_to_yiq(resize(content, tuple(result.shape[-2:])))
    yiq = torch.cat([_luminance(result), yiq[:, 1:]], dim=1)
    return yiq_to_rgb(yiq).clamp(0, 1)


def match_luminance(style: Tensor, content: Tensor) -> Tensor:
    """The style's luminance, shifted and scaled to the content's mean and std (1 channel).

    Gatys et al. (2017), section 5.1: L_s' = sigma_c / sigma_s * (L_s - mu_s) + mu_c.
    """
    ls, lc = _luminance(style), _luminance(content)
    scaled = (ls - ls.mean()) * (lc.std() / ls.std().clamp_min(1e-6)) + lc.mean()
    return scaled.clamp(0, 1)


def match_colors(style: Tensor, content: Tensor) -> Tensor:
    """Move the style's RGB mean and covariance to the content's: x' = A (x - mu_s) + mu_c.

    A = Sigma_c^1/2 Sigma_s^-1/2, the symmetric ("image analogies") choice of Gatys et al.
    (2017), section 5.2, which keeps the style's colours closest to their originals.
    """
    def stats(img: Tensor) -> tuple[Tensor, Tensor]:
        flat = img[0].reshape(3, -1).double()
        mean = flat.mean(dim=1, keepdim=True)
        centred = flat - mean
        return mean, centred @ centred.T / flat.shape[1] + 1e-5 * torch.eye(3, dtype=flat.dtype, device=flat.device)

    mu_s, cov_s = stats(style)
    mu_c, cov_c = stats(content)
    a = sqrtm_psd(cov_c) @ torch.linalg.inv(sqrtm_psd(cov_s))
    flat = style[0].reshape(3, -1).double()
    out = a @ (flat - mu_s) + mu_c
    return out.reshape_as(style[0]).unsqueeze(0).to(style.dtype).clamp(0, 1)


@dataclass(frozen=True)
class ColorPlan:
    """What to optimise, and how to make the optimised image an RGB result."""

    content: Tensor  # (1, C, H, W), C = 3, or 1 for a luminance-only optimisation
    styles: list[Tensor]
    finish: Callable[[Tensor], Tensor]  # optimised image (any size) -> RGB (1, 3, h, w)


def _plan_none(content: Tensor, styles: Sequence[Tensor]) -> ColorPlan:
    return ColorPlan(content, list(styles), lambda img: img)


def _plan_preserve(content: Tensor, styles: Sequence[Tensor]) -> ColorPlan:
    return ColorPlan(content, list(styles), lambda img: preserve_colors(img, content))


def _plan_luminance(content: Tensor, styles: Sequence[Tensor]) -> ColorPlan:
    matched = [match_luminance(s, content) for s in styles]
    return ColorPlan(_luminance(content), matched, lambda img: preserve_colors(img, content))


def _plan_match(content: Tensor, styles: Sequence[Tensor]) -> ColorPlan:
    return ColorPlan(content, [match_colors(s, content) for s in styles], lambda img: img)


COLOR_MODES: dict[str, Callable[[Tensor, Sequence[Tensor]], ColorPlan]] = {
    "none": _plan_none,
    "preserve": _plan_preserve,
    "luminance": _plan_luminance,
    "match": _plan_match,
}


def visible_part(mode: str) -> Callable[[Tensor], Tensor]:
    """The part of an optimised image (or of an RGB result) that colour-control ``mode``
    lets through to the output: the luminance where the photo's colours are kept, else all."""
    return _luminance if mode in ("preserve", "luminance") else (lambda img: img)


def plan_color(mode: str, content: Tensor, styles: Sequence[Tensor]) -> ColorPlan:
    """The :class:`ColorPlan` of colour-control ``mode`` (a key of :data:`COLOR_MODES`)."""
    return COLOR_MODES[mode](content, styles)
