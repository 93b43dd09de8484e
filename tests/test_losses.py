"""Analytic and reference checks for genart.core.losses."""
from __future__ import annotations

import torch

from genart.core.losses import (
    content_loss,
    gram_loss,
    gram_matrix,
    mean_cov,
    moments,
    sqrtm_psd,
    tv_loss,
    w2_loss,
)


def _feat(seed: int, shape=(1, 4, 6, 5)) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g)


def test_gram_matches_explicit_sum_over_positions():
    f = _feat(0)
    g = gram_matrix(f)
    flat = f[0].reshape(4, -1)
    expected = sum(torch.outer(flat[:, p], flat[:, p]) for p in range(flat.shape[1])) / flat.shape[1]
    assert g.shape == (1, 4, 4)
    assert torch.allclose(g[0], expected, atol=1e-6)


def test_gram_is_invariant_to_tiling_the_texture():
    # A texture repeated 2x2 has the same statistics: the normalisation by position count.
    f = _feat(1)
    big = f.repeat(1, 1, 2, 2)
    assert torch.allclose(gram_matrix(f), gram_matrix(big), atol=1e-6)


def test_masked_gram_only_sees_masked_positions():
    f = _feat(2, (1, 3, 4, 4))
    mask = torch.zeros(1, 1, 4, 4)
    mask[..., :, :2] = 1
    left = f[..., :, :2]
    assert torch.allclose(gram_matrix(f, mask), gram_matrix(left), atol=1e-6)
    # Changing unmasked positions changes nothing.
    g = f.clone()
    g[..., :, 2:] = 5.0
    assert torch.allclose(gram_matrix(g, mask), gram_matrix(f, mask), atol=1e-6)


def test_gram_loss_is_gatys_e_l():
    # Gatys et al. 2016 eq. 4 with unnormalised Gram matrices, written out.
    a, b = _feat(3, (1, 4, 3, 3)), _feat(4, (1, 4, 3, 3))
    fa, fb = a[0].reshape(4, -1), b[0].reshape(4, -1)
    n, m = fa.shape
    e = ((fa @ fa.T - fb @ fb.T) ** 2).sum() / (4 * n**2 * m**2)
    assert torch.allclose(gram_loss(a, gram_matrix(b)), e, rtol=1e-5)
    assert gram_loss(a, gram_matrix(a)).item() < 1e-10


def test_losses_run_in_float32_for_bf16_features():
    f = (_feat(5) * 300).bfloat16()  # values whose squares overflow nothing in fp32
    g = gram_matrix(f)
    assert g.dtype == torch.float32 and torch.isfinite(g).all()
    assert content_loss(f, f.float() + 1).dtype == torch.float32


def test_mean_cov_matches_torch_cov():
    f = _feat(6, (1, 5, 7, 7))
    mean, cov = mean_cov(f)
    flat = f[0].reshape(5, -1)
    assert torch.allclose(mean[0], flat.mean(1), atol=1e-6)
    assert torch.allclose(cov[0], torch.cov(flat, correction=0), atol=1e-6)


def test_sqrtm_psd_squares_back():
    a = torch.randn(6, 6, generator=torch.Generator().manual_seed(0))
    spd = a @ a.T
    r = sqrtm_psd(spd)
    assert torch.allclose(r @ r, spd, atol=1e-4)


def test_w2_matches_the_symmetric_closed_form():
    # Reference: the same distance written with the roles of the two Gaussians swapped,
    # tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2), computed in float64 with explicit roots.
    f = _feat(7, (1, 3, 8, 8))
    mean, cov = mean_cov(f)
    t_mean = mean + torch.tensor([[0.5, -0.2, 0.1]])
    a = torch.randn(3, 3, generator=torch.Generator().manual_seed(3))
    t_cov = (a @ a.T / 3).unsqueeze(0)
    s1 = cov[0].double()
    r1 = sqrtm_psd(s1)
    trace = s1.trace() + t_cov[0].double().trace() - 2 * sqrtm_psd(r1 @ t_cov[0].double() @ r1).trace()
    expected = ((mean - t_mean).double().pow(2).sum() + trace) / 3
    assert torch.allclose(w2_loss(f, t_mean, t_cov).double(), expected, rtol=1e-4)
    root = sqrtm_psd(t_cov)
    assert torch.allclose(w2_loss(f, t_mean, t_cov, target_cov_sqrt=root).double(), expected, rtol=1e-4)


def test_w2_is_zero_against_own_statistics_and_grows_with_shift():
    f = _feat(8, (1, 4, 8, 8))
    mean, cov = mean_cov(f)
    assert w2_loss(f, mean, cov).abs().item() < 1e-3
    shifted = w2_loss(f + 1.0, mean, cov).item()
    assert abs(shifted - 1.0) < 1e-3  # |shift|^2 * C / C


def test_w2_gradient_is_finite_for_rank_deficient_covariance():
    f = torch.zeros(1, 3, 4, 4)
    f[:, 0] = torch.rand(4, 4)  # two dead channels: covariance of rank 1
    f.requires_grad_(True)
    mean, cov = mean_cov(_feat(9, (1, 3, 4, 4)))
    w2_loss(f, mean, cov).backward()
    assert torch.isfinite(f.grad).all()


def test_content_loss_is_mse():
    a, b = _feat(10), _feat(11)
    assert torch.allclose(content_loss(a, b), ((a - b) ** 2).mean())


def test_tv_loss_analytic_values():
    y, x = torch.meshgrid(torch.arange(16), torch.arange(16), indexing="ij")
    checker = ((x + y) % 2).float().expand(1, 3, 16, 16)
    stripes = (y % 2).float().expand(1, 3, 16, 16)
    assert tv_loss(checker).item() == 2.0
    assert tv_loss(stripes).item() == 1.0
    assert tv_loss(torch.full((1, 3, 8, 8), 0.3)).item() == 0.0
    # Size-invariant: a bigger checkerboard scores the same.
    assert tv_loss(checker.repeat(1, 1, 3, 2)).item() == 2.0


def test_moments_of_tiles_add_up_to_the_whole():
    f = _feat(12, (1, 4, 8, 6))
    mask = (torch.rand(1, 1, 8, 6, generator=torch.Generator().manual_seed(1)) > 0.3).float()
    whole = moments(f, mask)
    parts = moments(f[..., :5, :], mask[..., :5, :]) + moments(f[..., 5:, :], mask[..., 5:, :])
    for a, b in zip(whole, parts):
        assert torch.allclose(a, b, atol=1e-5)
    assert torch.allclose(whole.gram(), gram_matrix(f, mask), atol=1e-6)
    mean, cov = mean_cov(f, mask)
    assert torch.allclose(whole.mean(), mean, atol=1e-6)
    assert torch.allclose(whole.cov(), cov, atol=1e-5)
