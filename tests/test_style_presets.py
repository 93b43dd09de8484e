"""Every built-in style preset is a valid StyleConfig with a sensible schedule."""
from __future__ import annotations

import pytest

from genart import presets
from genart.commands.style.config import StyleConfig
from genart.models import get_spec
from genart.commands.style.pyramid import plan_scales, scale_sides

REQUIRED = {"default", "preview", "gatys", "hires", "vgg19-partial"}


def test_required_presets_exist():
    assert REQUIRED <= set(presets.available("style"))


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_preset_resolves_and_names_real_layers(name):
    config = presets.resolve("style", preset=name, env={}).config
    assert isinstance(config, StyleConfig)
    layer_names = {layer.name for layer in get_spec(config.model).layers()}
    assert set(config.style_layers + config.content_layers) <= layer_names
    sides = scale_sides(config.size, start=config.start_size, ratio=config.scale_ratio, explicit=config.scales) if config.pyramid else [config.size]
    plan = plan_scales(384, 512, sides=sides, iterations=config.iterations, coarse_iterations=config.coarse_iterations,
                       scale_iterations=config.scale_iterations if config.pyramid else ())
    assert plan[-1].long_side == config.size
    assert sum(s.iterations for s in plan) > 0


def test_default_preset_is_the_config_default():
    # `genart style` without --preset must look like --preset default.
    resolved = presets.resolve("style", preset="default", env={}).config
    assert resolved == StyleConfig()


def test_partial_preset_stays_inside_the_partial_weights():
    config = presets.resolve("style", preset="vgg19-partial", env={}).config
    order = [layer.name for layer in get_spec("vgg19-caffe").layers()]
    assert max(order.index(n) for n in config.style_layers + config.content_layers) <= order.index("relu3_4")
