"""Config dataclass helpers: parsing, validation and CLI derivation."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from genart.core.config import coerce, config_fields, param, to_dict
from genart.core.errors import ConfigError


@dataclass(frozen=True)
class Demo:
    iterations: int = param(10, "Steps.", min=1)
    weight: float = param(1.0, "A weight.", min=0)
    layers: tuple[str, ...] = param(("a", "b"), "Layers.")
    blend: tuple[float, ...] = param((), "Blend weights.")
    mode: str = param("x", "Mode.", choices=("x", "y"))
    seed: int | None = param(None, "Seed.")
    flag: bool = param(False, "A switch.")


F = {f.name: f for f in config_fields(Demo)}


@pytest.mark.parametrize(
    "name,raw,expected",
    [
        ("weight", "1e5", 100000.0),  # YAML 1.1 reads 1e5 as a string
        ("weight", 3, 3.0),
        ("iterations", "20", 20),
        ("iterations", 2e2, 200),
        ("layers", "relu1_1, relu2_1", ("relu1_1", "relu2_1")),
        ("layers", ["c"], ("c",)),
        ("blend", "0.5,1e-1", (0.5, 0.1)),
        ("seed", "none", None),
        ("seed", "7", 7),
        ("flag", "yes", True),
        ("flag", False, False),
    ],
)
def test_coerce_accepts_and_converts(name, raw, expected):
    assert coerce(F[name], raw, where="t") == expected


@pytest.mark.parametrize(
    "name,raw,fragment",
    [
        ("iterations", "ten", "expected an integer"),
        ("iterations", 0, "below the minimum"),
        ("iterations", True, "expected an integer"),
        ("weight", "heavy", "expected a number"),
        ("mode", "xx", "did you mean 'x'"),
        ("flag", "maybe", "true or false"),
        ("iterations", None, "may not be empty"),
    ],
)
def test_coerce_rejects_with_key_and_reason(name, raw, fragment):
    with pytest.raises(ConfigError) as info:
        coerce(F[name], raw, where="file.yaml")
    assert str(info.value).startswith(f"file.yaml: {name}: ")
    assert fragment in str(info.value)


def test_field_metadata_and_flags():
    assert F["iterations"].flag == "--iterations"
    assert F["layers"].is_sequence and F["layers"].base is str
    assert F["seed"].optional and F["seed"].base is int
    assert to_dict(Demo()) ["layers"] == ["a", "b"]
