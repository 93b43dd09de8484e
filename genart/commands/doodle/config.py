"""DoodleConfig: every setting of ``genart doodle`` (Neural Doodle), in one place.

No torch here: the CLI reads this module to build ``--help``. Option names follow the
original neural-doodle tool (alexjc/neural-doodle) where it had one.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...core.config import param


@dataclass(frozen=True)
class DoodleConfig:
    """Settings of Neural Doodle (Champandard 2016) with an MRF (Li & Wand 2016) style loss."""

    model: str = param("vgg19", "Backbone network whose features describe the style.")
    weights: str | None = param(
        None, "Weights file for the backbone (default: the model's standard file).", path=True
    )
    mode: str = param(
        "mrf",
        "mrf: nearest-patch matching (best quality); gram: masked Gram statistics per region (fast).",
        choices=("mrf", "gram"),
    )
    size: int = param(512, "Long side of the output in pixels (the last phase).", min=16)
    phases: int = param(3, "Coarse-to-fine phases; each doubles the resolution.", min=1, max=8)
    iterations: int = param(100, "Optimisation steps per phase.", min=1)
    style_layers: tuple[str, ...] = param(
        ("relu3_1", "relu4_1"), "Layers whose patches (or Gram matrices) carry the style."
    )
    content_layers: tuple[str, ...] = param(
        ("relu4_2",), "Layers matched to the content image (only with --content)."
    )
    style_weight: float = param(1.0, "Weight of the style (MRF or Gram) loss.", min=0)
    content_weight: float = param(1.0, "Weight of the content loss (only with --content).", min=0)
    semantic_weight: float = param(
        10.0,
        "Weight of the map channels next to the features when matching patches "
        "(relative to the features' mean norm); higher keeps regions stricter.",
        min=0,
    )
    color_weight: float = param(
        10.0,
        "Weight of matching each region's mean colour and colour covariance to its source "
        "region (0 = off, as in the paper).",
        min=0,
    )
    smoothness: float = param(1e-4, "Weight of the total-variation smoothing.", min=0)
    variety: float = param(
        0.0,
        "Penalise reusing the same style patch (0 = off, 0.1-1 = more variety).",
        min=0,
    )
    patch_size: int = param(3, "Side of the feature patches matched in mrf mode.", min=1, max=7)
    match_every: int = param(
        10, "Re-match patches every N steps (matching is the expensive part).", min=1
    )
    stop_tolerance: float = param(
        0.01,
        "End a phase early once its loss improved by less than this fraction over the last "
        "--stop-window steps (in mrf mode counted from a re-match that changed fewer than "
        "--match-stable of the matches; never with --match-stable 0); 0: never.",
        min=0, max=1,
    )
    stop_window: int = param(10, "Steps over which --stop-tolerance is measured.", min=1)
    match_stable: float = param(
        0.02,
        "A re-match that changes fewer than this share of the matches doubles the interval "
        "to the next (0: re-match every --match-every steps).",
        min=0, max=1,
    )
    match_search: str = param(
        "propagate",
        "full: every match searches all style patches; propagate: only the first match of "
        "the first phase does, later ones start from the last match (or the previous phase's, "
        "enlarged) and search around it (PatchMatch), much faster on large phases.",
        choices=("full", "propagate"),
    )
    chunk_mb: float = param(
        64.0, "Memory budget (MiB) for one chunk of patch-matching scores.", min=1
    )
    optimizer: str = param("lbfgs", "Optimiser for the image.", choices=("lbfgs", "adam"))
    learning_rate: float = param(1.0, "Step size (L-BFGS: 1; Adam: about 0.02).", min=0)
    init: str = param(
        "auto",
        "Start image: noise, content (needs --content), or auto (content if given, else noise).",
        choices=("auto", "noise", "content"),
    )
    auto_map: bool = param(
        False, "Make the missing maps by colour clustering of the images themselves."
    )
    regions: int = param(4, "Number of colour clusters for --auto-map.", min=2, max=8)
    seed: int = param(0, "Random seed (noise start, clustering).", min=0)
    save_every: int = param(0, "Emit an intermediate frame every N steps (0 = off).", min=0)
