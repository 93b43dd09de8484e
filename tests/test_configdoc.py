"""docs/settings.md is derived from the config dataclasses and must not drift from them."""
from __future__ import annotations

from pathlib import Path

from genart.core.config import config_fields
from genart.configdoc import settings_markdown
from genart.registry import config_class, names

CONFIGS = names()

DOC = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_committed_settings_reference_is_up_to_date():
    assert DOC.read_text() == settings_markdown(), "run: python -m genart.configdoc > docs/settings.md"


def test_reference_lists_every_setting_of_every_command():
    text = settings_markdown()
    for command in CONFIGS:
        assert f"## genart {command.replace('/', ' ')}" in text
        prefix = command.upper().replace("/", "_")
        for f in config_fields(config_class(command)):
            assert f"`GENART_{prefix}_{f.name.upper()}`" in text
