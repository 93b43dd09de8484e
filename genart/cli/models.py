"""``genart models``: list, download and check backbone weights; show a network's layers.

Data goes to stdout, messages and progress to stderr. torch is imported only inside the
commands that need it (``download``, ``verify``, ``path``, ``list`` and ``layers --weights``).
"""
from __future__ import annotations

import json
from typing import Any, Sequence

import click

from ..core.errors import UsageError, WeightsError


@click.group()
def models() -> None:
    """List, download and check the networks' weights; show their layers.

    \b
    genart models list
    genart models download googlenet-bvlc
    genart models layers vgg19
    """


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Write a JSON array to stdout.")
def list_command(as_json: bool) -> None:
    """Show each registered backbone, whether its weights are on disk, and from where."""
    from ..models import list_specs, weights_status
    from ..models.inventory import weights_files

    rows = [weights_status(spec) for spec in list_specs()]
    files = weights_files()
    if as_json:  # each backbone with the files found that fit it
        fits = {row.name: [f.as_dict() for f in files if f.backbone == row.name] for row in rows}
        click.echo(json.dumps([{**row.as_dict(), "files": fits[row.name]} for row in rows], indent=2))
        return
    table = [("NAME", "FAMILY", "STATUS", "SIZE", "SOURCE")]
    for row in rows:
        size = f"{row.size / 1e6:.1f} MB" if row.size is not None else "-"
        source = str(row.path) if row.path else (row.url or "none: pass --weights FILE")
        table.append((row.name, row.family, row.status, size, source))
    click.echo(_format_table(table))
    if files:
        click.echo("")
        found = [("WEIGHTS FILE", "SIZE", "FITS", "COVERS", "FOLDER")]
        for f in files:
            covers = (f"up to {f.deepest} (partial)" if f.partial else "the whole network") if f.backbone else f.note
            found.append((f.path.name, f"{f.size / 1e6:.1f} MB", f.backbone or "-", covers, str(f.path.parent)))
        click.echo(_format_table(found))
    click.echo("Any other torchvision classifier (e.g. resnet18) also works by name for classify.", err=True)


@models.command()
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@click.option("--force", is_flag=True, help="Download again even if the file is already there.")
@click.option("--to", "dest", type=click.Path(file_okay=False), help="Folder to download into (default: the torch hub cache).")
def download(names: Sequence[str], force: bool, dest: str | None) -> None:
    """Download the weights of NAME... (prints each file's path)."""
    from ..models import download_weights, get_spec
    from ..core.progress import Display

    specs = [get_spec(name) for name in names]  # fail on a bad name before downloading
    with Display() as display:
        for spec in specs:
            path = download_weights(spec, dest_dir=dest, force=force, callback=display)
            click.echo(str(path))


@models.command()
@click.argument("name", required=False)
@click.option("--weights", type=click.Path(dir_okay=False), help="Check this file (needs NAME).")
@click.option("--json", "as_json", is_flag=True, help="Write a JSON array to stdout.")
def verify(name: str | None, weights: str | None, as_json: bool) -> None:
    """Check the sha256 and loading of downloaded weights (all, or NAME's)."""
    from ..models import get_spec, list_specs, verify_weights

    if weights and not name:
        raise UsageError("verify --weights FILE needs the backbone NAME")
    specs = [get_spec(name)] if name else list_specs()
    results = [verify_weights(spec, weights) for spec in specs]
    if not name:  # verifying everything: files never downloaded are not failures
        results = [r for r in results if r.checksum != "missing"]
        if not results:
            click.echo("no weights files on disk (see `genart models list`)", err=True)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        for r in results:
            click.echo(f"{r.name}\t{'ok' if r.ok else 'FAILED'}\tsha256: {r.checksum}\t{r.path or '-'}\t{r.detail}")
    failed = [r.name for r in results if not r.ok]
    if failed:
        raise WeightsError(f"verification failed for {', '.join(failed)}")


@models.command()
def path() -> None:
    """Print the folders searched for weights files, in order."""
    from ..models import search_dirs

    for _, folder in search_dirs():
        click.echo(str(folder))


@models.command()
@click.argument("name")
@click.option("--weights", type=click.Path(dir_okay=False), help="Also show which layers this file covers.")
@click.option("--json", "as_json", is_flag=True, help="Write a JSON array to stdout.")
def layers(name: str, weights: str | None, as_json: bool) -> None:
    """Show NAME's named layers in forward order, with channels and stride."""
    from ..models import get_spec

    spec = get_spec(name)
    if not spec.layer_table:
        raise UsageError(f"{spec.name}: has no named feature layers (classification only)")
    available = _available(spec, weights)
    rows: list[dict[str, Any]] = []
    for info in spec.layers():
        row = {"name": info.name, "channels": info.channels, "kind": info.kind, "stride": info.stride}
        if available is not None:
            row["available"] = info.name in available
        rows.append(row)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    header = ("LAYER", "CHANNELS", "KIND", "STRIDE") + (("IN FILE",) if available is not None else ())
    table = [header] + [tuple(_cell(v) for v in row.values()) for row in rows]
    click.echo(_format_table(table))
    if spec.default_dream_layers:
        click.echo(f"default dream layers: {', '.join(spec.default_dream_layers)}", err=True)


def _available(spec: Any, weights: str | None) -> set[str] | None:
    if weights is None:
        return None
    from ..models import load_backbone

    return set(load_backbone(spec, weights=weights, offline=True).available_layers)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _format_table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)
