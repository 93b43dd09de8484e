"""classify(): ranked ImageNet classes, with the shared precision and memory-format settings."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from genart.commands.classify.algorithm import classify
from genart.commands.classify.config import ClassifyConfig
from genart.core.errors import UsageError
from genart.models import load_backbone


@pytest.fixture(scope="module")
def resnet():
    return load_backbone("resnet18", weights="random")


def _images():
    g = torch.Generator().manual_seed(0)
    return [torch.rand(1, 3, 40, 60, generator=g), torch.rand(3, 50, 30, generator=g)]


def test_top_k_sorted_with_labels_for_every_layout(resnet):
    results = {}
    for memory_format in ("contiguous", "channels-last", "auto"):
        cfg = ClassifyConfig(model="resnet18", topk=3, batch_size=1, precision="fp32", memory_format=memory_format)
        results[memory_format] = classify(_images(), cfg, backbone=resnet)
    preds = results["contiguous"]
    assert [len(p) for p in preds] == [3, 3]
    probs = [x.probability for x in preds[0]]
    assert probs == sorted(probs, reverse=True) and preds[0][0].label == resnet.categories[preds[0][0].index]
    for other in results.values():  # the layout changes nothing but speed
        assert [x.index for x in other[0]] == [x.index for x in preds[0]]
        assert [x.probability for x in other[1]] == pytest.approx([x.probability for x in preds[1]], rel=1e-4)


def test_bf16_gives_valid_probabilities(resnet):
    preds = classify(_images(), ClassifyConfig(model="resnet18", precision="bf16"), backbone=resnet)
    assert all(0 <= p.probability <= 1 for row in preds for p in row)


def test_a_model_without_a_classifier_is_a_usage_error():
    backbone = SimpleNamespace(spec=SimpleNamespace(name="featuresonly", has_classifier=False))
    with pytest.raises(UsageError, match="model: featuresonly has no ImageNet classifier"):
        classify(_images(), ClassifyConfig(), backbone=backbone)
