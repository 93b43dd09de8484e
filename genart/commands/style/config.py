"""Settings of ``genart style`` (no torch imports).

Defaults follow Gatys, Ecker & Bethge, "Image Style Transfer Using Convolutional Neural
Networks" (CVPR 2016): VGG19, style at relu1_1..relu5_1, content at relu4_2, L-BFGS.
Unlike the paper, every loss is normalised by the layer's size and by its target's
magnitude (``layer_norm``), so one set of weights works at every resolution and for
every backbone, and the image is grown through a coarse-to-fine pyramid.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...core.config import param
from ...core.device import memory_format_param, precision_param
from ...core.errors import ConfigError
from ...video.params import every_param, flow_param, frame_range_param, parse_frame_range

VGG_STYLE_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
# Videos: chosen on the shared phone clip (docs/PERFORMANCE.md, "Video").
TEMPORAL_WEIGHT = 300.0
FRAME_ITERATIONS = 40


@dataclass(frozen=True)
class StyleConfig:
    """Neural style transfer: paint a photo in the style of one or more images."""

    model: str = param("vgg19", "Backbone name (see `genart models list`).")
    weights: str | None = param(None, "Weights file to use instead of the cache/download.", path=True)
    pooling: str = param("max", "VGG pooling: max, or avg (smoother, as Gatys et al.).", choices=("max", "avg"))
    style_layers: tuple[str, ...] = param(VGG_STYLE_LAYERS, "Layers whose statistics define the style.")
    style_layer_weights: tuple[float, ...] = param((), "One weight per style layer (default 1 each).", min=0.0)
    content_layers: tuple[str, ...] = param(("relu4_2",), "Layers whose features keep the photo's content.")
    content_layer_weights: tuple[float, ...] = param((), "One weight per content layer (default 1 each).", min=0.0)
    style_weight: float = param(100.0, "Weight of the style loss.", min=0.0)
    content_weight: float = param(1.0, "Weight of the content loss.", min=0.0)
    tv_weight: float = param(0.0, "Weight of total-variation smoothing (in 0-1 pixel units).", min=0.0)
    style_loss: str = param(
        "gram", "Style statistics: gram (Gatys et al.) or w2 (mean + covariance, Wasserstein-2).",
        choices=("gram", "w2"),
    )
    layer_norm: str = param(
        "target", "Divide each layer's loss by its target's magnitude (target) or not (none).",
        choices=("target", "none"),
    )
    style_blend_weights: tuple[float, ...] = param((), "One weight per style image (default equal).", min=0.0)
    style_scale: float = param(1.0, "Style image long side as a factor of the output's.", min=0.05, max=4.0)
    size: int = param(512, "Long side of the output (px).", min=16)
    start_size: int = param(128, "Long side of the first pyramid scale (px).", min=16)
    scale_ratio: float = param(1.4142, "Size ratio between pyramid scales (default sqrt 2).", min=1.05, max=4.0)
    scales: tuple[int, ...] = param((), "Explicit pyramid long sides, coarse to fine (overrides --start-size).", min=16)
    pyramid: bool = param(True, "Grow the image coarse to fine; --no-pyramid runs one scale at --size.")
    iterations: int = param(80, "Iterations at the final scale (at most, with --stop-tolerance).", min=1)
    coarse_iterations: int = param(
        80, "Iterations at each earlier scale (at most; 0: earlier scales only resize).", min=0
    )
    scale_iterations: tuple[int, ...] = param((), "Iterations per scale, coarse to fine (overrides both).", min=0)
    # 0.02: at 256 and 512 px it saved 8-15% of the time for a loss 1.6-2% higher, where
    # 0.05 or fewer iterations cost 10-14% (docs/PERFORMANCE.md, "Time to quality").
    stop_tolerance: float = param(
        0.02,
        "Stop a scale early once its loss improved by less than this fraction over the last "
        "--stop-window iterations (0: always run every iteration).",
        min=0.0, max=1.0,
    )
    stop_window: int = param(10, "Iterations over which --stop-tolerance is measured.", min=1)
    optimizer: str = param("lbfgs", "Optimiser: lbfgs or adam (with an averaged iterate).", choices=("lbfgs", "adam"))
    learning_rate: float | None = param(None, "Step size; default 1 for lbfgs, 0.02 for adam.", min=0.0)
    history_size: int = param(20, "L-BFGS history (memory: 2 x history x image).", min=1)
    init: str = param("content", "Start from the content, noise, or --init-image.", choices=("content", "noise", "image"))
    init_image: str | None = param(None, "Image to start from with --init image.", path=True)
    color: str = param(
        "none",
        "Colour control: none; preserve (keep the photo's colours, luminance transfer after the "
        "fact); luminance (optimise luminance only, Gatys et al. 2017); match (match the style's "
        "colours to the photo's first).",
        choices=("none", "preserve", "luminance", "match"),
    )
    tile_size: int = param(768, "Tile scales larger than this (px, long side); 0: never tile.", min=0)
    save_every: int = param(0, "Emit an intermediate image every N iterations (0: never).", min=0)
    precision: str = precision_param()
    memory_format: str = memory_format_param("auto")
    seed: int = param(0, "Random seed (noise init, tile shifts); same seed, same image.")
    frame_range: str | None = frame_range_param()
    every: int = every_param()
    temporal_weight: float = param(
        TEMPORAL_WEIGHT, "Videos: weight of the temporal loss that keeps each frame close to the previous "
        "one warped by the optical flow (Ruder et al. 2016); 0 styles every frame on its own.", min=0.0,
    )
    long_term: tuple[int, ...] = param(
        (), "Videos: also keep close to the frames this many back (e.g. 2,4: long-term consistency; "
        "each costs two more flows per frame).", min=2,
    )
    frame_iterations: int = param(
        FRAME_ITERATIONS, "Videos: iterations for each frame after a shot's first, at --size only, "
        "starting from the previous output warped (a shot's first frame gets the whole pyramid).", min=1,
    )
    flow: str = flow_param()

    def __post_init__(self) -> None:
        _check_pairs(self.style_layer_weights, self.style_layers, "style_layer_weights", "style layers")
        _check_pairs(self.content_layer_weights, self.content_layers, "content_layer_weights", "content layers")
        if not self.style_layers:
            raise ConfigError("style_layers: at least one style layer is needed")
        if self.tile_size and self.tile_size < 128:
            raise ConfigError(f"tile_size: {self.tile_size} is below 128 px (0 disables tiling)")
        if self.scale_iterations and self.scale_iterations[-1] < 1:
            raise ConfigError("scale_iterations: the last scale (the output) needs at least 1 iteration")
        if self.style_blend_weights and sum(self.style_blend_weights) <= 0:
            raise ConfigError("style_blend_weights: the weights must not all be zero")
        if self.frame_range is not None:
            parse_frame_range(self.frame_range)


def _check_pairs(weights: tuple, names: tuple, key: str, what: str) -> None:
    if weights and len(weights) != len(names):
        raise ConfigError(f"{key}: {len(weights)} weights for {len(names)} {what}")
