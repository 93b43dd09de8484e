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
