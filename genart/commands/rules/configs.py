"""Settings of the ``genart rules`` generators, one frozen dataclass each (no heavy imports).

Every config shares :class:`OutputSettings` (seed, PNG size, paper, SVG layers and path
order) and adds its own rule parameters. Lengths are in canvas units, where the long side
of the canvas is 1000 units, unless a field says otherwise.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields

from ...core.config import param
from ...core.errors import ConfigError

PAPERS = ("a5", "a4", "a3", "letter", "none")
COLORMAPS = ("ember", "ocean", "ink", "aurora", "rose", "mono")
PALETTES = ("ink", "sunset", "ocean", "forest", "bauhaus", "candy")
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


@dataclass(frozen=True)
class OutputSettings:
    """Fields every rules generator has: the seed and how the drawing is written."""

    seed: int = param(0, "Random seed; same seed, same picture (byte for byte).", min=0)
    size: int = param(1024, "Long side of raster output (PNG, JPEG...) in px.", min=16, max=32768)
    paper: str = param(
        "a4", "SVG page: a5, a4, a3, letter (mm, orientation follows the art) or none (px).", choices=PAPERS
    )
    margin: float = param(15.0, "Blank border of the SVG page in mm.", min=0.0)
    svg_layers: bool = param(True, "One Inkscape layer per colour in SVG output (one per plotter pen).")
    optimize: bool = param(True, "Reorder and join SVG paths to cut plotter pen-up travel.")

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("background", "color", "line_color") or f.name.endswith("colors"):
                for c in value if isinstance(value, tuple) else (value,):
                    if not _HEX.match(str(c)):
                        raise ConfigError(f"{f.name}: {c!r} is not a colour like #1a2b3c")


@dataclass(frozen=True)
class LsystemConfig(OutputSettings):
    """A Lindenmayer system drawn by a turtle (Prusinkiewicz & Lindenmayer 1990).

    Rules are ``A=successor``; several rules for one symbol make it stochastic, each
    weighted by an optional ``weight:`` prefix (``F=0.3:F[+F]F``). Turtle symbols: ``F``/``G``
    draw a step, ``f`` moves without drawing, ``+``/``-`` turn left/right by ``angle``,
    ``|`` turns around, ``[``/``]`` push/pop the turtle. Other symbols only rewrite.
    """

    axiom: str = param("F", "Start string.")
    rules: tuple[str, ...] = param(
        ("F=FF-[-F+F+F]+[+F-F-F]",), "Rewriting rules 'A=successor' (repeatable; 'A=w:succ' weights).",
        flag="--rule",
    )
    angle: float = param(22.5, "Turn angle of + and - in degrees.", min=-360.0, max=360.0)
    iterations: int = param(4, "Rewriting steps.", min=0, max=64)
    heading: float = param(90.0, "Start direction in degrees (0 = right, 90 = up).")
    step_decay: float = param(1.0, "Step length factor per branch depth ([ ... ]).", min=0.05, max=2.0)
    width: float = param(5.0, "Line width of the trunk (canvas units).", min=0.01)
    width_decay: float = param(0.7, "Line width factor per branch depth.", min=0.05, max=2.0)
    angle_jitter: float = param(5.0, "Random change of each turn, +- degrees (seeded).", min=0.0, max=90.0)
    colors: tuple[str, ...] = param(
        ("#3b2a1e", "#4f6b2a", "#7fa14a", "#b9cf6a"), "Colour ramp from trunk (depth 0) to the finest branches."
    )
    background: str = param("#f6f1e4", "Background colour.")
    max_segments: int = param(
        5_000_000, "Refuse systems that would draw more segments than this (memory guard).", min=1
    )


@dataclass(frozen=True)
class MondrianConfig(OutputSettings):
    """Recursive subdivision with weighted splits, primary fills and black lines (after Mondrian)."""

    aspect: float = param(1.0, "Width / height of the canvas.", min=0.2, max=5.0)
    depth: int = param(6, "Deepest subdivision.", min=0, max=16)
    min_cell: float = param(70.0, "Smallest cell side (canvas units).", min=1.0)
    stop: float = param(0.18, "Chance per level that a cell stops splitting early.", min=0.0, max=1.0)
    grid: int = param(48, "Split lines snap to this many steps across the canvas (0: free).", min=0)
    colors: tuple[str, ...] = param(
        ("#f3efe6", "#c8281e", "#1d3b8f", "#f1c21b", "#161616"), "Fill colours: white, red, blue, yellow, black."
    )
    weights: tuple[float, ...] = param((0.64, 0.12, 0.1, 0.1, 0.04), "Relative frequency of each fill.", min=0.0)
    line_color: str = param("#161616", "Colour of the lines.")
    line_width: float = param(11.0, "Line width (canvas units).", min=0.0)
    as_map: bool = param(
        False, "Write a semantic map for genart doodle: flat map_colors, no lines, no antialiasing."
    )
    map_colors: tuple[str, ...] = param(
        ("#ffffff", "#ff331f", "#0000ff", "#00ff00", "#c00000"),
        "Map colour of each fill colour with --as-map (default: the colours of the Monet/Coastline maps).",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.weights) != len(self.colors) or len(self.map_colors) != len(self.colors):
            raise ConfigError(
                f"colors, weights and map_colors need one entry each: got {len(self.colors)}, "
                f"{len(self.weights)} and {len(self.map_colors)}"
            )
        if not any(w > 0 for w in self.weights):
            raise ConfigError("weights: at least one fill needs a weight above 0")


@dataclass(frozen=True)
class RidgelinesConfig(OutputSettings):
    """Stacked noisy profiles with hidden lines removed, after Joy Division's Unknown Pleasures."""

    rows: int = param(64, "Number of ridges.", min=2, max=2000)
    samples: int = param(320, "Points across each ridge.", min=8, max=20000)
    aspect: float = param(0.78, "Width / height of the canvas.", min=0.2, max=5.0)
    amplitude: float = param(7.0, "Highest peak, in row spacings.", min=0.0)
    spread: float = param(0.2, "Half-width of the active middle band (share of the width).", min=0.01, max=1.0)
    roughness: float = param(0.5, "Small-scale noise relative to the peaks.", min=0.0, max=4.0)
    data: str | None = param(
        None, "Ridges from data: a greyscale image (one ridge per row band) or a CSV of rows.", path=True
    )
    width: float = param(1.7, "Line width (canvas units).", min=0.01)
    color: str = param("#f2efe6", "Line colour.")
    background: str = param("#0b0b0c", "Background colour (also the colour that hides lines).")


@dataclass(frozen=True)
class AttractorConfig(OutputSettings):
    """A strange attractor's orbit density: Clifford, de Jong, or your own map (safe formulas)."""

    kind: str = param("clifford", "Map: clifford, dejong or custom (formula_x/formula_y).",
                      choices=("clifford", "dejong", "custom"))  # fmt: skip
    a: float = param(-1.4, "Parameter a.")
    b: float = param(1.6, "Parameter b.")
    c: float = param(1.0, "Parameter c.")
    d: float = param(0.7, "Parameter d.")
    formula_x: str = param("sin(a*y) + c*cos(a*x)", "Custom map, next x (uses x, y, a, b, c, d).")
    formula_y: str = param("sin(b*x) + d*cos(b*y)", "Custom map, next y.")
    vary: float = param(
        0.1, "Each seed moves a, b, c, d by up to this much (0: exactly these parameters).", min=0.0, max=2.0
    )
    points: int = param(20_000_000, "Orbit points to plot (e.g. 1e8).", min=1000, max=10**11)
    burn_in: int = param(64, "Steps each trajectory runs before it is plotted.", min=0)
    colormap: str = param("ember", "Colour ramp from empty to densest.", choices=COLORMAPS)
    gamma: float = param(0.85, "Tone curve after the log mapping (<1 brightens faint parts).", min=0.05, max=5.0)
    supersample: int = param(1, "Histogram cells per output pixel along each axis (2: smoother, slower).", min=1, max=4)


@dataclass(frozen=True)
class FlowfieldConfig(OutputSettings):
    """Particles traced through a gradient-noise field, optionally never crossing."""

    lines: int = param(2400, "Particles started (lines drawn, before collisions).", min=1)
    steps: int = param(160, "Steps per particle in each direction.", min=1)
    step: float = param(2.5, "Step length (canvas units).", min=0.01)
    aspect: float = param(0.75, "Width / height of the canvas.", min=0.2, max=5.0)
    noise_scale: float = param(2.2, "Noise features across the canvas.", min=0.01)
    octaves: int = param(2, "Noise octaves.", min=1, max=8)
    turbulence: float = param(1.6, "Angle range of the field in half turns.", min=0.0)
    avoid: bool = param(True, "Stop lines before they touch another (even spacing).")
    separation: float = param(7.0, "Smallest distance between lines with --avoid (canvas units).", min=0.5)
    min_points: int = param(8, "Drop lines shorter than this many points.", min=2)
    palette: str = param("sunset", "Colour palette.", choices=PALETTES)
    colors: tuple[str, ...] = param((), "Line colours (overrides palette).")
    widths: tuple[float, ...] = param((1.2, 2.4, 4.0), "Line widths picked at random (canvas units).", min=0.01)
    background: str = param("#f4efe3", "Background colour.")


CONFIGS: dict[str, type] = {
    "lsystem": LsystemConfig,
    "mondrian": MondrianConfig,
    "ridgelines": RidgelinesConfig,
    "attractor": AttractorConfig,
    "flowfield": FlowfieldConfig,
}
