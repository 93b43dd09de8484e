"""``genart classify``: how ImageNet classification plugs into genart (no torch here).

Jobs write no files: results go to stdout as a table, JSON, JSON Lines or CSV, written
as each job finishes (JSON as one document at the end).
"""
from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from typing import Any, Mapping

import click

from ...core.command import Command
from ...core.events import BatchFinished, ItemFinished
from ...core.session import Session
from .config import ClassifyConfig

__all__ = ["COMMAND", "ClassifySession", "ResultWriter"]

FORMATS = ("table", "json", "jsonl", "csv")


@dataclass(kw_only=True)
class ClassifySession(Session):
    out_format: str = "table"


def _session(base: Session, options: Mapping[str, Any]) -> ClassifySession:
    fmt = "jsonl" if options.get("json_lines") else options.get("out_format") or "table"
    return ClassifySession(**base.shared(), out_format=fmt)


class ResultWriter:
    """An event sink writing each finished job's labels to stdout in the chosen format."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.pending: list[dict[str, Any]] = []
        self.csv = None
        if fmt == "csv":
            self.csv = csv.writer(sys.stdout, lineterminator="\n")
            self.csv.writerow(["input", "rank", "label", "probability", "index"])

    def __call__(self, event: Any) -> None:
        if isinstance(event, ItemFinished):
            self.write(event)
        elif isinstance(event, BatchFinished) and self.fmt == "json":
            click.echo(json.dumps(self.pending, indent=2))

    def write(self, event: ItemFinished) -> None:
        record = event.record()
        if self.fmt == "jsonl":
            click.echo(json.dumps(record))
        elif self.fmt == "json":
            self.pending.append(record)
        elif event.status == "ok" and self.fmt == "csv":
            for p in event.result:
                self.csv.writerow([event.name, p["rank"], p["label"], f"{p['probability']:.6f}", p["index"]])
            sys.stdout.flush()
        elif event.status == "ok":
            click.echo(_table(event))


def _table(event: ItemFinished) -> str:
    lines = [event.name]
    width = max(len(p["label"]) for p in event.result)
    for p in event.result:
        lines.append(f"  {p['rank']:>2}  {p['label']:<{width}}  {p['probability']:7.2%}  {p['index']:>4}")
    return "\n".join(lines)


COMMAND = Command(
    name="classify",
    config=ClassifyConfig,
    runner="genart.commands.classify.runner:ClassifyRunner",
    summary="ImageNet top-k classification.",
    help="""Print the top ImageNet classes of IMAGES (files, folders, globs or -).

    \b
    genart classify photo.jpg
    genart classify photos/ -r --topk 3 --format csv > labels.csv
    """,
    output=None,
    options=(
        click.Option(["--format", "out_format"], type=click.Choice(FORMATS), default="table", show_default=True,
                     help="How results are written to stdout (--json is the same as --format jsonl)."),
    ),
    session=_session,
    report=lambda session, json_lines: ResultWriter(session.out_format),
    api={"classify": "genart.commands.classify.algorithm:classify",
         "ClassifyConfig": "genart.commands.classify.config:ClassifyConfig"},
)
