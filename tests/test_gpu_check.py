"""benchmarks/gpu_check.py, the one-command GPU check, works: run on the CPU in its
dry-run mode (tiny sizes, torch.compile's eager backend) and on the fake device, and its
comparison flags results that drift from the CPU's."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import gpu_check  # noqa: E402
from fake_device import FAKE, move_module, on_fake_device  # noqa: E402


def test_dry_run_times_and_checks_a_command(capsys):
    code = gpu_check.main(["--device", "cpu", "--dry-run", "--commands", "dream", "--variants", "bf16-cl-compiled"])
    out = capsys.readouterr().out
    assert code == 0
    assert "| dream | 64 | bf16-cl-compiled |" in out
    assert out.count("| yes |") == 1 and "failed" not in out


def test_without_a_gpu_it_says_so(capsys):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert gpu_check.main([]) == 2
    assert "no CUDA GPU" in capsys.readouterr().err


def test_the_comparison_catches_drift():
    ref = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    assert gpu_check.compare("style", ref + 0.001, ref, "fp32")[1]
    assert not gpu_check.compare("style", ref + 0.05, ref, "fp32")[1]
    assert gpu_check.compare("style", ref + 0.02, ref, "bf16")[1]


@pytest.fixture(scope="module")
def vgg():
    from genart.models import load_backbone

    return load_backbone("vgg19", weights="random")


def test_a_wrapped_doodle_runs_on_another_device(vgg):
    """doodle gets channels-last from the wrapper (it has no such setting); on the fake
    device every tensor it makes must live where the network does (CUDA's rules)."""
    import copy

    backbone = copy.copy(vgg)
    backbone.module = move_module(copy.deepcopy(vgg.module))
    backbone._normalize = move_module(copy.deepcopy(vgg._normalize))
    backbone.device = FAKE
    variant = gpu_check.Variant("fp32-cl", "fp32", True, False)
    with on_fake_device():
        out = gpu_check.run_doodle(FAKE, 48, 2, variant, backbone, "eager")(lambda e: None)
    assert out.device == FAKE and out.shape[-1] == 48


def test_a_wrapped_doodle_in_bf16_keeps_fp32_outside_the_network(vgg):
    variant = gpu_check.Variant("bf16-cl", "bf16", True, False)
    out = gpu_check.run_doodle(torch.device("cpu"), 48, 2, variant, vgg, "eager")(lambda e: None)
    assert out.dtype == torch.float32 and torch.isfinite(out).all()
