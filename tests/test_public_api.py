"""The package's public API: lazy, and never shadowed by a submodule of the same name."""
from __future__ import annotations

import subprocess
import sys

import pytest

API = ["classify", "stylize", "dream", "doodle", "ClassifyConfig", "StyleConfig", "DreamConfig", "DoodleConfig"]


@pytest.mark.parametrize("first", ["", "import genart.commands.dream.runner, genart.commands.doodle.runner, genart.commands.classify.runner; "])
def test_names_are_the_functions_even_after_the_cli_imported_the_algorithms(first):
    code = (
        f"{first}import genart, inspect, sys\n"
        f"names = {API!r}\n"
        "import importlib\n"
        "for m in ('genart.commands.dream.algorithm', 'genart.commands.doodle.algorithm', 'genart.commands.classify.algorithm', 'genart.commands.style.algorithm'):\n"
        "    importlib.import_module(m)\n"
        "bad = [n for n in names if inspect.ismodule(getattr(genart, n))]\n"
        "from genart import dream, doodle, classify, stylize\n"
        "bad += [f.__name__ for f in (dream, doodle, classify, stylize) if not callable(f) or inspect.ismodule(f)]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_import_genart_does_not_import_torch():
    code = "import genart, sys; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_public_api_is_what_the_registry_declares():
    import genart
    from genart import registry

    declared = registry.public_api()
    assert set(API) <= set(declared)
    assert set(declared) <= set(genart.__all__)
    for name, target in declared.items():
        module, attr = target.split(":")
        assert getattr(genart, name) is getattr(__import__(module, fromlist=[attr]), attr)
