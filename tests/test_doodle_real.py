"""Neural Doodle with the real (partial) VGG19 weights in ../shared: regions take their
colour and texture from the matching region of the painting. Skips where ../shared is absent."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from genart.commands.doodle import semantic
from genart.commands.doodle.config import DoodleConfig
from genart.commands.doodle.algorithm import doodle

# Small enough for CI: about 10-20 s per painting on two CPU cores.
CFG = DoodleConfig(model="vgg19-caffe", style_layers=("relu2_1", "relu3_1"), size=96, phases=2, iterations=25)


def _load(path) -> torch.Tensor:
    arr = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255
    return torch.from_numpy(arr).permute(2, 0, 1)[None].contiguous()


def _grad_energy(img: torch.Tensor) -> torch.Tensor:
    """Mean absolute horizontal + vertical difference per pixel: how much texture there is."""
    g = img.new_zeros(img.shape[-2:])
    g[:, 1:] += (img[0, :, :, 1:] - img[0, :, :, :-1]).abs().mean(0)
    g[1:, :] += (img[0, :, 1:, :] - img[0, :, :-1, :]).abs().mean(0)
    return g


@pytest.fixture(scope="module")
def vgg(shared_dir):
    from genart.models import load_backbone

    return load_backbone("vgg19-caffe", weights=str(shared_dir / "weights" / "vgg19-caffe-conv1_1-conv3_4.pth"))


@pytest.mark.parametrize("painting, doodle_map", [("Monet", "Coastline"), ("Renoir", "Landscape")])
def test_regions_take_colour_and_texture_from_their_source_region(shared_dir, vgg, painting, doodle_map):
    folder = shared_dir / "images" / "doodle"
    style, style_map = _load(folder / f"{painting}.jpg"), _load(folder / f"{painting}_sem.png")
    target_map = _load(folder / f"{doodle_map}_sem.png")
    out = doodle(style, style_map, target_map, CFG, backbone=vgg)
    assert out.shape[-1] == 96 and torch.isfinite(out).all()

    maps = semantic.quantize_maps(style_map, target_map)
    # Compare at the output's scale, so texture (pixel differences) is measured alike.
    small_style = F.interpolate(style, size=out.shape[-2:], mode="bilinear", antialias=True)
    s_labels = semantic.snap(F.interpolate(style_map, size=out.shape[-2:], mode="nearest"), maps.palette)
    t_labels = semantic.snap(F.interpolate(target_map, size=out.shape[-2:], mode="nearest"), maps.palette)
    s_energy, o_energy = _grad_energy(small_style), _grad_energy(out)
    sources = torch.stack([small_style[0][:, s_labels == k].mean(1) for k in range(maps.count)])
    for k in range(maps.count):
        region = t_labels == k
        if region.sum() < 20:
            continue
        name = semantic.hex_color(maps.palette[k])
        distance = (sources - out[0][:, region].mean(1)).norm(dim=1)
        assert int(distance.argmin()) == k, f"{painting}: region {name} looks like another region: {distance}"
        ratio = float(o_energy[region].mean() / s_energy[s_labels == k].mean())
        assert 0.33 < ratio < 3.0, f"{painting}: region {name} has {ratio:.2f}x the source's texture"


def test_without_maps_regions_mix(shared_dir, vgg):
    """The control: with the semantic weight at 0 the same run no longer respects the map."""
    folder = shared_dir / "images" / "doodle"
    style, style_map = _load(folder / "Monet.jpg"), _load(folder / "Monet_sem.png")
    target_map = _load(folder / "Coastline_sem.png")
    cfg = dataclasses.replace(CFG, semantic_weight=0.0, color_weight=0.0, iterations=15)
    out = doodle(style, style_map, target_map, cfg, backbone=vgg)
    maps = semantic.quantize_maps(style_map, target_map)
    t_labels = semantic.snap(F.interpolate(target_map, size=out.shape[-2:], mode="nearest"), maps.palette)
    s_labels = semantic.snap(F.interpolate(style_map, size=out.shape[-2:], mode="nearest"), maps.palette)
    small_style = F.interpolate(style, size=out.shape[-2:], mode="bilinear", antialias=True)
    sources = torch.stack([small_style[0][:, s_labels == k].mean(1) for k in range(maps.count)])
    hits = sum(
        int((sources - out[0][:, t_labels == k].mean(1)).norm(dim=1).argmin()) == k for k in range(maps.count)
    )
    assert hits < maps.count
