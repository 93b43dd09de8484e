"""Choosing the device and the precision: GENART_BF16 overrides the hardware check."""
from __future__ import annotations

import pytest
import torch

from genart.core import device as dev
from genart.core.errors import UsageError

CPU = torch.device("cpu")


@pytest.mark.parametrize("value,expected", [("1", True), ("0", False)])
def test_env_forces_the_auto_decision(value, expected, monkeypatch):
    monkeypatch.setenv("GENART_BF16", value)
    assert dev.bf16_is_faster(CPU) is expected
    assert dev.use_bf16("auto", CPU) is expected
    assert dev.use_bf16("fp32", CPU) is False  # explicit settings are never overridden
    assert dev.use_bf16("bf16", CPU) is True


def test_without_the_env_auto_follows_the_cpu(monkeypatch):
    monkeypatch.delenv("GENART_BF16")
    monkeypatch.setattr(dev, "_cpu_has_bf16", lambda: True)
    assert dev.use_bf16("auto", CPU) is True
    monkeypatch.setattr(dev, "_cpu_has_bf16", lambda: False)
    assert dev.use_bf16("auto", CPU) is False
    assert dev.use_bf16("auto", torch.device("meta")) is False


def test_bad_values_are_usage_errors(monkeypatch):
    monkeypatch.setenv("GENART_BF16", "yes")
    with pytest.raises(UsageError, match="GENART_BF16='yes'"):
        dev.use_bf16("auto", CPU)
    with pytest.raises(UsageError, match="precision: 'fp16'"):
        dev.use_bf16("fp16", CPU)
