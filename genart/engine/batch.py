"""The batch engine: inputs -> jobs -> outputs, with naming, resume and a summary.

Shared by every command. It never imports torch: it plans and runs jobs whose work is a
callable supplied by the command, and reports progress as events
(:mod:`genart.core.events`).

- Items are files, folders (``recursive`` descends), glob patterns and ``-`` (stdin);
  generated items (``seed_items``: one per seed, for commands that need no input file);
  and segments of a video (``Item.frames``). All follow the same naming, resume, summary
  and exit-code rules.
- Output is a file, a folder or ``-`` (stdout). In folder mode the input tree is mirrored
  and names follow a template checked before any work starts; collisions are found up
  front; an output folder inside a recursive input is left out of the inputs.
- A single output is never overwritten without ``overwrite``; a batch skips outputs that
  exist, so a re-run resumes.
"""
from __future__ import annotations

import glob
import os
import string
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..core.errors import ExitCode, GenartError, UsageError
from ..core.events import EventCallback, ItemFinished, ItemStarted, emit

STDIO = "-"
# Extensions picked up when scanning folders; files named explicitly are read whatever
# their extension (the image loader checks the content).
IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp"}
)
TEMPLATE_FIELDS_BASE = ("stem", "ext", "parent", "index")
TEMPLATE_FIELDS_ITEM = ("seed", "start", "end")  # only where the items supply them


@dataclass(frozen=True)
class Item:
    """One thing to work on: a file (or ``-``), a seed, or a segment of a video.

    ``rel`` names the output: its stem, and its parent folders, mirrored in folder mode.
    """

    path: str | None  # the file read; None for a generated item
    rel: Path
    kind: str = "file"  # "file"; "video" (a file whose content is a video, for commands that take
    # both: genart.engine.media.classify); "seed"; "generated"
    seed: int | None = None  # the seed of a generated item
    frames: tuple[int, int] | None = None  # a segment [start, end) of a video file

    @property
    def name(self) -> str:
        """How the item is shown to the user and in ``--json`` ("input")."""
        if self.kind == "seed":
            return f"seed {self.seed}"
        if self.path is None:  # another generated item: its name is its output's stem
            return self.rel.as_posix()
        base = "<stdin>" if self.path == STDIO else str(self.path)
        return f"{base}[{self.frames[0]}:{self.frames[1]}]" if self.frames else base

    @property
    def fields(self) -> dict[str, Any]:
        """The name-template fields this item supplies."""
        values: dict[str, Any] = {"stem": self.rel.stem, "ext": self.rel.suffix.lstrip("."), "parent": self.rel.parent.name}
        if self.seed is not None:
            values["seed"] = self.seed
        if self.frames is not None:
            values["start"], values["end"] = self.frames
        return values


@dataclass(frozen=True)
class Job:
    """One unit of work: an item, an optional variant (e.g. a style) and its output."""

    item: Item
    output: str | None  # a path, "-" for stdout, or None (no image output)
    variant: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """What happened to one job."""

    job: Job
    status: str  # "ok", "skipped", "failed"
    seconds: float = 0.0
    error: str | None = None
    result: Any = None
    code: ExitCode = ExitCode.FAILURE  # the failure's own exit code

    def as_json(self) -> dict[str, Any]:
        return {
            "input": self.job.item.name,
            "output": self.job.output,
            "status": self.status,
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "result": self.result,
            **({"variant": dict(self.job.variant)} if self.job.variant else {}),
        }


# ----------------------------------------------------------------------------- inputs
def collect_inputs(
    specs: Sequence[str], *, recursive: bool = False, exclude: Path | None = None,
    extensions: frozenset[str] = IMAGE_EXTENSIONS,
) -> list[Item]:
    """Expand files, folders, globs and ``-`` into items, in a stable order.

    Folder scans take files whose extension is in ``extensions``; a file named explicitly
    is taken whatever its extension (its reader checks the content).
    """
    items: list[Item] = []
    seen: set[str] = set()
    excluded = exclude.resolve() if exclude is not None else None

    def add(path: Path, rel: Path) -> None:
        key = str(path.resolve())
        if key not in seen:
            seen.add(key)
            items.append(Item(str(path), rel))

    for spec in specs:
        if spec == STDIO:
            items.append(Item(STDIO, Path("stdin")))
            continue
        path = Path(spec)
        if path.is_dir():
            for found in _scan(path, recursive, excluded, extensions):
                add(found, found.relative_to(path))
        elif path.exists():
            add(path, Path(path.name))
        elif glob.has_magic(spec):
            matches = sorted(glob.glob(spec, recursive=recursive))
            if not matches:
                raise UsageError(f"{spec}: no file matches this pattern")
            for m in matches:
                p = Path(m)
                if p.is_file() and not _inside(p, excluded):
                    add(p, Path(p.name))
        else:
            raise UsageError(f"{spec}: no such file or folder")
    if not items:
        raise UsageError("no inputs found in " + ", ".join(specs))
    return items


def file_items(options: Mapping[str, Any], metavar: str = "IMAGES...", *, media: bool = False) -> list[Item]:
    """The items of a command's positional inputs (``options["inputs"]``), with ``-r`` and
    an output folder inside the inputs left out; a usage error when there are none. With
    ``media``, videos are taken too and told apart from images by their content."""
    specs = options.get("inputs") or ()
    if not specs:
        raise UsageError(f"missing {metavar}: give at least one input (files, folders, globs or -)")
    output = options.get("output")
    exclude = Path(output) if output and output != STDIO else None
    if not media:
        return collect_inputs(specs, recursive=bool(options.get("recursive")), exclude=exclude)
    from . import media as _media

    items = collect_inputs(specs, recursive=bool(options.get("recursive")), exclude=exclude,
                           extensions=_media.MEDIA_EXTENSIONS)
    return _media.classify(items)


def seed_items(count: int, *, first_seed: int, prefix: str) -> list[Item]:
    """``count`` generated items with seeds ``first_seed``, ``first_seed + 1``, ...

    Outputs are named ``<prefix>_<seed>`` (zero-padded to four digits) by default, so a
    re-run with the same seeds skips the ones already written.
    """
    if count < 1:
        raise UsageError(f"count: {count} is below 1")
    return [Item(None, Path(f"{prefix}_{seed:04d}"), kind="seed", seed=seed) for seed in range(first_seed, first_seed + count)]


def _inside(path: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False


def _scan(folder: Path, recursive: bool, excluded: Path | None, extensions: frozenset[str]) -> Iterable[Path]:
    pattern = "**/*" if recursive else "*"
    for p in sorted(folder.glob(pattern)):
        if any(part.startswith(".") for part in p.relative_to(folder).parts):
            continue
        if p.is_file() and p.suffix.lower() in extensions and not _inside(p, excluded):
            yield p


# ---------------------------------------------------------------------------- outputs
def check_template(template: str, fields: Iterable[str]) -> None:
    """Refuse a name template that uses an unknown field or bad syntax, before any work."""
    allowed = set(fields)
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise UsageError(f"--name-template {template!r}: {exc}") from None
    for name in names:
        if name not in allowed:
            raise UsageError(
                f"--name-template {template!r}: unknown field {{{name}}}; "
                f"use {', '.join('{' + a + '}' for a in sorted(allowed))}"
            )
    if os.sep in template or (os.altsep and os.altsep in template):
        raise UsageError(f"--name-template {template!r}: must be a file name, not a path")


def folder_mode(output: str | None, job_count: int) -> bool:
    """Whether ``output`` names a folder (it exists as one, ends with a slash, or many jobs)."""
    if output is None:
        return True
    if output == STDIO:
        return False
    return Path(output).is_dir() or output.endswith(("/", os.sep)) or job_count > 1


def plan_jobs(
    items: Sequence[Item],
    *,
    output: str | None,
    template: str,
    extension: str | Callable[[Item], str],
    variants: Sequence[Mapping[str, Any]] = ({},),
) -> list[Job]:
    """Pair each item with each variant and give every job its output path.

    ``template`` names outputs in folder mode, with the fields {stem}, {ext}, {parent},
    {index}, those the items supply ({seed} for generated items, {start}/{end} for video
    segments) and the variant's keys; ``extension`` (".png", or a function of the item) is
    appended when the template has no extension of its own. Raises UsageError for
    template errors and collisions.
    """
    variant_keys = set().union(*(v.keys() for v in variants)) if variants else set()
    item_keys = set(TEMPLATE_FIELDS_BASE).union(*(i.fields.keys() for i in items)) if items else set(TEMPLATE_FIELDS_BASE)
    check_template(template, (*item_keys, *variant_keys))
    count = len(items) * len(variants)
    if output == STDIO and count != 1:
        raise UsageError("-o - (stdout) takes exactly one output")
    if any(i.path == STDIO for i in items) and count != 1:
        raise UsageError("- (stdin) must be the only input")
    suffix = extension if callable(extension) else (lambda item: extension)
    jobs: list[Job] = []
    as_folder = folder_mode(output, count)
    outdir = Path(output) if output is not None else Path(".")
    for index, (item, variant) in enumerate((i, v) for i in items for v in variants):
        if not as_folder:
            jobs.append(Job(item, output, dict(variant)))
            continue
        try:
            name = template.format(**{**item.fields, "index": index, **variant})
        except KeyError as exc:  # a field only some items have (e.g. {seed})
            raise UsageError(f"--name-template {template!r}: {item.name} has no field {exc}") from None
        if not Path(name).suffix:
            name += suffix(item)
        jobs.append(Job(item, str(outdir / item.rel.parent / name), dict(variant)))
    _check_collisions(jobs)
    return jobs


def _check_collisions(jobs: Sequence[Job]) -> None:
    claimed: dict[str, Job] = {}
    for job in jobs:
        if job.output in (None, STDIO):
            continue
        key = os.path.normcase(os.path.abspath(job.output))
        other = claimed.get(key)
        if other is not None:
            raise UsageError(
                f"{job.output}: both {other.item.name} and {job.item.name} would be written "
                "there; change --name-template (e.g. add {parent} or {index})"
            )
        claimed[key] = job
        if job.item.path not in (None, STDIO) and os.path.abspath(job.item.path) == os.path.abspath(job.output):
            raise UsageError(f"{job.output}: output would overwrite its own input")


# -------------------------------------------------------------------------------- run
@dataclass
class Summary:
    """The outcomes of a batch and the exit code they add up to."""

    outcomes: list[Outcome] = field(default_factory=list)
    interrupted: bool = False
    total: int = 0  # jobs planned; those without an outcome were never started

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def not_started(self) -> int:
        return max(0, self.total - len(self.outcomes))

    @property
    def exit_code(self) -> ExitCode:
        if self.interrupted:
            return ExitCode.INTERRUPTED
        failed = self.failed
        if not failed:
            return ExitCode.OK
        if len(failed) == len(self.outcomes):
            return max(o.code for o in failed)
        return ExitCode.PARTIAL


Process = Callable[[Job], Any]
# Processes several jobs in one go (e.g. one forward pass for a chunk of images); returns,
# per job and in order, its result or the GenartError that failed it.
ProcessMany = Callable[[Sequence[Job]], Sequence[Any]]


def run_jobs(
    jobs: Sequence[Job],
    process: Process | None = None,
    *,
    process_many: ProcessMany | None = None,
    chunk: int = 1,
    overwrite: bool = False,
    callback: EventCallback | None = None,
) -> Summary:
    """Run every job; a failure of one job never stops the others.

    Jobs go to ``process`` one at a time, or to ``process_many`` ``chunk`` at a time. A
    single job whose output exists fails unless ``overwrite``; in a batch such jobs are
    skipped so an interrupted run resumes where it stopped. Ctrl-C ends the batch
    (``Summary.interrupted``; atomic saving guarantees no half-written file). Progress
    goes to ``callback`` as ItemStarted / ItemFinished events.
    """
    if process_many is None:
        if process is None:
            raise TypeError("run_jobs needs process or process_many")
        one = process
        process_many = lambda js: [_call(one, js[0])]  # noqa: E731
        chunk = 1
    summary = Summary(total=len(jobs))
    total = len(jobs)

    def finish(index: int, outcome: Outcome) -> None:
        record(summary, callback, index, total, outcome)

    pending: list[tuple[int, Job]] = []
    try:
        for index, job in enumerate(jobs):
            existing = existing_outcome(job, total, overwrite)
            if existing is not None:
                finish(index, existing)
                continue
            pending.append((index, job))
            if len(pending) >= chunk:
                _run_chunk(pending, process_many, total, callback, finish)
                pending = []
        if pending:
            _run_chunk(pending, process_many, total, callback, finish)
    except KeyboardInterrupt:
        summary.interrupted = True
    return summary


def existing_outcome(job: Job, total: int, overwrite: bool) -> Outcome | None:
    """The outcome of a job whose output exists already (None: the job must run).

    A batch skips it, so that a re-run resumes; a single job fails unless ``overwrite``.
    """
    if overwrite or job.output in (None, STDIO) or not Path(job.output).exists():
        return None
    if total == 1:
        return Outcome(job, "failed", error=f"{job.output}: exists; use --overwrite to replace it")
    return Outcome(job, "skipped", result={"reason": "output exists"})


def record(summary: Summary, callback: EventCallback | None, index: int, total: int, outcome: Outcome) -> None:
    """Add ``outcome`` (of job ``index`` of ``total``) to ``summary`` and report it."""
    summary.outcomes.append(outcome)
    emit(callback, ItemFinished(
        index, total, outcome.job.item.name, outcome.status, outcome.job.output,
        outcome.error, outcome.seconds, outcome.result, dict(outcome.job.variant),
    ))


def _call(process: Process, job: Job) -> Any:
    try:
        return process(job)
    except GenartError as exc:
        return exc


def remove_partial(output: str | None) -> None:
    """Delete what a killed run left beside ``output`` (the image layer writes to
    ``.<name>.*.part`` and renames; a process killed mid-write leaves that file)."""
    if output in (None, STDIO):
        return
    dest = Path(output)
    for leftover in dest.parent.glob(f".{glob.escape(dest.name)}.*.part"):
        try:
            leftover.unlink()
        except OSError:
            pass


def _run_chunk(pending, process_many: ProcessMany, total: int, callback, finish) -> None:
    for index, job in pending:
        remove_partial(job.output)
        emit(callback, ItemStarted(index, total, job.item.name, job.output))
    start = time.perf_counter()
    results = process_many([job for _, job in pending])
    seconds = (time.perf_counter() - start) / len(pending)
    for (index, job), result in zip(pending, results):
        if isinstance(result, GenartError):
            finish(index, Outcome(job, "failed", seconds, error=str(result), code=result.exit_code))
        else:
            finish(index, Outcome(job, "ok", seconds, result=result))
