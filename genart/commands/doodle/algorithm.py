"""Neural Doodle (Champandard 2016, "Semantic Style Transfer and Turning Two-Bit Doodles
into Fine Artworks"): paint a picture from a colour-coded map, taking each region's
texture from the matching region of a painting.

Three uses of one function: a doodle becomes a painting (style + style map + target map);
a photo is restyled region by region (add ``content``, whose layout the output keeps); or
a texture is synthesised without maps. Style is carried by an MRF loss on feature patches
(Li & Wand 2016; ``mode="mrf"``) or, faster, by masked Gram matrices per region
(``mode="gram"``, in the manner of Ulyanov's fast-neural-doodle). Phases run coarse to
fine, each starting from the enlarged previous result.

Example::

    bb = load_backbone("vgg19-caffe", weights="vgg19-caffe-conv1_1-conv3_4.pth")
    cfg = DoodleConfig(style_layers=("relu2_1", "relu3_1"), size=256)
    out = doodle(monet, monet_map, coastline_map, cfg, backbone=bb)  # (1, 3, H, W) in [0, 1]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from . import semantic, terms
from .checks import check_sizes, output_reference, required_layers
from .config import DoodleConfig
from ...core.errors import UsageError
from ...core.events import EventCallback, Message, StageStarted, emit
from ...core.optim import Convergence, optimize_image
from ...core.geometry import fit_long_side, resize

__all__ = ["DoodleConfig", "check_sizes", "doodle", "prepare_maps", "phase_sizes", "required_layers"]

_ASPECT_TOLERANCE = 0.03  # a map may differ from its image by rounding, not by shape


def doodle(
    style: Tensor,
    style_map: Tensor | None,
    target_map: Tensor | None,
    config: DoodleConfig,
    *,
    backbone: Any,
    content: Tensor | None = None,
    content_map: Tensor | None = None,
    callback: EventCallback | None = None,
    map_names: tuple[str, str] | None = None,
) -> Tensor:
    """Paint an image whose regions follow ``target_map`` in the style of ``style``.

    Args:
        style: the painting, RGB (1, 3, H, W) in [0, 1].
        style_map: its semantic map (RGB, same aspect), or None for no maps.
        target_map: the doodle the output follows, or None (then ``content_map`` is used).
        config: the settings; see :class:`DoodleConfig`.
        backbone: a loaded ``genart.models.Backbone``.
        content: a photo whose layout the output keeps (content loss), or None.
        content_map: the content's semantic map; stands in for ``target_map``.
        callback: receives StageStarted per phase, Step per iteration, Intermediate
            frames (``save_every``) and Messages (the legend of regions).
        map_names: how errors name the style map and the target/content map (e.g. their
            file names); default "style map" and "target map"/"content map".

    Returns:
        RGB (1, 3, h, w) in [0, 1], long side ``config.size``, aspect of the target map
        (else of the content, else of the style).
    """
    maps = prepare_maps(style, style_map, target_map, content, content_map, config, map_names)
    if maps is not None:
        for region in semantic.legend(maps):
            emit(callback, Message(_legend_line(region), "debug"))
    if content is None and config.init == "content":
        raise UsageError("init: 'content' needs a content image")
    target = None if maps is None else tuple(maps.target.shape[-2:])
    content_hw = None if content is None else tuple(content.shape[-2:])
    check_sizes(config, getattr(backbone, "spec", None), style=tuple(style.shape[-2:]), target=target, content=content_hw)
    sizes = phase_sizes(output_reference(tuple(style.shape[-2:]), target, content_hw)[1], config.size, config.phases)
    extractor = backbone.extractor(list(required_layers(config, content=content is not None)))
    device = getattr(backbone, "device", torch.device("cpu"))
    gen = torch.Generator().manual_seed(config.seed)
    image = None
    seeds: dict[str, terms.Carried] = {}
    for index, hw in enumerate(sizes):
        emit(callback, StageStarted(f"phase {index + 1}/{len(sizes)} ({hw[1]}x{hw[0]})", index, len(sizes), config.iterations))
        image = _start(image, hw, content, config, gen).to(device)
        source = terms.StyleSource(
            # The style's long side equals the output's: brush strokes keep their size.
            style=_resize(style, fit_long_side(*style.shape[-2:], max(hw))).to(device),
            style_labels=None if maps is None else maps.style,
            target_labels=None if maps is None else maps.target,
            regions=0 if maps is None else maps.count,
            content=None if content is None else _resize(content, hw).to(device),
            out_hw=hw,
        )
        objective = terms.build_objective(extractor, source, config, phase=index, seeds=seeds)
        image = optimize_image(
            image,
            objective,
            optimizer=config.optimizer,
            iterations=config.iterations,
            learning_rate=config.learning_rate,
            callback=callback,
            save_every=config.save_every,
            tag=f"phase{index + 1}-",
            stop=_PhaseStop(Convergence(config.stop_tolerance, config.stop_window), objective),
        )
        seeds = objective.carried()
    assert image is not None
    return image.clamp(0, 1)


@dataclass(frozen=True)
class _PhaseStop:
    """A phase has converged when its matches have settled and, since their last refresh,
    the loss has improved by less than the tolerance over the window. Losses before a
    refresh measured the distance to other patches: they are not compared."""

    rule: Convergence
    objective: terms.DoodleObjective

    def reached(self, losses: list[float]) -> bool:
        since = self.objective.settled_since()
        return since is not None and self.rule.reached(losses[since:])


def prepare_maps(
    style: Tensor,
    style_map: Tensor | None,
    target_map: Tensor | None,
    content: Tensor | None,
    content_map: Tensor | None,
    config: DoodleConfig,
    map_names: tuple[str, str] | None = None,
) -> semantic.SemanticMaps | None:
    """Quantised maps for the run, made by clustering with ``auto_map``; None without maps."""
    if target_map is not None and content_map is not None:
        raise UsageError("give either a target map or a content map, not both")
    target_map = target_map if target_map is not None else content_map
    names = map_names or ("style map", "target map" if content_map is None else "content map")
    if config.auto_map and (style_map is None or target_map is None):
        if content is None:
            raise UsageError("auto_map needs a content image to draw the output's map from")
        style_map, target_map = semantic.auto_maps([style, content], config.regions, seed=config.seed)
    if style_map is None and target_map is None:
        return None
    if style_map is None or target_map is None:
        missing = "style map" if style_map is None else "target map (or content map)"
        raise UsageError(f"maps come in pairs: the {missing} is missing (or set auto_map)")
    _check_aspect(style_map, style, "style map", "style image")
    if content is not None:
        _check_aspect(target_map, content, names[1], "content image")
    return semantic.quantize_maps(style_map, target_map, names=names)


def phase_sizes(reference_hw: tuple[int, int], size: int, phases: int) -> list[tuple[int, int]]:
    """(h, w) of each phase: the last has long side ``size``, each earlier one half that."""
    return [fit_long_side(*reference_hw, size / 2 ** (phases - 1 - p)) for p in range(phases)]


def _start(previous: Tensor | None, hw: tuple[int, int], content: Tensor | None, config: DoodleConfig, gen: torch.Generator) -> Tensor:
    """The first phase starts from noise or the content; later ones from the last result."""
    if previous is not None:
        return _resize(previous, hw)
    if content is not None and config.init in ("auto", "content"):
        return _resize(content, hw)
    # Mid-grey noise: strong enough to break symmetry, far from saturating the clamp.
    return 0.5 + 0.1 * torch.randn((1, 3, *hw), generator=gen)


def _resize(img: Tensor, hw: tuple[int, int]) -> Tensor:
    return resize(img.float(), hw).clamp(0, 1)


def _check_aspect(map_: Tensor, image: Tensor, map_name: str, image_name: str) -> None:
    mh, mw = map_.shape[-2:]
    ih, iw = image.shape[-2:]
    if abs(mw / mh - iw / ih) > _ASPECT_TOLERANCE * (iw / ih):
        raise UsageError(f"the {map_name} is {mw}x{mh} but the {image_name} is {iw}x{ih}: their shapes differ")


def _legend_line(region: semantic.Region) -> str:
    return f"region {region.color}: {region.style_share:.1%} of the style map, {region.target_share:.1%} of the target"
