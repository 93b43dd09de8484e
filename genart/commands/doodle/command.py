"""``genart doodle``: how Neural Doodle plugs into genart (no torch here).

Each input is a doodle (a target map) to paint; with ``--content`` and no doodles the
content photo is the input, and with neither the style is synthesised as a texture.
Maps follow the original tool's convention: ``X_sem.png`` beside ``X.jpg`` is X's map.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import click

from ...core.budget import OVERHEAD, feature_bytes, image_bytes
from ...core.command import Command, Inputs, Output
from ...core.errors import UsageError
from ...core.session import Session
from ...engine import batch
from ...engine.checks import check_output_size, file_sizes, input_sizes, naming, registered_spec
from .checks import check_sizes, required_layers
from .config import DoodleConfig

__all__ = ["COMMAND", "DoodleSession"]


@dataclass(kw_only=True)
class DoodleSession(Session):
    """A doodle run: the painting, the maps and the content shared by every job."""

    style: str
    style_map: str | None = None
    content: str | None = None
    content_map: str | None = None
    targets: bool = True  # the jobs' items are doodles (target maps)


def sem_beside(path: str | None) -> str | None:
    """``X_sem.png`` next to ``X.jpg`` when it exists (the neural-doodle convention)."""
    if not path:
        return None
    candidate = Path(path).with_name(Path(path).stem + "_sem.png")
    return str(candidate) if candidate.is_file() else None


def _doodles(options: Mapping[str, Any]) -> list[str]:
    return list(options.get("inputs") or ()) + list(options.get("target_maps") or ())


def _session(base: Session, options: Mapping[str, Any]) -> DoodleSession:
    style, content, content_map = options.get("style"), options.get("content"), options.get("content_map")
    if not style:
        raise UsageError("--style: the painting to take textures from is needed (-s FILE)")
    doodles = _doodles(options)
    if doodles and content_map:
        raise UsageError("--content-map describes --content; give doodles or a content map, not both")
    return DoodleSession(
        **base.shared(), style=style, style_map=options.get("style_map") or sem_beside(style),
        content=content, content_map=content_map or (sem_beside(content) if content and not doodles else None),
        targets=bool(doodles),
    )


def _items(session: DoodleSession, options: Mapping[str, Any]) -> list[batch.Item]:
    return batch.collect_inputs(_doodles(options) or [session.content or session.style])


def estimate_memory(config: DoodleConfig, spec: Any, height: int, width: int, *, content: bool) -> float:
    """Estimated peak bytes of the last (largest) phase of a doodle ``height`` x ``width``."""
    layers = spec.layers()
    order = [info.name for info in layers]
    wanted = required_layers(config, content=content)
    per_pixel = feature_bytes(layers, max((spec.layer(n).name for n in wanted), key=order.index))
    pixels = height * width
    # The output with gradients, the style at the same size without, the optimiser's
    # images (L-BFGS history of 10) and one chunk of patch-matching scores.
    return OVERHEAD * (per_pixel * pixels * 1.5 + config.chunk_mb * 2**20) + image_bytes(26) * pixels


def _check(session: DoodleSession, jobs: list[batch.Job]) -> None:
    """Every output within --max-pixels and the machine's memory, before any work."""
    cfg = session.config
    spec = registered_spec(cfg.model)
    shared = file_sizes([session.style, session.content], session.max_pixels)
    style = shared.get(session.style)
    content = shared.get(session.content) if session.content else None
    if spec is not None and style is not None:
        with naming(session.style):
            check_sizes(cfg, spec, style=style[::-1])
    sizes = input_sizes(jobs, session.max_pixels)
    if not session.targets:  # the output takes the content's (or the style's) shape
        reference = session.content or session.style
        sizes = {reference: shared[reference]} if reference in shared else {}
    for path, (w, h) in sizes.items():
        if spec is not None:
            with naming(path):
                target = (h, w) if session.targets else None
                check_sizes(cfg, spec, style=style[::-1] if style else None, target=target,
                            content=content[::-1] if content else None)
        estimate = (lambda oh, ow: estimate_memory(cfg, spec, oh, ow, content=bool(session.content))) if spec else None
        check_output_size(session, f"the doodle of {path}", (h, w), cfg.size, estimate)


COMMAND = Command(
    name="doodle",
    config=DoodleConfig,
    runner="genart.commands.doodle.runner:DoodleRunner",
    summary="Neural Doodle: paint colour-coded maps with a painting's textures.",
    help="""Paint DOODLES (colour-coded maps) with the textures of the --style painting.

    \b
    genart doodle Coastline_sem.png --style Monet.jpg -o coastline.png
    genart doodle --target-map Landscape_sem.png -s Renoir.jpg --style-map Renoir_sem.png
    genart doodle -s Monet.jpg --content photo.jpg --auto-map -o restyled.png
    genart doodle -s Monet.jpg --mode gram --preset fast -o texture.png   # no maps: a texture
    genart doodle Coastline_sem.png -s Monet.jpg --preset vgg19-partial \\
        --weights ../shared/weights/vgg19-caffe-conv1_1-conv3_4.pth -o out.png
    """,
    inputs=Inputs.CUSTOM,
    input_metavar="[DOODLES]...",
    output=Output(template="{stem}_{style}"),
    options=(
        click.Option(["--style", "-s", "style"], metavar="FILE", help="The painting to take textures from."),
        click.Option(["--style-map"], metavar="FILE", help="The painting's map (default: <style>_sem.png if it exists)."),
        click.Option(["--target-map", "target_maps"], multiple=True, metavar="FILE",
                     help="A doodle to paint (same as a DOODLES argument); repeatable."),
        click.Option(["--content"], metavar="FILE", help="A photo whose layout the output keeps."),
        click.Option(["--content-map"], metavar="FILE", help="The content's map (default: <content>_sem.png if it exists)."),
    ),
    session=_session,
    items=_items,
    check=_check,
    variants=lambda session: [{"style": Path(session.style).stem}],
    api={"doodle": "genart.commands.doodle.algorithm:doodle", "DoodleConfig": "genart.commands.doodle.config:DoodleConfig"},
)
