"""DeepDream mechanics on a tiny random-init stand-in network."""
from __future__ import annotations

import pytest
import torch

from genart.core.config import build
from genart.commands.dream.algorithm import DreamConfig, check_sizes, dream, dream_frames, required_layers
from genart.commands.dream.gradients import normalize_laplacian, normalize_mean_abs
from genart.commands.dream.objectives import build_objective, guide_match, label_index
from genart.commands.dream.transforms import affine, zoom_frame
from genart.core.errors import ConfigError, ImageError, LayerError, UsageError
from genart.core.events import Message, StageStarted, Step
from test_dream_fakes import FakeBackbone, photo

FAST = dict(octaves=2, iterations=4)


def _run(image=None, **kw):
    events = []
    config = DreamConfig(**{**FAST, **kw})
    out = dream(photo() if image is None else image, config, backbone=FakeBackbone(), callback=events.append)
    return out, events


def _objective_trace(events) -> list[float]:
    return [e.metrics["objective"] for e in events if isinstance(e, Step)]


def test_dream_keeps_size_and_range_and_changes_the_image():
    image = photo(48, 72)
    out, _ = _run(image)
    assert out.shape == image.shape
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0
    assert float((out - image).abs().mean()) > 0.01


def test_objective_rises_within_each_octave():
    _, events = _run(iterations=8)
    trace = _objective_trace(events)
    assert trace[7] > 1.1 * trace[0] and trace[15] > 1.1 * trace[8]
    assert trace[8] > trace[7]  # detail carried up keeps what the small octave gained


def test_steps_have_the_notebook_size():
    # One step moves pixels by step_size/255 on average (before clipping).
    image = torch.full((1, 3, 40, 40), 0.5)
    out, _ = _run(image, octaves=1, iterations=1, step_size=1.5, jitter=0)
    assert float((out - image).abs().mean()) == pytest.approx(1.5 / 255, rel=1e-3)


def test_events_report_octaves_and_steps():
    _, events = _run(octaves=3, iterations=2)
    stages = [e for e in events if isinstance(e, StageStarted)]
    assert [s.index for s in stages] == [0, 1, 2] and all(s.count == 3 and s.steps == 2 for s in stages)
    assert len(_objective_trace(events)) == 6


def test_octave_cap_warns_instead_of_crashing():
    _, events = _run(photo(40, 40), octaves=10, iterations=1)
    assert len([e for e in events if isinstance(e, StageStarted)]) == 3  # 40, 29, 20 >= 16
    assert any(isinstance(e, Message) and "capped" in e.text for e in events)


def test_seeded_and_reproducible():
    a, _ = _run(seed=3)
    b, _ = _run(seed=3)
    c, _ = _run(seed=4)
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_noise_start_ignores_the_photo():
    a, _ = _run(photo(seed=1), init="noise")
    b, _ = _run(photo(seed=2), init="noise")
    assert torch.equal(a, b)


def test_network_is_truncated_at_the_deepest_layer_used():
    bb = FakeBackbone()
    dream(photo(), DreamConfig(layers=("conv1",), **FAST), backbone=bb)
    assert bb.extracted == [["conv1"]]
    bb = FakeBackbone()
    dream(photo(), DreamConfig(**FAST), backbone=bb)
    assert bb.extracted == [["conv2"]]  # the backbone's default dream layer


def test_layer_weights_combine_terms():
    bb, image = FakeBackbone(), photo()
    one = build_objective(DreamConfig(layers=("conv1",)), bb, None)(image)
    two = build_objective(DreamConfig(layers=("conv2",)), bb, None)(image)
    mix = build_objective(
        DreamConfig(layers=("conv1", "conv2"), layer_weights=(2.0, 0.5)), bb, None
    )(image)
    assert float(mix) == pytest.approx(2.0 * float(one) + 0.5 * float(two), rel=1e-5)


def test_channels_select_part_of_a_layer():
    bb, image = FakeBackbone(), photo()
    act = bb.extractor(["conv2"])(image)["conv2"]
    value = build_objective(DreamConfig(layers=("conv2",), channels=(3, 5)), bb, None)(image)
    assert float(value) == pytest.approx(float(act[:, [3, 5]].pow(2).mean()), rel=1e-5)
    with pytest.raises(LayerError, match="conv2 has 16 channels; channel 16"):
        build_objective(DreamConfig(layers=("conv2",), channels=(16,)), bb, None)


def test_label_lookup_is_exact_with_suggestions():
    cats = ["goldfish", "great white shark", "Great Dane", "tabby, tabby cat"]
    assert label_index("great dane", cats) == 2
    assert label_index("3", cats) == 3
    with pytest.raises(UsageError, match="'Great Dane'"):
        label_index("great dan", cats)
    with pytest.raises(UsageError, match="unknown ImageNet class 'zzz'$"):
        label_index("zzz", cats)


def test_label_dream_raises_the_class_logit():
    bb, image = FakeBackbone(), photo()
    before = bb.classify(image)[0]
    out = dream(image, DreamConfig(label="Great Dane", octaves=1, iterations=10, step_size=8), backbone=bb)
    gain = bb.classify(out)[0] - before
    assert int(gain.argmax()) == 9 and float(gain[9]) > 0
    assert bb.extracted == []  # a class alone needs no feature extractor


def test_guide_gradient_is_the_best_matching_guide_vector():
    # The notebook's objective_guide sets the gradient to y[:, argmax(x^T y)].
    x = torch.randn(1, 6, 3, 4, requires_grad=True)
    y = torch.randn(6, 5)
    guide_match("l", y)({"l": x}, None).backward()
    best = (x.detach()[0].flatten(1).t() @ y).argmax(dim=1)
    assert torch.allclose(x.grad[0].flatten(1), y[:, best] / 12)


def test_guide_dream_moves_features_toward_the_guide():
    bb, image, guide = FakeBackbone(), photo(seed=1), photo(seed=9)
    config = DreamConfig(guide="g.png", guide_layers=("conv2",), octaves=1, iterations=10)
    objective = build_objective(config, bb, guide)
    out = dream(image, config, backbone=bb, guide=guide)
    assert float(objective(out)) > float(objective(image))
    with pytest.raises(UsageError, match="guide"):
        dream(image, config, backbone=bb)


def test_laplacian_normalisation_balances_bands():
    g = torch.Generator().manual_seed(0)
    smooth = torch.linspace(-1, 1, 64).view(1, 1, 1, 64).expand(1, 3, 64, 64)
    fine = 0.01 * torch.randn(1, 3, 64, 64, generator=g)
    out = normalize_laplacian(smooth + fine, levels=4)
    assert float(out.abs().mean()) == pytest.approx(1.0, rel=1e-4)
    share_before = float(fine.abs().mean() / (smooth + fine).abs().mean())
    high = out - torch.nn.functional.avg_pool2d(out, 3, 1, 1, count_include_pad=False)
    assert float(high.abs().mean()) > 5 * share_before
    assert float(normalize_mean_abs(smooth.clone()).abs().mean()) == pytest.approx(1.0, rel=1e-3)


def test_laplacian_and_robust_transforms_dream():
    out, events = _run(grad_norm="laplacian", scale_jitter=0.1, rotate_jitter=10)
    assert float(out.min()) >= 0 and float(out.max()) <= 1
    trace = _objective_trace(events)
    assert trace[-1] > trace[4]


def test_affine_rotation_and_zoom():
    image = photo(32, 32)
    assert torch.equal(affine(image), image)
    rotated = affine(image, degrees=90)
    assert torch.allclose(rotated[..., 2:-2, 2:-2], torch.rot90(image, 1, dims=(2, 3))[..., 2:-2, 2:-2], atol=1e-4) or torch.allclose(
        rotated[..., 2:-2, 2:-2], torch.rot90(image, -1, dims=(2, 3))[..., 2:-2, 2:-2], atol=1e-4
    )
    zoomed = zoom_frame(image, zoom=2.0, degrees=0.0)
    centre = torch.nn.functional.interpolate(image[..., 8:24, 8:24], size=(32, 32), mode="bilinear", align_corners=False)
    assert torch.allclose(zoomed[..., 4:-4, 4:-4], centre[..., 4:-4, 4:-4], atol=1e-5)


def test_bf16_runs_and_stays_valid():
    out, events = _run(precision="bf16")
    assert out.dtype == torch.float32 and float(out.min()) >= 0 and float(out.max()) <= 1
    assert _objective_trace(events)[-1] > _objective_trace(events)[4]


def test_bad_inputs_fail_with_one_line_errors():
    with pytest.raises(ImageError, match=r"\(1, 3, H, W\)"):
        dream(torch.rand(3, 32, 32), DreamConfig(), backbone=FakeBackbone())
    with pytest.raises(UsageError, match="image: 8x8 px is too small; tiny needs at least 16 px per side"):
        dream(torch.rand(1, 3, 8, 8), DreamConfig(), backbone=FakeBackbone())
    with pytest.raises(ConfigError, match="layer_weights"):
        build(DreamConfig, {"layers": ("a",), "layer_weights": (1.0, 2.0)})
    with pytest.raises(UsageError, match="no ImageNet classifier"):
        bb = FakeBackbone()
        bb.spec = type(bb.spec)(has_classifier=False)
        dream(photo(), DreamConfig(label="goldfish"), backbone=bb)


def test_the_library_resizes_to_the_size_setting():
    # DreamConfig(size=...) is honoured by dream() itself, as by the CLI: long side 36.
    out, _ = _run(photo(48, 72), size=36, octaves=1, iterations=1)
    assert out.shape == (1, 3, 24, 36)
    frames = list(dream_frames(photo(48, 72), DreamConfig(size=36, frames=2, octaves=1, iterations=1), backbone=FakeBackbone()))
    assert [f.shape for _, f in frames] == [(1, 3, 24, 36)] * 2


@pytest.mark.parametrize("kw,expected", [
    ({}, ("conv2",)),  # the model's default dream layers
    ({"layers": ("conv1",)}, ("conv1",)),
    ({"label": "Great Dane"}, ()),  # the classifier alone
    ({"label": "Great Dane", "layers": ("conv3",)}, ("conv3",)),
    ({"guide": "g.png"}, ("conv2",)),  # guided at the default layers
    ({"guide": "g.png", "guide_layers": ("conv3",)}, ("conv3",)),
    ({"guide": "g.png", "guide_layers": ("conv3",), "layers": ("conv1",)}, ("conv1", "conv3")),
])
def test_required_layers_are_the_layers_the_objective_reads(kw, expected):
    config = DreamConfig(**kw)
    bb = FakeBackbone()
    assert required_layers(config, bb.spec) == expected
    build_objective(config, bb, photo() if config.guide else None)
    assert [sorted(names) for names in bb.extracted[-1:]] == ([sorted(expected)] if expected else [])


def test_sizes_are_checked_up_front_naming_the_input():
    spec = FakeBackbone().spec
    check_sizes(DreamConfig(), spec, image=(16, 400), guide=(16, 16))
    with pytest.raises(UsageError, match=r"^image: 400x8 px is too small; tiny needs at least 16 px"):
        check_sizes(DreamConfig(), spec, image=(8, 400))
    with pytest.raises(UsageError, match=r"^image: 400x16 px at long side 200 becomes 200x8 px.*at least 388 px"):
        check_sizes(DreamConfig(size=200), spec, image=(16, 400))
    with pytest.raises(UsageError, match=r"^guide: 400x16 px at long side 224 becomes 224x9 px"):
        check_sizes(DreamConfig(guide="g.png"), spec, guide=(16, 400))
    with pytest.raises(UsageError, match=r"^guide: "):  # the same check inside dream()
        dream(photo(), DreamConfig(guide="g.png", octaves=1, iterations=1), backbone=FakeBackbone(), guide=photo(8, 400))


def test_steps_offer_a_preview_of_the_current_image():
    seen = []

    def callback(event):
        if isinstance(event, Step):
            seen.append(event.preview())

    out = dream(photo(), DreamConfig(octaves=1, iterations=3), backbone=FakeBackbone(), callback=callback)
    assert len(seen) == 3 and torch.equal(seen[-1], out)
    assert not torch.equal(seen[0], seen[-1])  # each preview is the image at its step, a copy


@pytest.mark.parametrize("kw", [
    {"tile_size": 64, "grad_norm": "laplacian", "scale_jitter": 0.1, "rotate_jitter": 5.0},
    {"label": "Great Dane", "guide": "g.png"},
])
def test_runs_on_a_device_other_than_the_cpu(kw):
    # Every tensor dream makes must follow the backbone's device (fake_device enforces
    # CUDA's rules): tiles, jitter, transforms, class and guide objectives included.
    from fake_device import FAKE, move_module, on_fake_device

    class Elsewhere(FakeBackbone):
        def __init__(self) -> None:
            super().__init__()
            move_module(self.module)
            self.device = FAKE

    cfg = DreamConfig(octaves=2, iterations=2, **kw)
    guide = photo(seed=9) if cfg.guide else None
    with on_fake_device():
        out = dream(photo(80, 100), cfg, backbone=Elsewhere(), guide=guide)
    assert out.device == FAKE
    assert torch.allclose(out.inner, dream(photo(80, 100), cfg, backbone=FakeBackbone(), guide=guide), atol=1e-5)
