"""Chunked nearest-patch matching and the MRF loss, against plain dense references."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from genart.commands.doodle import mrf


def _dense_reference(target: torch.Tensor, style: torch.Tensor, patch: int = 3):
    """All patches unfolded, the full cosine matrix, argmax: the obvious implementation."""
    t = F.unfold(target, patch)[0].T
    s = F.unfold(style, patch)[0].T
    cos = (t / t.norm(dim=1, keepdim=True)) @ (s / s.norm(dim=1, keepdim=True)).T
    h, w = target.shape[2] - patch + 1, target.shape[3] - patch + 1
    best = cos.max(dim=1)
    return best.indices.reshape(h, w), best.values.reshape(h, w)


@pytest.mark.parametrize("chunk_mb", [1e-4, 0.01, 64.0])  # one style row per chunk .. all at once
@pytest.mark.parametrize("patch", [1, 3])
def test_chunked_matching_equals_the_dense_search(chunk_mb, patch):
    gen = torch.Generator().manual_seed(0)
    target, style = torch.randn(1, 6, 11, 14, generator=gen), torch.randn(1, 6, 9, 13, generator=gen)
    match = mrf.nearest_patches(target, style, patch=patch, chunk_mb=chunk_mb)
    index, score = _dense_reference(target, style, patch)
    assert torch.equal(match.index, index)
    assert torch.allclose(match.score, score, atol=1e-5)


def test_every_patch_of_an_image_finds_itself():
    feat = torch.rand(1, 5, 10, 12, generator=torch.Generator().manual_seed(3)) + 0.1
    match = mrf.nearest_patches(feat, feat, chunk_mb=0.001)
    assert torch.equal(match.index.flatten(), torch.arange(8 * 10))
    assert torch.allclose(match.score, torch.ones(8, 10), atol=1e-5)


def test_chunks_stay_within_the_memory_budget(monkeypatch):
    sizes = []
    real = F.conv2d

    def spy(x, w, *args, **kwargs):
        out = real(x, w, *args, **kwargs)
        sizes.append((out.numel() + w.numel()) * out.element_size())
        return out

    monkeypatch.setattr(mrf.F, "conv2d", spy)
    target, style = torch.rand(1, 8, 40, 40), torch.rand(1, 8, 40, 40)
    budget_mb = 0.5
    mrf.nearest_patches(target, style, chunk_mb=budget_mb)
    dense_bytes = (38 * 38) ** 2 * 4
    assert len(sizes) > 1 and max(sizes) <= budget_mb * 2**20 < dense_bytes


def test_variety_spreads_the_choice_of_style_patches():
    gen = torch.Generator().manual_seed(5)
    # One style patch is the best match for nearly every output patch.
    style = torch.rand(1, 4, 12, 12, generator=gen) * 0.2
    style[..., 5:8, 5:8] = 1.0
    target = torch.ones(1, 4, 10, 10) + 0.05 * torch.rand(1, 4, 10, 10, generator=gen)
    plain = mrf.nearest_patches(target, style)
    varied = mrf.nearest_patches(target, style, variety=1.0)
    assert varied.index.unique().numel() > plain.index.unique().numel()
    assert torch.bincount(varied.index.flatten()).max() < torch.bincount(plain.index.flatten()).max()


def test_loss_equals_the_unfolded_patch_distance_and_its_gradient():
    gen = torch.Generator().manual_seed(1)
    feat = torch.randn(1, 4, 7, 9, generator=gen, requires_grad=True)
    style = torch.randn(1, 4, 8, 6, generator=gen)
    match = mrf.nearest_patches(feat, style)
    loss = mrf.matched_patches_loss(feat, style, match)
    out_patches = F.unfold(feat, 3)[0].T
    wanted = F.unfold(style, 3)[0].T[match.index.flatten()]
    reference = (out_patches - wanted).square().sum() / (out_patches.shape[0] * 9)
    assert torch.allclose(loss, reference)
    (g1,) = torch.autograd.grad(loss, feat)
    (g2,) = torch.autograd.grad(reference, feat)
    assert torch.allclose(g1, g2, atol=1e-6)
    # PatchVotes, the per-position quadratic used between re-matches: same value, same gradient.
    votes = mrf.PatchVotes.of(style, match, (7, 9))
    fast = votes.loss(feat)
    assert torch.allclose(fast, reference, rtol=1e-5)
    (g3,) = torch.autograd.grad(fast, feat)
    assert torch.allclose(g3, g2, atol=1e-6)
    assert int(votes.count.min()) == 1 and int(votes.count.max()) == 9  # corners and the middle


def test_loss_is_zero_for_the_style_itself_and_positive_otherwise():
    style = torch.rand(1, 3, 9, 9, generator=torch.Generator().manual_seed(2)) + 0.1
    assert mrf.matched_patches_loss(style, style, mrf.nearest_patches(style, style)) == 0
    other = style.flip(-1) * 0.5
    assert mrf.matched_patches_loss(other, style, mrf.nearest_patches(other, style)) > 0


def test_running_top_k_across_chunks_equals_the_dense_top_k():
    gen = torch.Generator().manual_seed(4)
    target, style = torch.randn(1, 5, 9, 10, generator=gen), torch.randn(1, 5, 12, 7, generator=gen)
    scores, index = mrf._search(target, style, 3, rows=1, keep=4)  # one style row per chunk
    t = F.unfold(target, 3)[0].T
    s = F.unfold(style, 3)[0].T
    cos = (t / t.norm(dim=1, keepdim=True)) @ (s / s.norm(dim=1, keepdim=True)).T
    top = cos.topk(4, dim=1)
    assert torch.equal(index.reshape(4, -1).T, top.indices)
    assert torch.allclose(scores.reshape(4, -1).T, top.values, atol=1e-5)


def _smooth(channels: int, h: int, w: int, gen: torch.Generator) -> torch.Tensor:
    """Features with structure at several scales, like a network's (not white noise)."""
    coarse = F.interpolate(torch.rand(1, channels, h // 4, w // 4, generator=gen), size=(h, w), mode="bilinear")
    return coarse + 0.2 * torch.rand(1, channels, h, w, generator=gen)


def test_local_search_never_lowers_a_score_and_keeps_an_exact_match():
    gen = torch.Generator().manual_seed(2)
    target, style = _smooth(6, 24, 28, gen), _smooth(6, 20, 32, gen)
    exact = mrf.nearest_patches(target, style)
    kept = mrf.refine_patches(target, style, exact.index)
    assert torch.equal(kept.index, exact.index)
    assert torch.allclose(kept.score, exact.score, atol=1e-5)
    start = torch.randint(0, 18 * 30, exact.index.shape, generator=gen)
    before = mrf.refine_patches(target, style, start, rounds=0)
    after = mrf.refine_patches(target, style, start, rounds=1)
    assert (after.score >= before.score - 1e-6).all() and after.score.mean() > before.score.mean()
    _, reference = _dense_reference(target, style)  # the scores are true cosines
    chosen = F.unfold(target, 3)[0].T, F.unfold(style, 3)[0].T[after.index.flatten()]
    cos = F.cosine_similarity(*chosen, dim=1).reshape(after.index.shape)
    assert torch.allclose(after.score, cos, atol=1e-5) and (after.score <= reference + 1e-5).all()


def test_local_search_from_a_coarse_phase_finds_nearly_the_exhaustive_matches():
    gen = torch.Generator().manual_seed(4)
    target, style = _smooth(8, 40, 48, gen), _smooth(8, 44, 52, gen)
    exact = mrf.nearest_patches(target, style)
    half = lambda f: F.interpolate(f, scale_factor=0.5, mode="bilinear", antialias=True)  # noqa: E731
    coarse = mrf.nearest_patches(half(target), half(style))
    start = mrf.enlarge_match(coarse, tuple(exact.index.shape), (42, 50), (20, 24))
    refined = mrf.refine_patches(target, style, start, rounds=4)
    blind = mrf.refine_patches(target, style, torch.zeros_like(start), rounds=4)
    assert refined.score.mean() > 0.99 * exact.score.mean()
    assert refined.score.mean() > blind.score.mean()


def test_an_enlarged_match_keeps_each_patch_displacement_scaled():
    coarse_grid, fine_grid = (10, 12), (20, 24)
    ys, xs = torch.meshgrid(torch.arange(10), torch.arange(12), indexing="ij")
    identity = mrf.Match(ys * 12 + xs, torch.ones(10, 12))
    same = mrf.enlarge_match(identity, fine_grid, fine_grid, coarse_grid)
    assert torch.equal(same, torch.arange(20 * 24).reshape(20, 24))  # itself, block by block coherent
    shifted = mrf.Match((ys + 1).clamp(max=9) * 12 + (xs + 2).clamp(max=11), torch.ones(10, 12))
    moved = mrf.enlarge_match(shifted, fine_grid, fine_grid, coarse_grid)
    assert int(moved[0, 0]) == 2 * 24 + 4  # one row, two columns down there: two and four here
