"""Shared test fixtures.

``shared_dir`` is the read-only ``../shared`` folder with real weights and images; tests
that need it skip cleanly where it is absent (a user's machine), and run in CI.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GENART_SHARED_DIR", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "README.md").is_file():
        pytest.skip(f"real weights and images not found at {SHARED}")
    return SHARED


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    """Keep tests away from the user's caches, presets and the network."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("TORCH_HOME", str(home / "torch"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("GENART_OFFLINE", "1")
    for var in ("GENART_WEIGHTS_DIR", "GENART_PRESET_PATH", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(autouse=True)
def _fp32_unless_asked(monkeypatch):
    """``precision: auto`` means fp32 in tests on every CPU, with or without native bf16
    (which "auto" would pick). Tests of the bf16 path set GENART_BF16=1 themselves."""
    monkeypatch.setenv("GENART_BF16", "0")


@pytest.fixture(autouse=True)
def _fixed_threads(monkeypatch):
    """Runners keep torch's thread count in tests: results must not depend on how busy
    the machine is (genart.core.cpushare). tests/test_cpushare.py turns it back on."""
    monkeypatch.setenv("GENART_FAIR_SHARE", "0")
