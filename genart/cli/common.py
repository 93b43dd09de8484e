"""The options every command shares, and the one run loop behind every command.

:func:`run_command` takes a registered :class:`~genart.core.command.Command` and its
parsed options: it resolves the settings (``--print-config`` stops there), builds the
command's typed session, plans the jobs, checks them, and runs them with the progress
display and the result writers listening to the same events. Nothing here imports torch.
"""
from __future__ import annotations

import contextlib
import json
import sys
from typing import Any, Callable, Iterator, Mapping, Sequence

import click

from ..engine import batch
from ..engine.shards import parse_shard, select
from ..core.command import Command, Inputs, default_extension
from ..core.errors import ExitCode, UsageError
from ..core.events import BatchFinished, ItemFinished
from ..presets import format_config, resolve
from ..core.session import Session

__all__ = ["EXIT_HELP", "common_params", "input_params", "output_params", "run_command"]

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


def common_params(command: Command) -> list[click.Parameter]:
    """--preset, --print-config, --json, -q, -v; for commands that compute, also
    --device, --threads, --offline, --web and --sheet; for batch commands (rules too), the
    cluster options."""
    params = [
        click.Option(["--preset", "-p"], metavar="NAME|FILE", help="Preset name (see `genart presets list`) or YAML file."),
        click.Option(["--print-config"], is_flag=True, help="Print the final settings and where each came from, then exit."),
        click.Option(["--json", "json_lines"], is_flag=True, help="Write one JSON object per input to stdout (JSON Lines)."),
        click.Option(["-q", "--quiet"], is_flag=True, help="Print only errors."),
        click.Option(["-v", "--verbose"], is_flag=True, help="Print more detail."),
    ]
    if command.compute:
        split = [click.Option(["--split-shots/--no-split-shots"], default=None,
                              help="Videos: render each shot as a job of its own and join them (default: with "
                              "--executor ray, so that shots run in parallel).")] if command.inputs is Inputs.MEDIA else []
        params += [
            *split,
            click.Option(["--device"], type=click.Choice(DEVICES), default="auto", show_default=True, help="Where to compute."),
            click.Option(["--threads"], type=click.IntRange(min=1), default=None,
                         help="CPU threads for the computation (default: the cores other programs leave free, re-checked as it runs)."),
            click.Option(["--offline"], is_flag=True, default=None, help="Never use the network (also GENART_OFFLINE=1)."),
            *view_params(command),
        ]
    if command.batch:
        params += cluster_params()
    return params


def view_params(command: Command) -> list[click.Parameter]:
    """--web (a live page of the run) and, for commands that write images, --sheet."""
    params = [
        click.Option(["--web"], is_flag=True, help="Serve a live page of the run on 127.0.0.1 (pip install 'genart[web]')."),
        click.Option(["--web-port"], type=click.IntRange(min=0, max=65535), default=0,
                     help="The live page's port (default: a free one)."),
        click.Option(["--web-host"], metavar="HOST", default="127.0.0.1", show_default=True,
                     help="Where the live page listens; anything but loopback is reachable from the network."),
    ]
    if command.output is not None and not command.output.folder:
        params.append(click.Option(["--sheet"], metavar="FILE.png",
                                   help="After the batch, write a contact sheet of its outputs (inputs x styles)."))
    return params


def cluster_params() -> list[click.Parameter]:
    """--shard, --executor and the Ray executor's options."""
    from ..engine.executors import EXECUTORS

    return [
        click.Option(["--shard"], metavar="I/N|auto",
                     help="Run only shard I of N (0-based) of the batch; auto reads a Slurm array or a "
                     "Kubernetes Indexed Job from the environment."),
        click.Option(["--executor"], type=click.Choice(tuple(EXECUTORS)), default="local", show_default=True,
                     help="Where the batch runs: this process, or a Ray cluster (pip install 'genart[ray]')."),
        click.Option(["--ray-address"], metavar="ADDRESS",
                     help="The Ray cluster (default: $RAY_ADDRESS, else a local one)."),
        click.Option(["--workers"], type=click.IntRange(min=1), help="Ray workers (default: one per CPU)."),
        click.Option(["--gpus-per-worker"], type=click.FloatRange(min=0), default=0.0, show_default=True,
                     help="GPUs each Ray worker reserves (fractions share a GPU)."),
    ]


def input_params(command: Command) -> list[click.Parameter]:
    """The positional inputs (not required by click, so --print-config needs none),
    -r and --max-pixels; --count for commands made from seeds."""
    if command.inputs is Inputs.SEEDS:
        return [click.Option(["--count", "-n"], type=click.IntRange(min=1), default=1, show_default=True,
                             help="How many outputs to make, with seeds --seed, --seed + 1, ...")]
    argument = click.Argument(["inputs"], nargs=-1, required=False, metavar=command.input_metavar)
    if not command.compute:  # commands over folders of outputs (their configs say how to scan)
        return [argument]
    return [
        argument,
        click.Option(["-r", "--recursive"], is_flag=True, help="Descend into sub-folders of folder inputs."),
        click.Option(["--max-pixels"], type=click.IntRange(min=1), default=DEFAULT_MAX_PIXELS, show_default=True,
                     help="Refuse larger images (decompression-bomb guard); may be raised, never removed."),
    ]


def output_params(command: Command) -> list[click.Parameter]:
    """-o, --name-template, --format, --overwrite, for commands that write files."""
    out = command.output
    if out is None:
        return []
    if out.folder:
        return [click.Option(["-o", "--output"], metavar="DIR",
                             help=f"The folder to write (default: {out.template.replace('{stem}', 'DIR')}).")]
    return [
        click.Option(["-o", "--output"], metavar="FILE|DIR|-" if out.stdout else "FILE|DIR",
                     help="Output file, folder (mirrors the inputs)" + (" or - for stdout" if out.stdout else "")
                     + ". Default: the current folder."),
        click.Option(["--name-template"], default=out.template, show_default=True,
                     help="Output file names in folder mode; fields {stem} {ext} {parent} {index}, "
                     "plus the command's own."),
        click.Option(["--format", "image_format"], type=click.Choice(out.formats),
                     help=f"Output format (default: from the extension, else {out.formats[0]})." if command.inputs
                     is not Inputs.MEDIA else "Output format of the items of its kind: an image format for images "
                     "(default png), a video format for videos (default: the input's container, else mp4)."),
        click.Option(["--overwrite"], is_flag=True, help="Replace existing outputs (a batch otherwise skips them)."),
    ]


# ------------------------------------------------------------------------------- run
def make_session(command: Command, options: Mapping[str, Any]) -> Session | None:
    """Resolve the settings from the parsed options; print them for --print-config and
    return None. Only config options the user actually gave count as flags."""
    from .options import given_flags

    flags = given_flags(command.config, options)
    resolved = resolve(command.name, preset=options.get("preset"), flags=flags)
    if options.get("print_config"):
        click.echo(format_config(resolved))
        return None
    return Session(
        command=command.name, config=resolved.config, sources=resolved.sources,
        preset=resolved.preset.name if resolved.preset else None,
        device=options.get("device") or "auto", offline=options.get("offline"),
        max_pixels=options.get("max_pixels"), image_format=options.get("image_format"),
        overwrite=bool(options.get("overwrite")), threads=options.get("threads"),
    )


def plan(command: Command, session: Session, options: Mapping[str, Any]) -> list[batch.Job]:
    """The command's jobs: items x variants, each with its output path."""
    output = options.get("output")
    if command.inputs is Inputs.SEEDS:
        items = batch.seed_items(options["count"], first_seed=session.config.seed, prefix=command.words[-1])
    elif command.items is not None:
        items = command.items(session, options)
    else:
        items = batch.file_items(options, command.input_metavar, media=command.inputs is Inputs.MEDIA)
    variants = command.variants(session) if command.variants else [{}]
    if command.output is None:
        return [batch.Job(item, None, dict(v)) for item in items for v in variants]
    if command.output.folder:  # the job's output is a folder of its own (a gallery)
        return [batch.Job(item, output or command.output.template.format(**item.fields), dict(v))
                for item in items for v in variants]
    if output == batch.STDIO and sys.stdout.isatty():
        raise UsageError("-o -: refusing to write image data to a terminal; redirect stdout or use -o FILE")

    def extension(item: batch.Item) -> str:
        if command.extension is not None:
            return command.extension(session, item, output)
        return default_extension(session, output, command.output.formats)

    return batch.plan_jobs(items, output=output, template=options["name_template"], extension=extension, variants=variants)


def run_command(command: Command, options: dict[str, Any]) -> int:
    """Everything ``genart <command> ...`` does after parsing; returns the exit code."""
    session = make_session(command, options)
    if session is None:
        return ExitCode.OK
    if options.get("executor") == "ray":
        from ..engine.ray import require_ray

        require_ray()  # before anything else: exit 2 with the install line
    if options.get("web"):
        from ..web import require_web

        require_web()
    if command.session is not None:
        session = command.session(session, options)
    jobs = plan(command, session, options)
    shard = parse_shard(options.get("shard"))
    if shard is not None:
        jobs = select(jobs, *shard)
    if command.check is not None:
        command.check(session, jobs)
    from ..core.progress import Display
    from ..engine.executors import execute

    display = Display(quiet=options.get("quiet", False), verbose=options.get("verbose", False))
    report = command.report(session, bool(options.get("json_lines"))) if command.report else None
    if report is None and options.get("json_lines"):
        report = JsonLines()
    split = shot_split(command, session, options)
    with display, live_view(options, display) as view:
        views = [display] + ([view] if view is not None else [])
        if split is not None:
            jobs = split.jobs(jobs)
            callback = split.callback(fan_out(views), report)
        else:
            callback = fan_out(views + ([report] if report is not None else []))
        summary = execute(
            options.get("executor") or "local", session, jobs, command.runner, callback,
            address=options.get("ray_address"), workers=options.get("workers"),
            gpus_per_worker=options.get("gpus_per_worker"),
        )
        if split is not None:
            summary = split.join(summary)
    if options.get("sheet"):
        write_sheet(options["sheet"], summary, display)
    return int(summary.exit_code)


def shot_split(command: Command, session: Session, options: Mapping[str, Any]) -> Any:
    """The ShotSplit that runs videos' shots as jobs of their own (--split-shots, on by
    default with --executor ray), or None."""
    wanted = options.get("split_shots")
    if wanted is None:
        wanted = options.get("executor") == "ray" and not options.get("shard")
    if not wanted or command.inputs is not Inputs.MEDIA:
        return None
    if options.get("shard"):
        raise UsageError("--split-shots cannot be combined with --shard: the shots of a video are joined by "
                         "the run that renders them (use --executor ray to spread them)")
    from ..engine.segments import ShotSplit

    return ShotSplit(session)


@contextlib.contextmanager
def live_view(options: Mapping[str, Any], display: Any) -> Iterator[Any]:
    """With --web: the live page, started before anything loads and closed after the run
    (open pages get the final state first)."""
    if not options.get("web"):
        yield None
        return
    from ..web import LiveView

    view = LiveView(host=options.get("web_host") or "127.0.0.1", port=options.get("web_port") or 0)
    if view.warning:
        display.warning(view.warning)
    display.info(f"live view: {view.start()}")
    try:
        yield view
    finally:
        view.close()
        if view.error:
            display.warning(f"the live view stopped following the run: {view.error}")


def write_sheet(dest: str, summary: batch.Summary, display: Any) -> None:
    """--sheet: one image of the batch's outputs (those written now and those skipped)."""
    from ..commands.sheet import SheetConfig, contact_sheet, entries_from_files, save_sheet

    from ..video import is_video

    paths = [o.job.output for o in summary.outcomes
             if o.status in ("ok", "skipped") and o.job.output not in (None, batch.STDIO) and not is_video(o.job.output)]
    if not paths:
        display.warning(f"{dest}: no outputs to put on a contact sheet")
        return
    save_sheet(contact_sheet(entries_from_files(paths), SheetConfig()), dest)
    display.info(f"wrote {dest}")


def fan_out(listeners: Sequence[Callable[[Any], None]]) -> Callable[[Any], None]:
    """One event callback that hands each event to every listener, in order."""

    def callback(event: Any) -> None:
        for listener in listeners:
            listener(event)

    return callback


class JsonLines:
    """``--json``: one JSON object per finished job on stdout."""

    def __call__(self, event: Any) -> None:
        if isinstance(event, ItemFinished):
            click.echo(json.dumps(event.record()))
        elif isinstance(event, BatchFinished):
            sys.stdout.flush()
