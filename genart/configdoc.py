"""The settings reference (docs/settings.md), derived from the config dataclasses.

    python -m genart.configdoc > docs/settings.md

``tests/test_configdoc.py`` fails when the committed file drifts from the dataclasses.
"""
from __future__ import annotations

from . import registry
from .core.config import config_fields
from .presets import env_prefix


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value)) or "(none)"
    return "(none)" if value is None else str(value)


def settings_markdown() -> str:
    """Markdown tables of every command's settings: option, default, variable, meaning."""
    lines = [
        "# Settings reference",
        "",
        "Generated from the config dataclasses of the commands in `genart.registry` by",
        "`python -m genart.configdoc > docs/settings.md`; do not edit by hand.",
        "Each setting can come from the command's defaults, a preset (`params:` key),",
        "an environment variable, or the command-line option, each overriding the one before.",
    ]
    for command in registry.names():
        lines += ["", f"## genart {command.replace('/', ' ')}", "", "| option | preset key | environment variable | default | meaning |", "|---|---|---|---|---|"]
        for f in config_fields(registry.config_class(command)):
            option = f"`{f.flag}`" if f.cli else "(preset only)"
            choices = f" One of: {', '.join(f.choices)}." if f.choices else ""
            help_text = f.help.replace("|", "\\|")
            lines.append(
                f"| {option} | `{f.name}` | `{env_prefix(command)}{f.name.upper()}` | `{_show(f.default)}` | {help_text}{choices} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(settings_markdown(), end="")
