"""Settings of ``genart dream`` (no torch imports).

Defaults follow the original DeepDream notebook (Mordvintsev, Olah & Tyka, "Inceptionism:
Going Deeper into Neural Networks", Google Research blog, 2015, and its deepdream.ipynb):
BVLC GoogLeNet at inception_4c, 4 octaves of scale 1.4, 10 steps per octave, step size 1.5
(in 0-255 pixel units) after dividing the gradient by its mean absolute value, and a random
jitter roll of up to 32 px before every step.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...core.config import param
from ...core.device import memory_format_param, precision_param
from ...core.errors import ConfigError
from ...video.params import every_param, flow_param, frame_range_param, parse_frame_range

# Videos: chosen on the shared phone clip (docs/PERFORMANCE.md, "Video"): 0.75 grew runaway
# patterns (a dog took over a face within 20 frames), 0.5 was less steady.
BLEND = 0.6


@dataclass(frozen=True)
class DreamConfig:
    """DeepDream: amplify what a network sees in an image, octave by octave."""

    model: str = param("googlenet-bvlc", "Backbone name (see `genart models list`).")
    weights: str | None = param(None, "Weights file to use instead of the cache/download.", path=True)
    layers: tuple[str, ...] = param(
        (), "Layers to amplify (mean squared activation); empty: the model's default dream layers."
    )
    layer_weights: tuple[float, ...] = param((), "One weight per entry of --layers (default 1 each).")
    channels: tuple[int, ...] = param(
        (), "Amplify only these channels of each layer (see `genart models layers`).", min=0
    )
    label: str | None = param(
        None, "Dream an ImageNet class: its exact name (e.g. 'goldfish') or its index 0-999."
    )
    label_weight: float = param(1.0, "Weight of the --label objective.")
    guide: str | None = param(
        None, "Guide image: make the dream's features match this image's features.", path=True
    )
    guide_layers: tuple[str, ...] = param(
        (), "Layers where the guide is matched; empty: --layers, else the model's defaults."
    )
    guide_weight: float = param(1.0, "Weight of the --guide objective.")
    guide_size: int = param(224, "Long side (px) the guide image is resized to.", min=16)
    octaves: int = param(4, "Number of octaves (capped at the network's minimum input size).", min=1)
    octave_scale: float = param(1.4, "Size ratio between consecutive octaves.", min=1.01, max=4.0)
    iterations: int = param(10, "Gradient-ascent steps per octave.", min=1)
    step_size: float = param(1.5, "Mean pixel change per step, in 0-255 units.", min=0.0)
    jitter: int = param(32, "Largest random roll (px) applied before each step.", min=0)
    grad_norm: str = param(
        "mean",
        "Gradient normalisation: mean (divide by mean |g|, as the original) or laplacian.",
        choices=("mean", "laplacian"),
    )
    laplacian_levels: int = param(4, "Pyramid levels of --grad-norm laplacian.", min=1, max=8)
    scale_jitter: float = param(0.0, "Random rescale per step, e.g. 0.05 for +-5%.", min=0.0, max=0.5)
    rotate_jitter: float = param(0.0, "Random rotation per step, in degrees (+-).", min=0.0, max=45.0)
    init: str = param("image", "Start from the input image or from noise.", choices=("image", "noise"))
    tile_size: int = param(512, "Compute gradients in tiles of this side (px); 0: never tile.", min=0)
    frames: int = param(0, "Zoom animation: number of frames (0: a single image).", min=0)
    zoom: float = param(1.05, "Zoom factor between animation frames.", min=1.0, max=2.0)
    rotate: float = param(0.0, "Rotation between animation frames, in degrees.", min=-45.0, max=45.0)
    fps: int = param(12, "Frames per second of the animation.", min=1, max=60)
    animation: str = param(
        "gif", "Animation file written beside the frames.", choices=("gif", "webp", "none")
    )
    size: int | None = param(None, "Resize the input so its long side is this many px.", min=16)
    precision: str = precision_param()
    memory_format: str = memory_format_param("channels-last")
    seed: int = param(0, "Random seed (jitter, transforms, noise); same seed, same dream.")
    visualize: str | None = param(
        None, "Channel atlas: render the channels of this layer from noise, in a labelled grid, "
        "instead of dreaming on images (see --grid; --channels picks the channels)."
    )
    grid: str = param("4x4", "Rows x columns of the channel atlas, e.g. 4x4.")
    atlas_size: int = param(128, "Side of each atlas tile (px).", min=32, max=1024)
    atlas_steps: int = param(128, "Optimisation steps of the atlas (Adam, all tiles at once).", min=1)
    atlas_learning_rate: float = param(0.05, "Adam's step size on the atlas's Fourier parameters.", min=0.0)
    atlas_decay: float = param(1.0, "Atlas spectrum falloff: amplitude ~ 1/f**decay (lucid: 1).", min=0.0, max=3.0)
    frame_range: str | None = frame_range_param()
    every: int = every_param()
    blend: float = param(
        BLEND, "Videos: how much of the previous dreamed frame, warped by the optical flow, each frame "
        "starts from (the rest is the new frame); 0 dreams every frame on its own.", min=0.0, max=1.0,
    )
    frame_iterations: int = param(
        0, "Videos: steps per octave for each frame after a shot's first (0: half of --iterations); the "
        "warped previous dream carries the rest.", min=0,
    )
    flow: str = flow_param()

    def __post_init__(self) -> None:
        if self.layer_weights and len(self.layer_weights) != len(self.layers):
            raise ConfigError(
                f"layer_weights: {len(self.layer_weights)} weights for {len(self.layers)} layers"
            )
        if not _GRID.fullmatch(self.grid) or 0 in grid_shape(self.grid):
            raise ConfigError(f"grid: expected ROWSxCOLS such as 4x4, got {self.grid!r}")
        if self.tile_size and self.tile_size < 64:
            raise ConfigError(f"tile_size: {self.tile_size} is below 64 px (0 disables tiling)")
        if self.frame_range is not None:
            parse_frame_range(self.frame_range)


_GRID = re.compile(r"\s*(\d+)\s*[xX*]\s*(\d+)\s*")


def grid_shape(text: str) -> tuple[int, int]:
    """``"4x4"`` -> (rows, columns) of a channel atlas."""
    match = _GRID.fullmatch(text)
    if match is None:
        raise ConfigError(f"grid: expected ROWSxCOLS such as 4x4, got {text!r}")
    return int(match.group(1)), int(match.group(2))
