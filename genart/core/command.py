"""What a command is: the declaration each ``genart/commands/<name>/command.py`` makes.

A :class:`Command` says which config dataclass holds the command's settings, what its
jobs are made from (:class:`Inputs`), what it writes (:class:`Output`), the options it
adds to the shared ones, how its typed :class:`~genart.core.session.Session` is built
from the parsed options, and where its :class:`~genart.engine.runner.Runner` lives (the
part that loads a model once and processes one job). Everything here is torch-free:
``genart --help`` reads these declarations.

Example (a complete command; ``genart.registry`` lists its module)::

    @dataclass(frozen=True)
    class NoiseConfig:
        seed: int = param(0, "Random seed.")

    COMMAND = Command(
        name="noise",
        config=NoiseConfig,
        runner="genart.commands.noise.runner:NoiseRunner",
        summary="Random noise images.",
        inputs=Inputs.SEEDS,
    )
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import click

    from ..engine.batch import Item, Job
    from .session import Session

__all__ = ["Command", "Inputs", "Output", "IMAGE_FORMATS", "VIDEO_FORMATS", "default_extension"]

IMAGE_FORMATS = ("png", "jpg", "webp", "tiff", "bmp")
# Output formats of commands that take videos (Inputs.MEDIA): genart.video.OUTPUT_KINDS.
VIDEO_FORMATS = ("mp4", "webm", "mov", "mkv", "gif")


class Inputs(enum.Enum):
    """What a command's jobs are made from."""

    FILES = "files"  # IMAGES...: files, folders, globs, - (stdin); at least one
    MEDIA = "media"  # as FILES, where videos count too (told apart by content; genart.engine.media)
    SEEDS = "seeds"  # nothing but seeds: --count N jobs from --seed S on
    CUSTOM = "custom"  # the command's own ``items`` function plans them


@dataclass(frozen=True)
class Output:
    """What a command writes for each job, and how outputs are named by default."""

    template: str = "{stem}"  # the default --name-template (folder mode)
    formats: tuple[str, ...] = IMAGE_FORMATS  # --format choices; the first is the default
    stdout: bool = True  # -o - is allowed
    folder: bool = False  # each job writes a folder: -o names it (default: the template)


@dataclass(frozen=True)
class Command:
    """One genart command, as the registry, the CLI, presets and docs see it.

    Args:
        name: the command's name; ``"rules/lsystem"`` is ``genart rules lsystem`` (its
            presets live in ``presets/rules/lsystem/``).
        config: the frozen config dataclass holding every setting and its default.
        runner: ``"module:Class"`` of its :class:`~genart.engine.runner.Runner`, imported
            only when a run starts (it may import torch).
        summary: one line for ``genart --help``.
        help: the command's ``--help`` text (examples welcome; ``\\b`` keeps lines).
        inputs: what jobs are made from.
        input_metavar: how the positional inputs are shown (``IMAGES...``).
        output: what each job writes, or None (results go to stdout, e.g. classify).
        options: command-specific click parameters (beyond the config's fields and the
            shared options).
        session: builds the command's typed session from the shared one and the parsed
            options; torch-free, runs before anything heavy, may raise UsageError.
        items: ``(session, options) -> list[Item]``: plans the items (required for
            ``Inputs.CUSTOM``; for FILES or MEDIA, replaces the default reading of inputs).
        variants: ``session -> list of template-field dicts``, one output per item and
            variant (e.g. one per style); default: one variant.
        extension: ``(session, item, output) -> ".png"``: the suffix of folder-mode output
            names; default: from ``--format`` or the output's suffix, else the first format.
        check: ``(session, jobs) -> None``: checks before anything heavy is loaded
            (sizes, memory, stdout); raises UsageError.
        report: ``(session, json_lines) -> callback``: writes results to stdout from the
            ItemFinished events; default: one JSON object per job with ``--json``.
        api: names this command adds to ``genart``'s public API, ``name -> "module:attr"``.
        compute: the command computes with a model on a device: it takes --device,
            --threads, --offline and --web. False for rules and the commands that arrange
            files (sheet, gallery).
        batch: its jobs may be spread over shards and executors (--shard, --executor).
            False for commands that make one thing of one folder (sheet, gallery).
    """

    name: str
    config: type
    runner: str
    summary: str
    help: str = ""
    inputs: Inputs = Inputs.FILES
    input_metavar: str = "IMAGES..."
    output: Output | None = field(default_factory=Output)
    options: Sequence["click.Parameter"] = ()
    session: Callable[["Session", Mapping[str, Any]], "Session"] | None = None
    items: Callable[["Session", Mapping[str, Any]], "list[Item]"] | None = None
    variants: Callable[["Session"], "list[dict[str, Any]]"] | None = None
    extension: Callable[["Session", "Item", str | None], str] | None = None
    check: Callable[["Session", "list[Job]"], None] | None = None
    report: Callable[["Session", bool], Any] | None = None
    api: Mapping[str, str] = field(default_factory=dict)
    compute: bool = True
    batch: bool = True

    @property
    def words(self) -> tuple[str, ...]:
        """The command as typed after ``genart``: ``("rules", "lsystem")``."""
        return tuple(self.name.split("/"))


def default_extension(session: "Session", output: str | None, formats: Sequence[str] = IMAGE_FORMATS) -> str:
    """The suffix of folder-mode outputs: ``--format``, else the output file's own suffix,
    else the command's first format."""
    from pathlib import Path

    if session.image_format:
        return "." + session.image_format
    if output and output != "-" and Path(output).suffix and not Path(output).is_dir():
        return Path(output).suffix
    return "." + formats[0]
