"""The batch engine: inputs -> jobs -> outputs, with naming, resume and a summary.

Shared by every command. It never imports torch: it plans and runs jobs whose work is a
callable supplied by the command.

- Inputs are files, folders (``recursive`` descends), glob patterns and ``-`` (stdin).
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

from .errors import ExitCode, GenartError, UsageError

STDIO = "-"
# Extensions picked up when scanning folders; files named explicitly are read whatever
# their extension (the image loader checks the content).
IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp"}
)
TEMPLATE_FIELDS_BASE = ("stem", "ext", "parent", "index")


@dataclass(frozen=True)
class InputItem:
    """One input: the path (or ``-``) and its path relative to the folder it came from."""

    path: str
    rel: Path  # used to mirror the input tree in folder mode

    @property
    def name(self) -> str:
        return "<stdin>" if self.path == STDIO else self.path


@dataclass(frozen=True)
class Job:
    """One unit of work: an input, an optional variant (e.g. a style) and its output."""

    item: InputItem
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
    specs: Sequence[str], *, recursive: bool = False, exclude: Path | None = None
) -> list[InputItem]:
    """Expand files, folders, globs and ``-`` into input items, in a stable order."""
    items: list[InputItem] = []
    seen: set[str] = set()
    excluded = exclude.resolve() if exclude is not None else None

    def add(path: Path, rel: Path) -> None:
        key = str(path.resolve())
        if key not in seen:
            seen.add(key)
            items.append(InputItem(str(path), rel))

    for spec in specs:
        if spec == STDIO:
            items.append(InputItem(STDIO, Path("stdin")))
            continue
        path = Path(spec)
        if path.is_dir():
            for found in _scan(path, recursive, excluded):
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
        raise UsageError("no input images found in " + ", ".join(specs))
    return items


def _inside(path: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False


def _scan(folder: Path, recursive: bool, excluded: Path | None) -> Iterable[Path]:
    pattern = "**/*" if recursive else "*"
    for p in sorted(folder.glob(pattern)):
        if any(part.startswith(".") for part in p.relative_to(folder).parts):
            continue
        if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS and not _inside(p, excluded):
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
    items: Sequence[InputItem],
    *,
    output: str | None,
    template: str,
    extension: str,
    variants: Sequence[Mapping[str, Any]] = ({},),
) -> list[Job]:
    """Pair each input with each variant and give every job its output path.

    ``template`` names outputs in folder mode, with the fields {stem}, {ext}, {parent},
    {index} and the variant's keys; ``extension`` (".png") is appended when the template
    has no extension of its own. Raises UsageError for template errors and collisions.
    """
    variant_keys = set().union(*(v.keys() for v in variants)) if variants else set()
    check_template(template, (*TEMPLATE_FIELDS_BASE, *variant_keys))
    count = len(items) * len(variants)
    if output == STDIO and count != 1:
        raise UsageError("-o - (stdout) takes exactly one output image")
    if any(i.path == STDIO for i in items) and count != 1:
        raise UsageError("- (stdin) must be the only input")
    jobs: list[Job] = []
    as_folder = folder_mode(output, count)
    outdir = Path(output) if output is not None else Path(".")
    for index, (item, variant) in enumerate((i, v) for i in items for v in variants):
        if not as_folder:
            jobs.append(Job(item, output, dict(variant)))
            continue
        stem = item.rel.stem
        values = {
            "stem": stem,
            "ext": item.rel.suffix.lstrip("."),
            "parent": item.rel.parent.name,
            "index": index,
            **variant,
        }
        name = template.format(**values)
        if not Path(name).suffix:
            name += extension
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
        if os.path.abspath(job.item.path) == os.path.abspath(job.output):
            raise UsageError(f"{job.output}: output would overwrite its own input")


# -------------------------------------------------------------------------------- run
@dataclass
class Summary:
    """The outcomes of a batch and the exit code they add up to."""

    outcomes: list[Outcome] = field(default_factory=list)
    interrupted: bool = False

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

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


def run_jobs(
    jobs: Sequence[Job],
    process: Process,
    *,
    overwrite: bool = False,
    on_start: Callable[[int, Job], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> Summary:
    """Run ``process`` on each job; a failure of one job never stops the others.

    A single job whose output exists fails unless ``overwrite``; in a batch such jobs are
    skipped so an interrupted run resumes where it stopped. Ctrl-C ends the batch
    (``Summary.interrupted``); atomic saving guarantees no half-written file.
    """
    summary = Summary()
    single = len(jobs) == 1
    for index, job in enumerate(jobs):
        exists = job.output not in (None, STDIO) and Path(job.output).exists()
        if exists and not overwrite:
            if single:
                outcome = Outcome(job, "failed", error=f"{job.output}: exists; use --overwrite to replace it")
            else:
                outcome = Outcome(job, "skipped", result={"reason": "output exists"})
            summary.outcomes.append(outcome)
            if on_done:
                on_done(outcome)
            continue
        if on_start:
            on_start(index, job)
        start = time.perf_counter()
        try:
            result = process(job)
            outcome = Outcome(job, "ok", time.perf_counter() - start, result=result)
        except KeyboardInterrupt:
            summary.interrupted = True
            break
        except GenartError as exc:
            outcome = Outcome(
                job, "failed", time.perf_counter() - start, error=str(exc), code=exc.exit_code
            )
        summary.outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    return summary
