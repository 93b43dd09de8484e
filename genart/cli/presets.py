"""``genart presets``: list and show the YAML presets of every command."""
from __future__ import annotations

import click

from .. import registry
from .. import presets as P
from ..core.errors import UsageError


@click.group()
def presets() -> None:
    """List and show presets (built-in, ~/.config/genart/presets, $GENART_PRESET_PATH)."""


@presets.command("list")
@click.argument("command", required=False)
def list_presets(command: str | None) -> None:
    """List presets, for one COMMAND or all."""
    rows = []
    for cmd in [registry.get(command).name] if command else registry.names():
        for name in P.available(cmd):
            try:
                description = P.load(cmd, name).description
            except UsageError as exc:
                description = f"(invalid: {exc})"
            rows.append((f"{cmd}/{name}", description))
    width = max((len(key) for key, _ in rows), default=0)
    for key, description in rows:
        click.echo(f"{key:<{width}}  {description}".rstrip())


@presets.command("show")
@click.argument("name")
def show(name: str) -> None:
    """Show preset NAME (COMMAND/NAME, or NAME when only one command has it)."""
    command, preset = _split(name)
    loaded = P.load(command, preset)
    click.echo(f"# {command}/{loaded.name}: {loaded.path}")
    if loaded.description:
        click.echo(f"# {loaded.description}")
    resolved = P.resolve(command, preset=str(loaded.path), env={})
    click.echo(P.format_config(resolved, header=False))


def _split(name: str) -> tuple[str, str]:
    if "/" in name:
        command, preset = name.rsplit("/", 1)
        registry.get(command)  # an unknown command fails here, with suggestions
        return command, preset
    owners = [cmd for cmd in registry.names() if name in P.available(cmd)]
    if not owners:
        raise UsageError(f"no preset named {name!r}; see `genart presets list`")
    if len(owners) > 1:
        raise UsageError(f"{name!r} exists for {', '.join(owners)}; say which, e.g. {owners[0]}/{name}")
    return owners[0], name
