"""Semantic maps for Neural Doodle: palette quantisation, legend, and maps made by clustering.

A semantic map is an RGB image painted with a few flat colours, one per region (sky,
water, rock...). Hand-painted maps have antialiased borders with hundreds of in-between
colours, so the palette is taken from the colours that cover a real share of the STYLE
map and are not blends of two others; every pixel of every map then snaps to its nearest
palette colour. Maps arrive as RGB tensors (1, 3, H, W) in [0, 1]; labels are (H, W) long.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from ...core.errors import UsageError

MIN_SHARE = 0.002  # colours below 0.2 % of a map are edge pixels, not regions
MERGE_TOLERANCE = 0.1  # (RGB units in [0, 1]) closer than this: the same colour, re-encoded
BLEND_TOLERANCE = 0.08  # this close to the segment between two palette colours: antialiasing
MATCH_TOLERANCE = 0.2  # a target colour farther than this from every style colour is an error


@dataclass(frozen=True)
class SemanticMaps:
    """Maps quantised to one palette: ``palette[k]`` is the RGB colour of label ``k``."""

    palette: Tensor  # (K, 3) float in [0, 1]
    style: Tensor  # (H, W) long labels of the style map
    target: Tensor  # (H', W') long labels of the output's map

    @property
    def count(self) -> int:
        return int(self.palette.shape[0])


@dataclass(frozen=True)
class Region:
    """One line of the legend: a palette colour and the share of each map it covers."""

    color: str  # "#rrggbb"
    style_share: float
    target_share: float


def hex_color(rgb: Tensor) -> str:
    """``#rrggbb`` of an RGB triple in [0, 1]."""
    r, g, b = (int(round(float(v) * 255)) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def color_counts(rgb_map: Tensor) -> tuple[Tensor, Tensor]:
    """Distinct colours of a (1, 3, H, W) map, most frequent first: (colours (N, 3), shares (N,))."""
    q = (rgb_map[0].clamp(0, 1) * 255).round().long().reshape(3, -1)
    codes = q[0] * 65536 + q[1] * 256 + q[2]
    uniq, counts = torch.unique(codes, return_counts=True)
    order = torch.argsort(counts, descending=True, stable=True)
    uniq, counts = uniq[order], counts[order]
    colours = torch.stack([uniq // 65536, (uniq // 256) % 256, uniq % 256], dim=1).float() / 255
    return colours, counts.float() / codes.numel()


def _is_blend(c: Tensor, palette: list[Tensor]) -> bool:
    """True when ``c`` lies on the segment between two palette colours (an antialiased edge)."""
    for i, a in enumerate(palette):
        for b in palette[i + 1 :]:
            ab = b - a
            t = float(torch.dot(c - a, ab) / torch.dot(ab, ab).clamp_min(1e-12))
            if 0.0 < t < 1.0 and float(torch.linalg.vector_norm(a + t * ab - c)) < BLEND_TOLERANCE:
                return True
    return False


def dominant_colors(rgb_map: Tensor, *, min_share: float = MIN_SHARE) -> tuple[Tensor, Tensor]:
    """The region colours of a map and their approximate shares: ((K, 3), (K,)).

    Colours are visited from most to least frequent; a colour becomes a region when it
    covers at least ``min_share`` of the map, is not a re-encoding of a region colour
    already found, and is not a blend of two of them.
    """
    colours, shares = color_counts(rgb_map)
    palette: list[Tensor] = []
    kept: list[float] = []
    for c, s in zip(colours, shares.tolist()):
        if s < min_share:
            break
        if palette and float(torch.cdist(c[None], torch.stack(palette)).min()) < MERGE_TOLERANCE:
            continue
        if _is_blend(c, palette):
            continue
        palette.append(c)
        kept.append(s)
    return torch.stack(palette), torch.tensor(kept)


def snap(rgb_map: Tensor, palette: Tensor) -> Tensor:
    """Label each pixel of a (1, 3, H, W) map with its nearest palette colour: (H, W) long."""
    _, _, h, w = rgb_map.shape
    pixels = rgb_map[0].reshape(3, -1).T.float()
    return torch.cdist(pixels, palette.float()).argmin(dim=1).reshape(h, w)


def _check_covered(rgb_map: Tensor, palette: Tensor, name: str, style_name: str) -> None:
    colours, shares = dominant_colors(rgb_map)
    distance = torch.cdist(colours, palette).min(dim=1).values
    for c, s, d in zip(colours, shares.tolist(), distance.tolist()):
        if d > MATCH_TOLERANCE:
            known = ", ".join(hex_color(p) for p in palette)
            raise UsageError(
                f"{name}: colour {hex_color(c)} ({s:.1%} of its pixels) is not in "
                f"{style_name} (its colours: {known})"
            )


def quantize_maps(
    style_map: Tensor,
    target_map: Tensor,
    *,
    names: tuple[str, str] = ("style map", "target map"),
) -> SemanticMaps:
    """Quantise the style map and the output's map to the style map's palette.

    Args:
        style_map: RGB (1, 3, H, W) in [0, 1], the map of the style image.
        target_map: RGB (1, 3, H', W') in [0, 1], the map the output should follow.
        names: how error messages call the two maps (e.g. file names).

    Raises:
        UsageError: the target map has a region colour the style map does not have.
    """
    palette, _ = dominant_colors(style_map)
    _check_covered(target_map, palette, names[1], names[0])
    return SemanticMaps(palette, snap(style_map, palette), snap(target_map, palette))


def legend(maps: SemanticMaps) -> list[Region]:
    """The regions found: each palette colour with its share of the style and target maps."""
    k = maps.count
    style = torch.bincount(maps.style.flatten(), minlength=k).float() / maps.style.numel()
    target = torch.bincount(maps.target.flatten(), minlength=k).float() / maps.target.numel()
    return [
        Region(hex_color(maps.palette[i]), float(style[i]), float(target[i])) for i in range(k)
    ]


def masks(labels: Tensor, count: int, size: tuple[int, int] | None = None) -> Tensor:
    """One soft mask per label, (1, K, h, w) float: the area share of label k in each cell.

    Resizing by area averaging keeps region borders soft at feature resolution, as the
    original tool's downsampled maps were.
    """
    one_hot = F.one_hot(labels, count).permute(2, 0, 1)[None].float()
    if size is None or tuple(size) == tuple(labels.shape):
        return one_hot
    return F.interpolate(one_hot, size=size, mode="area")


# Region colours for maps made by clustering: corners of the RGB cube, none a blend of two
# others, so the quantiser reads such maps back exactly. Brightest cluster first.
AUTO_PALETTE = (
    (1.0, 1.0, 1.0), (0.0, 0.0, 1.0), (0.0, 1.0, 0.0), (1.0, 0.0, 0.0),
    (1.0, 1.0, 0.0), (1.0, 0.0, 1.0), (0.0, 1.0, 1.0), (0.0, 0.0, 0.0),
)  # fmt: skip
_SAMPLES = 20000  # pixels per image fed to k-means; plenty for a handful of colour clusters


def _smooth(img: Tensor, radius: int) -> Tensor:
    """Box blur that keeps the size: clustering smoothed colours yields regions, not speckle."""
    k = 2 * radius + 1
    return F.avg_pool2d(F.pad(img, (radius,) * 4, mode="replicate"), k, stride=1)


def _kmeans(points: Tensor, k: int, gen: torch.Generator, iterations: int) -> Tensor:
    """Centres (k, D) of ``points`` (N, D) by k-means with k-means++ seeding (Arthur & Vassilvitskii 2007)."""
    centres = points[torch.randint(len(points), (1,), generator=gen)]
    for _ in range(1, k):
        d2 = torch.cdist(points, centres).min(dim=1).values.square()
        pick = torch.multinomial(d2 + 1e-12, 1, generator=gen)
        centres = torch.cat([centres, points[pick]])
    for _ in range(iterations):
        assign = torch.cdist(points, centres).argmin(dim=1)
        for j in range(k):
            members = points[assign == j]
            if len(members):
                centres[j] = members.mean(dim=0)
    return centres


def auto_maps(
    images: Sequence[Tensor], regions: int = 4, *, seed: int = 0, iterations: int = 15
) -> list[Tensor]:
    """Semantic maps for images that have none, by clustering their colours together.

    The images share one set of clusters, so region k means the same kind of colour in the
    style image and in the content image. Returns RGB maps (1, 3, H, W) painted with
    :data:`AUTO_PALETTE`, which :func:`quantize_maps` reads back exactly.

    Example::

        style_map, content_map = auto_maps([style, content], regions=4, seed=0)
    """
    if not 2 <= regions <= len(AUTO_PALETTE):
        raise UsageError(f"auto-map regions must be 2..{len(AUTO_PALETTE)}, got {regions}")
    gen = torch.Generator().manual_seed(seed)
    smooth = [_smooth(img.float(), max(1, min(img.shape[-2:]) // 100)) for img in images]
    samples = []
    for img in smooth:
        pixels = img[0].reshape(3, -1).T
        pick = torch.randperm(len(pixels), generator=gen)[:_SAMPLES]
        samples.append(pixels[pick])
    centres = _kmeans(torch.cat(samples), regions, gen, iterations)
    order = torch.argsort(centres.sum(dim=1), descending=True)  # stable colours: bright first
    centres = centres[order]
    palette = torch.tensor(AUTO_PALETTE[:regions])
    out = []
    for img in smooth:
        labels = _majority(snap(img, centres), regions)
        out.append(palette[labels].permute(2, 0, 1)[None])
    return out


def _majority(labels: Tensor, count: int, radius: int = 2) -> Tensor:
    """Each pixel takes the most common label around it: removes isolated specks."""
    votes = _smooth(F.one_hot(labels, count).permute(2, 0, 1)[None].float(), radius)
    return votes[0].argmax(dim=0)
