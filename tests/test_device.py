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


def test_auto_is_decided_per_command(monkeypatch):
    monkeypatch.delenv("GENART_BF16")
    monkeypatch.setattr(dev, "_cpu_has_bf16", lambda: True)
    for command in dev.BF16_COMMANDS:
        assert dev.use_bf16("auto", CPU, command) is True
    assert dev.use_bf16("auto", CPU, "some/new-command") is False  # not shown to keep its art in bf16
    assert dev.use_bf16("auto", CPU) is True  # a library call that names no command: the hardware decides
    assert dev.use_bf16("bf16", CPU, "some/new-command") is True  # asked for explicitly
    monkeypatch.setattr(dev, "_cpu_has_bf16", lambda: False)
    assert dev.use_bf16("auto", CPU, "style") is False
    monkeypatch.setenv("GENART_BF16", "1")
    assert dev.use_bf16("auto", CPU, "some/new-command") is True  # the override beats everything
    assert dev.use_bf16("fp32", CPU, "style") is False


@pytest.mark.parametrize("capability, expected", [((6, 1), False), ((7, 5), False), ((8, 0), True), ((9, 0), True)])
def test_cuda_bf16_only_from_ampere(monkeypatch, capability, expected):
    """A GTX 1080 (6.1) or a T4 (7.5) emulates bf16: auto keeps fp32 there."""
    monkeypatch.delenv("GENART_BF16")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    assert dev.use_bf16("auto", torch.device("cuda"), "style") is expected
    assert dev.Compute.resolve(torch.device("cuda"), precision="auto", command="dream").bf16 is expected


def test_the_runner_records_what_auto_meant(monkeypatch):
    """Runners resolve ``precision: auto`` for their command before the algorithm runs."""
    from genart.commands.classify.config import ClassifyConfig
    from genart.commands.style.config import StyleConfig
    from genart.core.session import Session
    from genart.engine.runner import Runner

    monkeypatch.delenv("GENART_BF16")
    monkeypatch.setattr(dev, "_cpu_has_bf16", lambda: True)
    monkeypatch.setattr(dev, "BF16_COMMANDS", frozenset({"style"}))
    seen = {}

    class Probe(Runner):
        def load(self):
            seen[self.session.command] = self.config.precision

    Probe(Session(command="style", config=StyleConfig(), device="cpu"))
    Probe(Session(command="classify", config=ClassifyConfig(), device="cpu"))
    Probe(Session(command="other", config=StyleConfig(precision="bf16"), device="cpu"))
    assert seen == {"style": "bf16", "classify": "fp32", "other": "bf16"}
