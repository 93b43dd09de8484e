"""The ``genart`` command group, built from the command registry.

Every registered command (``genart.registry``) becomes a click command made by
:func:`build_command` from its declaration; ``"rules/lsystem"`` becomes ``genart rules
lsystem``. Command declarations are imported only when listed or used, and none imports
torch, so ``--help``, completion and usage errors stay fast. ``models`` and ``presets``
are tools over the registries, not commands that run jobs.
"""
from __future__ import annotations

import importlib
import os
import sys

import click

from .. import __version__, registry
from ..core import cpushare
from ..core.command import Command
from ..core.errors import ExitCode, GenartError
from .common import EXIT_HELP, common_params, input_params, output_params, run_command
from .options import config_params

# Tools: "module:attribute" of plain click commands.
TOOLS = {
    "models": "genart.cli.models:models",
    "presets": "genart.cli.presets:presets",
}


def build_command(command: Command) -> click.Command:
    """The click command of a registered command: its inputs, outputs, config options,
    its own options and the shared ones, all running :func:`run_command`."""
    params = [
        *input_params(command),
        *command.options,
        *output_params(command),
        *config_params(command.config),
        *common_params(command),
    ]

    def callback(**options: object) -> int:
        return run_command(command, dict(options))

    return click.Command(
        command.words[-1], callback=callback, params=params, help=command.help or command.summary,
        short_help=command.summary, epilog=EXIT_HELP, context_settings={"help_option_names": ["-h", "--help"]},
    )


class RegistryGroup(click.Group):
    """A group whose subcommands come from the registry (under ``prefix``), plus tools."""

    def __init__(self, *args: object, prefix: str = "", tools: dict[str, str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.prefix = prefix
        self.tools = tools or {}

    def _children(self) -> list[str]:
        names = []
        for name in registry.names():
            if name.startswith(self.prefix):
                child = name[len(self.prefix):].split("/")[0]
                if child not in names:
                    names.append(child)
        return names + [t for t in self.tools if t not in names]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._children()

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        full = self.prefix + name
        if full in registry.COMMANDS:
            return build_command(registry.get(full))
        if any(n.startswith(full + "/") for n in registry.names()):
            return RegistryGroup(name, prefix=full + "/", help=f"genart {full.replace('/', ' ')} commands.",
                                 context_settings={"help_option_names": ["-h", "--help"]})
        if name in self.tools:
            module, attr = self.tools[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return None


@click.group(cls=RegistryGroup, tools=TOOLS, epilog=EXIT_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="genart")
def cli() -> None:
    """Neural style transfer, DeepDream, Neural Doodle and ImageNet classification.

    \b
    genart style photo.jpg --style painting.jpg -o out.png
    genart dream photo.jpg -o dream.png
    genart doodle Coastline_sem.png --style Monet.jpg -o coast.png
    genart classify photos/ --topk 3
    """


def main(argv: list[str] | None = None) -> None:
    """Console entry point: runs the group and maps errors to one line and an exit code."""
    # Before torch loads: OpenMP threads that spin only briefly before they sleep, and the first
    # reading of the machine's load (genart.core.cpushare), so a busy CPU is shared.
    cpushare.short_wait_env()
    cpushare.remember_start()
    try:
        code = cli.main(args=argv, prog_name="genart", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("genart: interrupted", err=True)
        code = ExitCode.INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except GenartError as exc:
        click.echo(f"genart: error: {exc}", err=True)
        code = exc.exit_code
    except BrokenPipeError:
        code = ExitCode.OK  # `genart classify ... | head` is fine
    except Exception as exc:  # a bug: one line, the traceback only on request
        if os.environ.get("GENART_DEBUG"):
            raise
        click.echo(
            f"genart: internal error: {type(exc).__name__}: {exc} "
            "(set GENART_DEBUG=1 for the traceback, and please report it)",
            err=True,
        )
        code = ExitCode.FAILURE
    sys.exit(int(code or 0))
