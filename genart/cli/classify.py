"""``genart classify``: ImageNet top-k labels for images (thin CLI over genart.commands.classify.algorithm)."""
from __future__ import annotations

import csv
import json
import sys
import time
from typing import Any, Sequence

import click

from ..core import batch
from ..commands.classify.config import ClassifyConfig
from ..core.errors import GenartError
from .common import EXIT_HELP, Session, common_options, input_options, make_session, report_summary
from .options import config_options

FORMATS = ("table", "json", "jsonl", "csv")


@click.command(epilog=EXIT_HELP)
@input_options
@config_options(ClassifyConfig)
@click.option(
    "--format",
    "out_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="How results are written to stdout (--json is the same as --format jsonl).",
)
@common_options
def classify(images: tuple[str, ...], out_format: str, **kwargs: Any) -> int:
    """Print the top ImageNet classes of IMAGES (files, folders, globs or -).

    \b
    genart classify photo.jpg
    genart classify photos/ -r --topk 3 --format csv > labels.csv
    """
    if kwargs.pop("json_lines"):
        out_format = "jsonl"
    session = make_session("classify", kwargs)
    if session is None:
        return 0
    items = batch.collect_inputs(images, recursive=kwargs["recursive"])
    jobs = [batch.Job(item, None) for item in items]
    writer = _Writer(out_format)
    with session.display as display:
        backbone = _load(session)
        display.start_batch(len(jobs))
        summary = batch.Summary()
        try:
            for start in range(0, len(jobs), session.config.batch_size):
                chunk = jobs[start : start + session.config.batch_size]
                for outcome in _classify_chunk(chunk, backbone, session, start, len(jobs)):
                    summary.outcomes.append(outcome)
                    display.end_item(outcome.status, outcome.job.item.name, outcome.error, outcome.seconds)
                    writer.write(outcome)
        except KeyboardInterrupt:
            summary.interrupted = True
        writer.close()
    report_summary(display, summary)
    return int(summary.exit_code)


def _load(session: Session):
    cfg = session.config
    backbone = session.load_backbone()
    if not backbone.spec.has_classifier:
        raise GenartError(f"{cfg.model} has no ImageNet classifier; choose another --model")
    return backbone


def _classify_chunk(
    chunk: Sequence[batch.Job], backbone: Any, session: Session, offset: int, total: int
) -> list[batch.Outcome]:
    """Load a chunk's images (a bad file fails alone), then classify the rest in one pass."""
    from ..commands.classify.algorithm import classify
    from ..imageio import load_image, to_tensor

    start = time.perf_counter()
    loaded, outcomes = [], {}  # outcomes keyed by position in the chunk
    for i, job in enumerate(chunk):
        session.display.start_item(offset + i, total, job.item.name)
        try:
            image = load_image(job.item.path, max_pixels=session.max_pixels)
            for warning in image.warnings:
                session.display.warning(f"{job.item.name}: {warning}")
            loaded.append((i, to_tensor(image)))
        except GenartError as exc:
            outcomes[i] = batch.Outcome(job, "failed", error=str(exc), code=exc.exit_code)
    if loaded:
        predictions = classify([t for _, t in loaded], session.config, backbone=backbone)
        seconds = (time.perf_counter() - start) / len(chunk)
        for (i, _), preds in zip(loaded, predictions):
            outcomes[i] = batch.Outcome(chunk[i], "ok", seconds, result=[p.as_dict() for p in preds])
    return [outcomes[i] for i in range(len(chunk))]


class _Writer:
    """Writes outcomes to stdout in the chosen format, streaming where the format allows."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.pending: list[batch.Outcome] = []
        self.csv = None
        if fmt == "csv":
            self.csv = csv.writer(sys.stdout, lineterminator="\n")
            self.csv.writerow(["input", "rank", "label", "probability", "index"])

    def write(self, outcome: batch.Outcome) -> None:
        if self.fmt == "jsonl":
            click.echo(json.dumps(outcome.as_json()))
        elif self.fmt == "csv" and outcome.status == "ok":
            for p in outcome.result:
                self.csv.writerow([outcome.job.item.name, p["rank"], p["label"], f"{p['probability']:.6f}", p["index"]])
            sys.stdout.flush()
        elif self.fmt == "table" and outcome.status == "ok":
            click.echo(_table(outcome))
        else:
            self.pending.append(outcome)

    def close(self) -> None:
        if self.fmt == "json":
            click.echo(json.dumps([o.as_json() for o in self.pending], indent=2))


def _table(outcome: batch.Outcome) -> str:
    lines = [outcome.job.item.name]
    width = max(len(p["label"]) for p in outcome.result)
    for p in outcome.result:
        lines.append(f"  {p['rank']:>2}  {p['label']:<{width}}  {p['probability']:7.2%}  {p['index']:>4}")
    return "\n".join(lines)
