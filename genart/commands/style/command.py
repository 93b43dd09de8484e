"""``genart style``: how neural style transfer plugs into genart (no torch here).

The typed session holds the style variants: one output per ``--style`` option, each a
single image or a blend of several (``-s a.jpg,b.jpg``), with optional masks. The runner
(:mod:`genart.commands.style.runner`) loads the backbone and every style image once.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import click

from ...core.budget import OVERHEAD, feature_bytes, image_bytes
from ...core.command import IMAGE_FORMATS, VIDEO_FORMATS, Command, Inputs, Output
from ...core.errors import UsageError
from ...core.session import Session
from ...engine import batch
from ...engine.checks import check_output_size, input_sizes, naming, registered_spec
from ...engine.media import check_video_jobs, media_extension
from .checks import check_sizes, required_layers
from .config import StyleConfig

__all__ = ["COMMAND", "StyleSession", "StyleVariant", "style_variants"]


@dataclass(frozen=True)
class StyleVariant:
    """One output style: its image paths (a blend when several), masks and name."""

    name: str
    paths: tuple[str, ...]
    masks: tuple[str | None, ...]


@dataclass(kw_only=True)
class StyleSession(Session):
    """A style run: the shared settings plus the style variants."""

    styles: tuple[StyleVariant, ...] = ()

    def style(self, job: batch.Job) -> StyleVariant:
        """The variant a job paints with."""
        return next(v for v in self.styles if v.name == job.variant["style"])


def style_variants(styles: Sequence[str], masks: Sequence[str]) -> list[StyleVariant]:
    """One variant per ``--style`` option (a folder or glob gives one per image)."""
    if masks and len(masks) != len(styles):
        raise UsageError(f"--style-mask: given {len(masks)} times for {len(styles)} --style options")
    out: list[StyleVariant] = []
    for i, spec in enumerate(styles):
        parts = [p.strip() for p in spec.split(",") if p.strip()]
        mask_parts = [m.strip() for m in masks[i].split(",")] if masks else []
        if mask_parts and len(mask_parts) != len(parts):
            raise UsageError(f"--style-mask {masks[i]}: {len(mask_parts)} masks for {len(parts)} style images")
        if len(parts) == 1 and not mask_parts:
            out += [_variant([item.path], [None]) for item in batch.collect_inputs([parts[0]])]
            continue
        out.append(_variant(parts, [None if m.lower() == "none" else m for m in mask_parts] or [None] * len(parts)))
    names = [v.name for v in out]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise UsageError(f"--style: two styles share the name {duplicate!r}; rename one file")
    return out


def _variant(paths: list[str], masks: list[str | None]) -> StyleVariant:
    return StyleVariant("+".join(Path(p).stem for p in paths), tuple(paths), tuple(masks))


def _session(base: Session, options: Mapping[str, Any]) -> StyleSession:
    if not options.get("styles"):
        raise UsageError("--style: at least one style image is needed (-s FILE)")
    if base.config.init == "image" and not base.config.init_image:
        raise UsageError("--init image needs --init-image FILE")
    return StyleSession(**base.shared(), styles=tuple(style_variants(options["styles"], options["style_masks"])))


# Context around each tile (px): the algorithm's TILE_MARGIN (tests/test_style.py keeps
# the two equal; the algorithm module imports torch, this one must not).
TILE_CONTEXT = 64


def estimate_memory(config: StyleConfig, spec: Any, height: int, width: int) -> float:
    """Estimated peak bytes of a style transfer whose output is ``height`` x ``width``."""
    layers = spec.layers()
    order = [info.name for info in layers]
    wanted = [spec.layer(n).name for n in required_layers(config)]
    per_pixel = feature_bytes(layers, max(wanted, key=order.index))
    pixels = height * width
    crop = (config.tile_size + 2 * TILE_CONTEXT) ** 2
    tiled = bool(config.tile_size) and max(height, width) > config.tile_size
    style_pixels = pixels * config.style_scale**2
    style_tiled = bool(config.tile_size) and max(height, width) * config.style_scale > config.tile_size
    content = sum(spec.layer(n).channels / spec.layer(n).stride ** 2 for n in config.content_layers) * 4
    features = (
        per_pixel * (min(pixels, crop) if tiled else pixels)
        + per_pixel / 2 * (min(style_pixels, crop) if style_tiled else style_pixels)  # no gradient kept
        + content * pixels
    )
    # L-BFGS keeps 2 x history images; the image, its gradient, start and direction add ~6.
    return OVERHEAD * features + image_bytes(2 * config.history_size + 6) * pixels


def _check(session: StyleSession, jobs: list[batch.Job]) -> None:
    """Every output within --max-pixels and the machine's memory, and every video's output
    and frame range, before any work."""
    cfg = session.config
    check_video_jobs(session, jobs)
    spec = registered_spec(cfg.model)
    for path, (w, h) in input_sizes(jobs, session.max_pixels).items():
        if spec is not None:
            with naming(path):
                check_sizes(cfg, spec, content=(h, w))
        estimate = (lambda oh, ow: estimate_memory(cfg, spec, oh, ow)) if spec else None
        check_output_size(session, f"the output for {path}", (h, w), cfg.size, estimate)


COMMAND = Command(
    name="style",
    config=StyleConfig,
    runner="genart.commands.style.runner:StyleRunner",
    summary="Paint images and videos in the style of others (neural style transfer).",
    help="""Paint IMAGES and VIDEOS (files, folders, globs or -) in the style of --style images.

    A video comes back as a video (same frame rate, sound kept), steady from frame to
    frame: each frame starts from the previous one warped by the optical flow and a
    temporal loss keeps it there (--temporal-weight; 0 styles frames independently).

    \b
    genart style photo.jpg --style starry.jpg -o out.png
    genart style photos/ -s starry.jpg -s scream.jpg -o styled/   # every photo x every style
    genart style photo.jpg -s a.jpg,b.jpg --style-blend-weights 3,1 -o blend.png
    genart style photo.jpg -s starry.jpg --preset preview --color preserve -o quick.png
    genart style photo.jpg -s starry.jpg --no-pyramid --iterations 500 --size 512 -o single.png
    genart style photo.jpg -s starry.jpg --preset vgg19-partial \\
        --weights ../shared/weights/vgg19-caffe-conv1_1-conv3_4.pth -o out.png
    genart style clip.mp4 -s starry.jpg -o clip_starry.mp4
    genart style clip.mp4 -s starry.jpg --frame-range 0:96 --size 384 -o test.mp4
    genart style clips/ -s starry.jpg -o styled/      # folders mix videos and images
    """,
    inputs=Inputs.MEDIA,
    input_metavar="IMAGES|VIDEOS...",
    output=Output(template="{stem}_{style}", formats=(*IMAGE_FORMATS, *VIDEO_FORMATS)),
    extension=media_extension,
    options=(
        click.Option(["--style", "-s", "styles"], multiple=True, metavar="FILE[,FILE...]",
                     help="Style image(s). Repeat for one output per style; a comma-separated list is "
                     "blended into one style (see --style-blend-weights). Folders and globs expand to one "
                     "output per image."),
        click.Option(["--style-mask", "style_masks"], multiple=True, metavar="FILE[,FILE...]",
                     help="Masks (white = paint here), one per image of a --style blend, in order; 'none' "
                     "for a style that paints everywhere. Repeat to match repeated --style."),
    ),
    session=_session,
    variants=lambda session: [{"style": v.name} for v in session.styles],
    check=_check,
    api={
        "stylize": "genart.commands.style.algorithm:stylize",
        "StyleConfig": "genart.commands.style.config:StyleConfig",
        "TemporalTarget": "genart.commands.style.algorithm:TemporalTarget",
        "stylize_frame": "genart.commands.style.video:stylize_frame",
    },
)
