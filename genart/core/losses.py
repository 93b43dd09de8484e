"""Image-optimisation losses as pure functions on tensors.

Every function takes feature maps shaped (N, C, H, W) and returns a scalar tensor. The
arithmetic is done in float32 whatever the input dtype, so features computed under bf16
autocast cannot overflow a Gram matrix or lose the small differences a loss is made of.

"Normalised by size" means a loss is invariant to the spatial size H*W and to the channel
count C of the layer it is computed on: one set of layer weights then gives the same look
at 128 px and at 2048 px, and a deep 512-channel layer does not drown a 64-channel one
merely because it has more entries.

Example::

    target = gram_matrix(style_feats["relu2_1"])
    loss = gram_loss(image_feats["relu2_1"], target) + tv_weight * tv_loss(image)
"""
from __future__ import annotations

import contextlib
from typing import Iterator, NamedTuple

import torch
from torch import Tensor

__all__ = [
    "Moments",
    "moments",
    "gram_matrix",
    "gram_distance",
    "w2_distance",
    "gram_loss",
    "mean_cov",
    "w2_loss",
    "sqrtm_psd",
    "content_loss",
    "tv_loss",
]

# Floor for the masked position count and for eigenvalues under a square root: keeps an
# empty mask or a rank-deficient covariance from producing inf / nan gradients.
_EPS = 1e-8


def _flat(feat: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor | None, Tensor]:
    """Features as (N, C, P) float32, the mask as (N, 1, P) and the (masked) count (N,1,1)."""
    if feat.dim() != 4:
        raise ValueError(f"expected features shaped (N, C, H, W), got {tuple(feat.shape)}")
    n, c, h, w = feat.shape
    f = feat.float().reshape(n, c, h * w)
    if mask is None:
        count = f.new_full((n, 1, 1), float(h * w))
        return f, None, count
    if mask.shape[-2:] != (h, w):
        raise ValueError(f"mask is {tuple(mask.shape[-2:])}, features are {(h, w)}")
    m = mask.float().reshape(mask.shape[0], 1, h * w).expand(n, 1, h * w)
    count = m.sum(dim=2, keepdim=True).clamp_min(_EPS)
    return f, m, count


class Moments(NamedTuple):
    """Raw first and second moments of features over (masked) positions.

    Sums, not means, so moments of disjoint tiles add up to the moments of the whole
    image: that is what lets a global statistic such as a Gram matrix be computed tile by
    tile (:mod:`genart.commands.style.tiling`).
    """

    count: Tensor  # (N,) number (sum of mask weights) of positions
    sum1: Tensor  # (N, C) sum of f
    sum2: Tensor  # (N, C, C) sum of f f^T

    def __add__(self, other: "Moments") -> "Moments":  # type: ignore[override]
        return Moments(self.count + other.count, self.sum1 + other.sum1, self.sum2 + other.sum2)

    def mean(self) -> Tensor:
        return self.sum1 / self.count.unsqueeze(-1)

    def gram(self) -> Tensor:
        """E[f f^T]: the Gram matrix divided by the position count."""
        return self.sum2 / self.count.view(-1, 1, 1)

    def cov(self) -> Tensor:
        mean = self.mean()
        return self.gram() - mean.unsqueeze(-1) * mean.unsqueeze(-2)


def moments(feat: Tensor, mask: Tensor | None = None) -> Moments:
    """The :class:`Moments` of ``feat`` (N, C, H, W), positions weighted by ``mask``."""
    f, m, count = _flat(feat, mask)
    weighted = f if m is None else f * m
    return Moments(count.view(-1), weighted.sum(dim=2), torch.bmm(weighted, f.transpose(1, 2)))


def gram_matrix(feat: Tensor, mask: Tensor | None = None) -> Tensor:
    """Gram matrix of ``feat`` (N, C, H, W) -> (N, C, C), divided by the number of positions.

    ``mask`` (N or 1, 1, H, W) weights each position (0 = ignore); the result is then
    divided by the sum of the mask, so a style confined to half the image has the same
    statistics as the same texture filling all of it.
    """
    f, m, count = _flat(feat, mask)
    weighted = f if m is None else f * m
    return torch.bmm(weighted, f.transpose(1, 2)) / count


def gram_loss(feat: Tensor, target_gram: Tensor, mask: Tensor | None = None) -> Tensor:
    """Style loss of Gatys et al. (2016), eq. 4: E = 1/(4 C^2 M^2) * sum((G - A)^2).

    With G and A already divided by the position count M (:func:`gram_matrix`), that is a
    quarter of the mean squared difference over the C*C entries: exactly the paper's
    E_l, and independent of image size and channel count.
    """
    return gram_distance(gram_matrix(feat, mask), target_gram)


def gram_distance(gram: Tensor, target_gram: Tensor) -> Tensor:
    """A quarter of the mean squared difference of two size-normalised Gram matrices."""
    return 0.25 * (gram.float() - target_gram.float()).pow(2).mean()


def mean_cov(feat: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """Per-channel mean (N, C) and covariance (N, C, C) over the (masked) positions."""
    f, m, count = _flat(feat, mask)
    if m is None:
        mean = f.mean(dim=2)
        centred = f - mean.unsqueeze(2)
        cov = torch.bmm(centred, centred.transpose(1, 2)) / count
    else:
        mean = (f * m).sum(dim=2) / count.squeeze(2)
        centred = f - mean.unsqueeze(2)
        cov = torch.bmm(centred * m, centred.transpose(1, 2)) / count
    return mean, cov


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """Run small CPU eigendecompositions on one thread.

    MKL's multi-threaded symmetric eigensolvers spin-wait between many tiny parallel
    regions; on a CPU shared with other work a 256x256 ``eigh`` was measured at 0.8-7 s
    with 2 threads and 2-30 ms with one. The matrices here are at most 512x512.
    """
    threads = torch.get_num_threads()
    if threads > 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if threads > 1:
            torch.set_num_threads(threads)


def sqrtm_psd(mat: Tensor) -> Tensor:
    """Square root of a symmetric positive semi-definite matrix (…, C, C), via eigh.

    Precompute it once per style target and pass it to :func:`w2_loss` as
    ``target_cov_sqrt``: it is the expensive half of the distance and never changes.
    """
    with _one_thread():
        vals, vecs = torch.linalg.eigh(mat.double())
    root = vecs * vals.clamp_min(0).sqrt().unsqueeze(-2)
    return (root @ vecs.transpose(-1, -2)).to(mat.dtype)


def w2_loss(
    feat: Tensor,
    target_mean: Tensor,
    target_cov: Tensor,
    mask: Tensor | None = None,
    *,
    target_cov_sqrt: Tensor | None = None,
) -> Tensor:
    """Squared Wasserstein-2 distance between Gaussians fitted to ``feat`` and the target.

    W2^2 = |m1 - m2|^2 + tr(S1 + S2 - 2 (S2^1/2 S1 S2^1/2)^1/2)  (Dowson & Landau 1982;
    used for style by Kolkin et al. 2019 and Crowson's style-transfer-pytorch), divided
    by C so layers of different widths weigh alike. The trace of the matrix square root
    is taken as the sum of square roots of eigenvalues, whose gradient is stable even
    when eigenvalues repeat (unlike the gradient of eigenvectors).
    """
    mean, cov = mean_cov(feat, mask)
    return w2_distance(mean, cov, target_mean, target_cov, target_cov_sqrt=target_cov_sqrt)


def w2_distance(
    mean: Tensor,
    cov: Tensor,
    target_mean: Tensor,
    target_cov: Tensor,
    *,
    target_cov_sqrt: Tensor | None = None,
) -> Tensor:
    """:func:`w2_loss` on statistics already computed: means (N, C), covariances (N, C, C)."""
    mean, cov = mean.float(), cov.float()
    t_mean, t_cov = target_mean.float(), target_cov.float()
    root = sqrtm_psd(t_cov) if target_cov_sqrt is None else target_cov_sqrt.float()
    mean_term = (mean - t_mean).pow(2).sum(dim=-1)
    cross = root @ cov @ root
    cross = 0.5 * (cross + cross.transpose(-1, -2))  # exact symmetry for eigvalsh
    with _one_thread():
        eig = torch.linalg.eigvalsh(cross).clamp_min(_EPS)
    trace_term = _trace(cov) + _trace(t_cov) - 2 * eig.sqrt().sum(dim=-1)
    return ((mean_term + trace_term) / mean.shape[-1]).mean()


def _trace(mat: Tensor) -> Tensor:
    return mat.diagonal(dim1=-2, dim2=-1).sum(dim=-1)


def content_loss(feat: Tensor, target: Tensor) -> Tensor:
    """Mean squared error between feature maps (Gatys et al. 2016, eq. 1, size-normalised)."""
    return (feat.float() - target.float()).pow(2).mean()


def tv_loss(img: Tensor) -> Tensor:
    """Total variation: mean squared difference between vertical plus horizontal neighbours.

    The squared (beta = 2) form of Mahendran & Vedaldi (2015). Averaged rather than summed
    so it is size-invariant: a 0/1 checkerboard scores exactly 2, stripes 1, a flat image 0.
    """
    x = img.float()
    dy = (x[..., 1:, :] - x[..., :-1, :]).pow(2).mean()
    dx = (x[..., :, 1:] - x[..., :, :-1]).pow(2).mean()
    return dx + dy
