"""Options and the run loop every genart command shares.

A command module declares its options with the decorators here plus
``options.config_options(ConfigClass)``, then calls :func:`run_batch` with two callables:
``load(session)`` (loads the model once) and ``process(job, model, session)`` (does one
job and writes its output). Everything heavy is imported inside those callables.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import click

from .. import __version__
from ..core import batch
from ..core.config import to_dict
from ..core.errors import ExitCode, GenartError
from ..core.presets import Resolved, format_config, resolve

EXIT_HELP = """\b
Exit codes:
  0    success
  1    failure
  2    usage error (bad option, preset or setting)
  3    some items of a batch failed (the others were written)
  4    weights unavailable offline
  130  interrupted (no partial output is left)
"""
DEVICES = ("auto", "cpu", "cuda", "mps")
# The loader's default limit, repeated here so --help need not import PIL/numpy;
# tests/test_cli.py checks it equals genart.imageio.DEFAULT_MAX_PIXELS.
DEFAULT_MAX_PIXELS = 89_478_485


def _flag(*names: str, **kw: Any) -> Callable:
    return click.option(*names, **kw)


def common_options(func: Callable) -> Callable:
    """--preset, --print-config, --device, --offline, --json, -q, -v."""
    decorators = [
        _flag("--preset", "-p", metavar="NAME|FILE", help="Preset name (see `genart presets list`) or YAML file."),
        _flag("--print-config", is_flag=True, help="Print the final settings and where each came from, then exit."),
        _flag("--device", type=click.Choice(DEVICES), default="auto", show_default=True, help="Where to compute."),
        _flag("--offline", is_flag=True, default=None, help="Never use the network (also GENART_OFFLINE=1)."),
        _flag("--json", "json_lines", is_flag=True, help="Write one JSON object per input to stdout (JSON Lines)."),
        _flag("-q", "--quiet", is_flag=True, help="Print only errors."),
        _flag("-v", "--verbose", is_flag=True, help="Print more detail."),
    ]
    for deco in reversed(decorators):
        func = deco(func)
    return func


def input_options(func: Callable) -> Callable:
    """IMAGES..., -r, --max-pixels."""
    decorators = [
        click.argument("images", nargs=-1, required=True, metavar="IMAGES..."),
        _flag("-r", "--recursive", is_flag=True, help="Descend into sub-folders of folder inputs."),
        _flag(
            "--max-pixels",
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_PIXELS,
            show_default=True,
            help="Refuse larger images (decompression-bomb guard); may be raised, never removed.",
        ),
    ]
    for deco in reversed(decorators):
        func = deco(func)
    return func


def output_options(default_template: str) -> Callable:
    """-o, --name-template, --format, --overwrite, for commands that write images."""

    def decorate(func: Callable) -> Callable:
        decorators = [
            _flag(
                "-o",
                "--output",
                metavar="FILE|DIR|-",
                help="Output file, folder (mirrors the inputs) or - for stdout (PNG). "
                "Default: the current folder.",
            ),
            _flag(
                "--name-template",
                default=default_template,
                show_default=True,
                help="Output file names in folder mode; fields {stem} {ext} {parent} {index}, "
                "plus the command's own.",
            ),
            _flag(
                "--format",
                "image_format",
                type=click.Choice(("png", "jpg", "webp", "tiff", "bmp")),
                help="Output image format (default: from the extension, else png).",
            ),
            _flag("--overwrite", is_flag=True, help="Replace existing outputs (a batch otherwise skips them)."),
        ]
        for deco in reversed(decorators):
            func = deco(func)
        return func

    return decorate


# ---------------------------------------------------------------------------- session
@dataclass
class Session:
    """Everything a command's load/process callables need, built once per run."""

    command: str
    resolved: Resolved
    display: Any  # genart.core.progress.Display
    device_name: str
    offline: bool | None  # None: the weights layer reads GENART_OFFLINE
    max_pixels: int | None = None
    image_format: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def config(self) -> Any:
        return self.resolved.config

    @property
    def device(self) -> Any:
        from ..core.device import select_device

        return select_device(self.device_name)

    def load_backbone(self, **options: Any) -> Any:
        """The config's model and weights on the chosen device, loaded once per run."""
        from ..models import load_backbone

        cfg = self.config
        return load_backbone(
            cfg.model, weights=cfg.weights, device=self.device, offline=self.offline,
            callback=self.display, **options,
        )

    def metadata(self, job: batch.Job, **inputs: Any) -> dict[str, Any]:
        """What is recorded in every written image so the result can be reproduced."""
        return {
            "genart": __version__,
            "command": self.command,
            "argv": sys.argv[1:],
            "input": job.item.name,
            **({"variant": dict(job.variant)} if job.variant else {}),
            **inputs,
            "config": to_dict(self.config),
        }


def make_session(command: str, options: dict[str, Any], **extra: Any) -> Session | None:
    """Resolve settings from a command's parsed options (print them for --print-config,
    returning None).

    ``options`` is the command's click keyword arguments: the config-field options are
    popped from it (only those the user gave become flags); the shared options of
    :func:`common_options` and :func:`input_options` are read from it.
    """
    from ..configs import config_class
    from .options import given_flags

    flags = given_flags(config_class(command), options)
    resolved = resolve(command, preset=options["preset"], flags=flags)
    if options["print_config"]:
        click.echo(format_config(resolved))
        return None
    from ..core.progress import Display

    display = Display(quiet=options["quiet"], verbose=options["verbose"])
    return Session(
        command, resolved, display, options["device"], options["offline"],
        max_pixels=options.get("max_pixels"), **extra,
    )


def image_extension(output: str | None, image_format: str | None) -> str:
    if image_format:
        return "." + image_format
    if output and output != batch.STDIO and Path(output).suffix and not Path(output).is_dir():
        return Path(output).suffix
    return ".png"


def run_batch(
    session: Session,
    jobs: Sequence[batch.Job],
    *,
    load: Callable[[Session], Any],
    process: Callable[[batch.Job, Any, Session], Any],
    overwrite: bool,
    json_lines: bool,
) -> int:
    """Load the model once, run every job, report, and return the exit code."""
    display = session.display
    with display:
        model = load(session)
        display.start_batch(len(jobs))

        def on_start(index: int, job: batch.Job) -> None:
            display.start_item(index, len(jobs), job.item.name)

        def on_done(outcome: batch.Outcome) -> None:
            display.end_item(outcome.status, outcome.job.item.name, outcome.error, outcome.seconds)
            if json_lines:
                click.echo(json.dumps(outcome.as_json()))

        summary = batch.run_jobs(
            jobs,
            lambda job: process(job, model, session),
            overwrite=overwrite,
            on_start=on_start,
            on_done=on_done,
        )
    report_summary(display, summary)
    return int(summary.exit_code)


def load_input(session: Session, path: str) -> Any:
    """Load one input image (a LoadedImage), reporting its warnings."""
    from ..imageio import load_image

    image = load_image(path, max_pixels=session.max_pixels)
    for warning in image.warnings:
        session.display.warning(f"{image.source}: {warning}")
    return image


def save_result(
    session: Session, job: batch.Job, image: Any, *, alpha: Any = None, **inputs: Any
) -> dict[str, Any]:
    """Write a job's output atomically with its recorded parameters; returns its result."""
    from ..imageio import save_image

    fmt = session.image_format
    if job.output != batch.STDIO:
        Path(job.output).parent.mkdir(parents=True, exist_ok=True)
    warnings = save_image(
        image, job.output, alpha=alpha, format=fmt, metadata=session.metadata(job, **inputs)
    )
    for warning in warnings:
        session.display.warning(f"{job.output}: {warning}")
    height, width = image.shape[-2:]
    return {"width": int(width), "height": int(height)}


def job_events(session: Session, job: batch.Job) -> Callable[[Any], None]:
    """The event callback for one job: progress to the display, and ``Intermediate``
    images (``--save-every``) written beside the output as ``<stem>_<tag>.png``."""
    from ..core.events import Intermediate
    from ..imageio import save_image

    out = Path(job.output) if job.output not in (None, batch.STDIO) else None

    def callback(event: Any) -> None:
        session.display(event)
        if isinstance(event, Intermediate) and out is not None:
            save(event)

    def save(event: Any) -> None:
        dest = out.with_name(f"{out.stem}_{event.tag}{out.suffix or '.png'}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        save_image(event.image, str(dest), format=session.image_format, metadata=session.metadata(job, intermediate=event.tag))
        session.display.detail(f"wrote {dest}")

    return callback


def report_summary(display: Any, summary: batch.Summary) -> None:
    if summary.interrupted:
        display.error("interrupted; finished outputs are kept, no partial file was written")
    total = len(summary.outcomes)
    if total > 1 or summary.failed:
        parts = [f"{summary.count('ok')} done"]
        if summary.count("skipped"):
            parts.append(f"{summary.count('skipped')} skipped (exist)")
        if summary.failed:
            parts.append(f"{len(summary.failed)} failed")
        if total > 1:
            display.info(", ".join(parts))
        if summary.failed and total > 1:
            for o in summary.failed:
                display.error(f"{o.job.item.name}: {o.error}")


__all__ = [
    "ExitCode",
    "GenartError",
    "Session",
    "common_options",
    "image_extension",
    "input_options",
    "make_session",
    "output_options",
    "run_batch",
]
