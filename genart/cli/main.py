"""The ``genart`` command group: subcommands are imported only when used."""
from __future__ import annotations

import importlib
import os
import sys

import click

from .. import __version__
from ..core.errors import ExitCode, GenartError
from .common import EXIT_HELP

# name -> "module:attribute"; importing the module must not import torch.
COMMANDS = {
    "style": "genart.cli.style:style",
    "dream": "genart.cli.dream:dream",
    "doodle": "genart.cli.doodle:doodle",
    "classify": "genart.cli.classify:classify",
    "models": "genart.cli.models:models",
    "presets": "genart.cli.presets:presets",
}

class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._load(name) is not None]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._load(name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as exc:  # a command not built yet
            if exc.name == module:
                return None
            raise


@click.group(cls=LazyGroup, epilog=EXIT_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="genart")
def cli() -> None:
    """Neural style transfer, DeepDream, Neural Doodle and ImageNet classification.

    \b
    genart style photo.jpg --style painting.jpg -o out.png
    genart dream photo.jpg -o dream.png
    genart doodle --style Monet.jpg --target-map coast_sem.png -o coast.png
    genart classify photos/ --topk 3
    """


def main(argv: list[str] | None = None) -> None:
    """Console entry point: runs the group and maps errors to one line and an exit code."""
    try:
        code = cli.main(args=argv, prog_name="genart", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("genart: interrupted", err=True)
        code = ExitCode.INTERRUPTED
    except KeyboardInterrupt:
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
