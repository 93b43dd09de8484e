"""MRF style loss (Li & Wand 2016, "Combining Markov Random Fields and Convolutional Neural
Networks for Image Synthesis"), with patch matching in bounded memory.

Every ``p x p`` patch of the output's features is matched to the style patch with the
highest normalised cross-correlation, and the loss pulls it toward that patch. The scores
are a convolution of the output features with the normalised style patches as filters,
computed for one band of style rows at a time while a running best score and index are
kept per output position: memory is one chunk of scores, whatever the image size. The
dense equivalent holds the full (output patches x style patches) score matrix.

Shapes: features are (1, C, H, W); a match holds, for each of the (H-p+1) x (W-p+1)
output patches, the flat index ``row * (Ws-p+1) + col`` of its style patch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import Tensor

_EPS = 1e-8
# A candidate must beat the current match by more than rounding error (the two scores are
# summed in different orders), or equal patches would swap back and forth between searches.
_TIE = 1e-6


@dataclass(frozen=True)
class Match:
    """Nearest style patch of every output patch: ``index`` (h, w) long, ``score`` (h, w) NCC."""

    index: Tensor
    score: Tensor


def _band_rows(style: Tensor, out_positions: int, patch: int, chunk_mb: float) -> int:
    """Style patch rows per chunk so that one chunk's patches and scores fit ``chunk_mb``."""
    c, ws = style.shape[1], style.shape[3] - patch + 1
    per_row = ws * (out_positions + c * patch * patch) * style.element_size()
    return max(1, int(chunk_mb * 2**20 // per_row))


def _bands(style: Tensor, patch: int, rows: int) -> Iterator[tuple[int, Tensor]]:
    """(first flat index, normalised patches (n, C, p, p)) for each band of style rows."""
    c, hs, ws = style.shape[1], style.shape[2] - patch + 1, style.shape[3] - patch + 1
    for r0 in range(0, hs, rows):
        r1 = min(hs, r0 + rows)
        band = style[:, :, r0 : r1 + patch - 1]
        cols = F.unfold(band, patch)[0].T  # (n, C*p*p), rows of patches in raster order
        cols = cols / cols.norm(dim=1, keepdim=True).clamp_min(_EPS)
        yield r0 * ws, cols.reshape(-1, c, patch, patch)


def _patch_norms(feat: Tensor, patch: int) -> Tensor:
    """L2 norm of every p x p patch of ``feat``: (1, 1, h, w), as a sum-pool of squares."""
    energy = F.avg_pool2d(feat.square().sum(dim=1, keepdim=True), patch, stride=1)
    return (energy * patch * patch).sqrt().clamp_min(_EPS)


_VARIETY_CANDIDATES = 8  # runners-up kept per output patch when variety is on
_VARIETY_GROUPS = 8  # output patches choose in this many rounds, each seeing the last's usage


@torch.no_grad()
def _search(target: Tensor, style: Tensor, patch: int, rows: int, keep: int) -> tuple[Tensor, Tensor]:
    """Top-``keep`` (scores, indices), each (keep, h, w), by a running merge over bands."""
    norms = _patch_norms(target, patch)[0]
    best = torch.full((keep, *norms.shape[-2:]), -float("inf"), dtype=target.dtype, device=target.device)
    index = torch.zeros(best.shape, dtype=torch.long, device=target.device)
    # channels_last lets oneDNN run the many-filter convolution ~2.5x faster on CPU.
    target = target.contiguous(memory_format=torch.channels_last)
    for start, filters in _bands(style, patch, rows):
        filters = filters.contiguous(memory_format=torch.channels_last)
        raw = F.conv2d(target, filters)[0]  # (n, h, w); / norms = cosine similarity
        if keep == 1:
            value, arg = raw.max(dim=0, keepdim=True)
            value = value / norms
            better = value > best
            best = torch.where(better, value, best)
            index = torch.where(better, arg + start, index)
            continue
        value, arg = raw.topk(min(keep, len(filters)), dim=0)
        merged = torch.cat([best, value / norms])
        best, pick = merged.topk(keep, dim=0)
        index = torch.cat([index, arg + start]).gather(0, pick)
    return best, index


def _spread(scores: Tensor, index: Tensor, total: int, variety: float) -> Match:
    """Choose among each output patch's candidates, penalising style patches already used.

    Output patches choose in groups (a fixed random order); each group sees how often the
    earlier groups used every style patch, and subtracts ``variety * uses / fair`` from
    the cosine, where ``fair`` is the use count of a perfectly even spread. Choosing all at
    once would just move every patch to the same runner-up.
    """
    k, h, w = scores.shape
    s, idx = scores.reshape(k, -1).T, index.reshape(k, -1).T  # (N, k)
    uses = torch.zeros(total, device=s.device)
    fair = max(1.0, len(s) / total)
    order = torch.randperm(len(s), generator=torch.Generator().manual_seed(0)).to(s.device)
    chosen = torch.zeros(len(s), dtype=torch.long, device=s.device)
    for group in order.chunk(_VARIETY_GROUPS):
        penalised = s[group] - variety * uses[idx[group]] / fair
        pick = penalised.argmax(dim=1)
        chosen[group] = pick
        uses += torch.bincount(idx[group, pick], minlength=total).float()
    rows = torch.arange(len(s), device=s.device)
    return Match(idx[rows, chosen].reshape(h, w), s[rows, chosen].reshape(h, w))


def nearest_patches(
    target: Tensor,
    style: Tensor,
    *,
    patch: int = 3,
    chunk_mb: float = 64.0,
    variety: float = 0.0,
) -> Match:
    """Match each output patch to its nearest style patch by normalised cross-correlation.

    Only the style patches are normalised inside the convolution: dividing by the output
    patch's own norm afterwards gives the true cosine (NCC as in Li & Wand 2016, Eq. 3)
    without changing which style patch wins.

    Args:
        target: output features (1, C, H, W), semantic channels included.
        style: style features (1, C, Hs, Ws), semantic channels included.
        patch: patch side (3 in the paper).
        chunk_mb: memory budget for one band of style patches and their scores.
        variety: when > 0, each output patch keeps its best few candidates and picks the
            one that maximises ``cosine - variety * uses / fair`` (see :func:`_spread`),
            so that heavily reused style patches give way to close runners-up.
    """
    target, style = target.detach().float(), style.detach().float()
    out_positions = (target.shape[2] - patch + 1) * (target.shape[3] - patch + 1)
    rows = _band_rows(style, out_positions, patch, chunk_mb)
    keep = 1 if variety <= 0 else _VARIETY_CANDIDATES
    scores, index = _search(target, style, patch, rows, keep)
    if variety <= 0:
        return Match(index[0], scores[0])
    total = (style.shape[2] - patch + 1) * (style.shape[3] - patch + 1)
    return _spread(scores, index, total, variety)


def enlarge_match(match: Match, out_grid: tuple[int, int], style_grid: tuple[int, int], coarse_style_grid: tuple[int, int]) -> Tensor:
    """A match carried from a coarser phase to a finer one (output and style both enlarged).

    Each output patch keeps its coarse patch's displacement to the style (scaled by the
    style's enlargement), so a block of neighbouring output patches points at a block of
    neighbouring style patches: the copy stays coherent. Returns flat indices (h, w) into
    ``style_grid``; :func:`refine_patches` then polishes them.

    Args:
        match: the coarse match (indices into ``coarse_style_grid``).
        out_grid, style_grid: (rows, cols) of patch positions of the finer output and style.
        coarse_style_grid: (rows, cols) of patch positions of the coarse style.
    """
    h, w = match.index.shape
    (hs, ws), (h2, w2), (hs2, ws2) = coarse_style_grid, out_grid, style_grid
    device = match.index.device
    ys, xs = torch.arange(h, device=device)[:, None], torch.arange(w, device=device)[None]
    shift = torch.stack([match.index // ws - ys, match.index % ws - xs]).float()[None]
    shift = F.interpolate(shift, size=(h2, w2), mode="nearest")[0]
    rows = (torch.arange(h2, device=device)[:, None] + (shift[0] * hs2 / hs).round().long()).clamp(0, hs2 - 1)
    cols = (torch.arange(w2, device=device)[None] + (shift[1] * ws2 / ws).round().long()).clamp(0, ws2 - 1)
    return rows * ws2 + cols


class _Scorer:
    """Cosine of output patches with chosen style patches, one candidate field at a time.

    A candidate field gives one style patch (rows, cols) per output patch; its score is
    the sum over the p x p offsets of per-position dot products of gathered style features
    with the shifted output features, divided by the norms of both patches. Memory: a few
    feature maps, never the patches unfolded.
    """

    def __init__(self, target: Tensor, style: Tensor, patch: int) -> None:
        self.patch = patch
        self.out = target[0].permute(1, 2, 0).contiguous()  # (H, W, C)
        self.rows = style[0].permute(1, 2, 0).reshape(-1, style.shape[1]).contiguous()  # (Hs*Ws, C)
        self.style_w = style.shape[3]
        self.grid = (target.shape[2] - patch + 1, target.shape[3] - patch + 1)
        self.style_grid = (style.shape[2] - patch + 1, style.shape[3] - patch + 1)
        self.style_norms = _patch_norms(style, patch)[0, 0]
        self.out_norms = _patch_norms(target, patch)[0, 0]

    def __call__(self, rows: Tensor, cols: Tensor) -> Tensor:
        h, w = self.grid
        total = self.out.new_zeros(h, w)
        for dy in range(self.patch):
            for dx in range(self.patch):
                flat = ((rows + dy) * self.style_w + (cols + dx)).flatten()
                picked = self.rows.index_select(0, flat).view(h, w, -1)
                total += (self.out[dy : dy + h, dx : dx + w] * picked).sum(-1)
        return total / (self.style_norms[rows, cols] * self.out_norms)


def _candidates(rows: Tensor, cols: Tensor, grid: tuple[int, int], radius: int, samples: int, gen: torch.Generator) -> Iterator[tuple[Tensor, Tensor]]:
    """Candidate fields for one round of local search around the current match."""
    hs, ws = grid
    for a in range(-radius, radius + 1):  # the neighbourhood of each patch's own match
        for b in range(-radius, radius + 1):
            if a or b:
                yield (rows + a).clamp(0, hs - 1), (cols + b).clamp(0, ws - 1)
    for step in (4, 2, 1):  # propagation: a neighbour's match, shifted by the offset to it
        for dim, sign in ((0, 1), (0, -1), (1, 1), (1, -1)):
            d = sign * step
            r, c = rows.roll(d, dims=dim), cols.roll(d, dims=dim)
            r, c = (r + d, c) if dim == 0 else (r, c + d)
            yield r.clamp(0, hs - 1), c.clamp(0, ws - 1)
    for _ in range(samples):  # random search (Barnes et al. 2009): a few jumps anywhere
        r = torch.randint(0, hs, rows.shape, generator=gen).to(rows.device)
        c = torch.randint(0, ws, cols.shape, generator=gen).to(cols.device)
        yield r, c


@torch.no_grad()
def refine_patches(
    target: Tensor,
    style: Tensor,
    index: Tensor,
    *,
    patch: int = 3,
    radius: int = 1,
    rounds: int = 2,
    samples: int = 2,
    seed: int = 0,
) -> Match:
    """Improve an approximate match by local search, as PatchMatch does (Barnes et al.
    2009, "PatchMatch: A Randomized Correspondence Algorithm for Structural Image
    Editing"): each output patch tries the style patches next to its own match, its
    neighbours' matches (shifted by the offset to them) and a few random ones, and keeps
    the one with the highest cosine; ``rounds`` times.

    Where :func:`nearest_patches` scores every style patch (a convolution over all of
    them), this scores ``(2 radius + 1)^2 + 11 + samples`` candidates per round, so it
    costs a small fraction of a full search on large feature maps. It never lowers a
    patch's score, and from a good start (the previous match, or one carried up from a
    coarser phase by :func:`enlarge_match`) it finds nearly the same matches.

    Args:
        target: output features (1, C, H, W), semantic channels included.
        style: style features (1, C, Hs, Ws), semantic channels included.
        index: the starting match, flat indices (h, w) into the style's patch grid.
        patch: patch side.
        radius: the neighbourhood searched around each match.
        rounds: search rounds (propagation spreads good matches a few positions per round).
        samples: random candidates per round.
        seed: the random candidates' seed.
    """
    scorer = _Scorer(target.detach().float(), style.detach().float(), patch)
    ws = scorer.style_grid[1]
    rows, cols = index // ws, index % ws
    best = scorer(rows, cols)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(rounds):
        for r, c in _candidates(rows, cols, scorer.style_grid, radius, samples, gen):
            score = scorer(r, c)
            better = score > best + _TIE
            best = torch.where(better, score, best)
            rows, cols = torch.where(better, r, rows), torch.where(better, c, cols)
    return Match(rows * ws + cols, best)


@dataclass(frozen=True)
class PatchVotes:
    """The MRF loss of one match as a per-position quadratic, for a fast loss between
    re-matches.

    Every output position lies in up to p*p patches, each pulling it toward a position of
    its matched style patch. Summed, the loss is ``sum(count * |f - mean|^2) + residual``
    (over positions), where ``mean`` averages the style features "voted" for a position
    and ``count`` is the number of votes: the same value and gradient as
    :func:`matched_patches_loss`, but one pass over the features instead of p*p gathers
    and their backward passes.
    """

    mean: Tensor  # (1, C, H, W)
    count: Tensor  # (1, 1, H, W)
    residual: float  # what no feature map can remove: the spread among a position's votes
    norm: float  # patch * patch * (output patches): the loss's divisor

    @staticmethod
    @torch.no_grad()
    def of(style: Tensor, match: Match, out_hw: tuple[int, int], patch: int = 3) -> "PatchVotes":
        """The votes of ``match`` (output features of size ``out_hw``) for ``style``."""
        h, w = match.index.shape
        ws = style.shape[3] - patch + 1
        rows, cols = match.index // ws, match.index % ws
        total = style.new_zeros(1, style.shape[1], *out_hw)
        count = style.new_zeros(1, 1, *out_hw)
        squares = 0.0
        for dy in range(patch):
            for dx in range(patch):
                wanted = style[0][:, rows + dy, cols + dx]  # (C, h, w)
                total[0, :, dy : dy + h, dx : dx + w] += wanted
                count[0, :, dy : dy + h, dx : dx + w] += 1
                squares += float(wanted.double().square().sum())
        mean = total / count.clamp_min(1)
        residual = squares - float((count * mean.square()).double().sum())
        return PatchVotes(mean, count, max(residual, 0.0), float(patch * patch * h * w))

    def loss(self, feat: Tensor) -> Tensor:
        """:func:`matched_patches_loss` of ``feat`` (1, C, H, W) for this match."""
        return ((feat - self.mean).square() * self.count).sum().add(self.residual) / self.norm


def matched_patches_loss(feat: Tensor, style: Tensor, match: Match, patch: int = 3) -> Tensor:
    """Squared distance between each output patch and its matched style patch, averaged
    over patches and divided by ``patch**2`` (a per-position distance, like the others).

    Written as a sum over the p*p offsets of a shifted feature map minus the style features
    gathered at the matched positions, so neither side is ever unfolded into patches: the
    memory is a few feature maps, not (positions x C*p*p).

    Args:
        feat: output features (1, C, H, W) (with grad); no semantic channels.
        style: style features (1, C, Hs, Ws); no semantic channels.
        match: the result of :func:`nearest_patches` for these features.
    """
    h, w = match.index.shape
    ws = style.shape[3] - patch + 1
    rows, cols = match.index // ws, match.index % ws
    total = feat.new_zeros(())
    for dy in range(patch):
        for dx in range(patch):
            wanted = style[0][:, rows + dy, cols + dx]  # (C, h, w)
            total = total + (feat[0, :, dy : dy + h, dx : dx + w] - wanted).square().sum()
    return total / (patch * patch * h * w)
