"""Semantic maps: palette quantisation of antialiased maps, legend, errors, auto-maps."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from genart.commands.doodle import semantic
from genart.core.errors import UsageError

WHITE, BLUE, GREEN, RED = (1.0, 1.0, 1.0), (0.0, 0.0, 1.0), (0.0, 1.0, 0.0), (1.0, 0.2, 0.12)


def _paint(layout: list[list[tuple[float, float, float]]], cell: int = 16) -> torch.Tensor:
    """A map from a grid of colours, each cell ``cell`` px square."""
    rows = [torch.cat([torch.tensor(c).view(3, 1, 1).expand(3, cell, cell) for c in row], 2) for row in layout]
    return torch.cat(rows, 1)[None].clone()


def _antialias(rgb: torch.Tensor) -> torch.Tensor:
    """Soften the borders the way a paint program does: in-between colours along every edge."""
    blurred = F.avg_pool2d(F.pad(rgb, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    return (blurred * 255).round() / 255


def test_antialiased_edges_snap_to_the_dominant_colours():
    style = _antialias(_paint([[WHITE, WHITE, BLUE], [GREEN, BLUE, BLUE]]))
    colours, _ = semantic.color_counts(style)
    assert len(colours) > 4  # the blur really made in-between colours
    maps = semantic.quantize_maps(style, _antialias(_paint([[BLUE, GREEN], [WHITE, WHITE]])))
    found = {semantic.hex_color(c) for c in maps.palette}
    assert found == {"#ffffff", "#0000ff", "#00ff00"}
    # Each cell's centre pixel keeps its own colour's label.
    blue = [semantic.hex_color(c) for c in maps.palette].index("#0000ff")
    assert maps.style[24, 40] == blue and maps.style[8, 40] == blue and maps.style[8, 8] != blue


def test_a_blend_covering_a_visible_share_is_still_not_a_region():
    # A wide 50/50 blend stripe between white and blue (about 8% of the map).
    mid = tuple((a + b) / 2 for a, b in zip(WHITE, BLUE))
    style = _paint([[WHITE, WHITE, WHITE, mid, BLUE, BLUE, BLUE, BLUE, BLUE, BLUE, BLUE, BLUE]])
    palette, shares = semantic.dominant_colors(style)
    assert [semantic.hex_color(c) for c in palette] == ["#0000ff", "#ffffff"]
    assert shares.tolist() == pytest.approx([8 / 12, 3 / 12])


def test_near_duplicate_colours_merge():
    off = (254 / 255, 52 / 255, 31 / 255)  # a re-encoded #ff331f
    style = _paint([[RED, RED, off, WHITE]])
    palette, _ = semantic.dominant_colors(style)
    assert len(palette) == 2


def test_target_colour_missing_from_the_style_map_is_a_usage_error_naming_it():
    style = _paint([[WHITE, BLUE]])
    target = _paint([[WHITE, GREEN]])
    with pytest.raises(UsageError, match=r"doodle\.png: colour #00ff00 \(50\.0% .* is not in style\.png"):
        semantic.quantize_maps(style, target, names=("style.png", "doodle.png"))


def test_legend_reports_shares_of_both_maps():
    maps = semantic.quantize_maps(_paint([[WHITE, BLUE, BLUE, BLUE]]), _paint([[WHITE, WHITE, WHITE, BLUE]]))
    legend = {r.color: r for r in semantic.legend(maps)}
    assert legend["#0000ff"].style_share == pytest.approx(0.75)
    assert legend["#0000ff"].target_share == pytest.approx(0.25)
    assert legend["#ffffff"].target_share == pytest.approx(0.75)


def test_masks_are_area_shares_at_any_size():
    labels = torch.zeros(8, 8, dtype=torch.long)
    labels[:, 4:] = 1
    m = semantic.masks(labels, 3, (2, 3))
    assert m.shape == (1, 3, 2, 3)
    assert torch.allclose(m.sum(dim=1), torch.ones(1, 2, 3))
    assert m[0, 0, :, 0].tolist() == [1.0, 1.0] and m[0, 1, :, 2].tolist() == [1.0, 1.0]
    assert m[0, 2].abs().sum() == 0  # a label absent from the map stays empty


def test_auto_maps_find_shared_regions_across_images():
    gen = torch.Generator().manual_seed(1)
    sky, sea = torch.tensor([0.8, 0.85, 0.95]), torch.tensor([0.1, 0.2, 0.5])

    def scene(split: int) -> torch.Tensor:
        img = torch.empty(1, 3, 40, 60)
        img[..., :split, :] = sky.view(3, 1, 1)
        img[..., split:, :] = sea.view(3, 1, 1)
        return (img + 0.05 * torch.randn(img.shape, generator=gen)).clamp(0, 1)

    a, b = semantic.auto_maps([scene(10), scene(30)], regions=2, seed=0)
    assert a.shape == (1, 3, 40, 60) and b.shape == (1, 3, 40, 60)
    # Same kind of pixel, same map colour, in both images; brightest cluster is white.
    assert torch.equal(a[0, :, 2, 5], torch.ones(3)) and torch.equal(b[0, :, 20, 5], torch.ones(3))
    assert torch.equal(a[0, :, 35, 30], b[0, :, 38, 30]) and not torch.equal(a[0, :, 35, 30], torch.ones(3))
    maps = semantic.quantize_maps(a, b)  # the auto palette reads back exactly
    assert maps.count == 2 and (maps.style[:8] == maps.style[0, 0]).all()
    again = semantic.auto_maps([scene(10), scene(30)], regions=2, seed=0)
    assert again[0].shape == a.shape


def test_auto_maps_reject_too_many_regions():
    with pytest.raises(UsageError, match="regions"):
        semantic.auto_maps([torch.rand(1, 3, 8, 8)], regions=9)


def _load_map(path) -> torch.Tensor:
    arr = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255
    return torch.from_numpy(arr).permute(2, 0, 1)[None]


def test_real_maps_quantise_to_their_painted_colours(shared_dir):
    doodle = shared_dir / "images" / "doodle"
    monet, coast = _load_map(doodle / "Monet_sem.png"), _load_map(doodle / "Coastline_sem.png")
    assert len(semantic.color_counts(monet)[0]) > 100  # hundreds of antialiased colours
    maps = semantic.quantize_maps(monet, coast)
    assert sorted(semantic.hex_color(c) for c in maps.palette) == ["#0000ff", "#00ff00", "#c00000", "#ff331f", "#ffffff"]
    renoir, landscape = _load_map(doodle / "Renoir_sem.png"), _load_map(doodle / "Landscape_sem.png")
    assert semantic.quantize_maps(renoir, landscape).count == 4
    with pytest.raises(UsageError, match="#c00000"):  # Renoir's map has no dark-red region
        semantic.quantize_maps(renoir, coast)
