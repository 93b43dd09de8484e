"""ImageNet top-k classification on any registered backbone with a classifier."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch

from .config import ClassifyConfig
from ...core.device import Compute
from ...core.errors import UsageError

__all__ = ["Prediction", "classify"]


@dataclass(frozen=True)
class Prediction:
    """One ranked class for one image."""

    rank: int  # 1-based
    label: str
    probability: float
    index: int  # ImageNet class index 0..999

    def as_dict(self) -> dict:
        return {"rank": self.rank, "label": self.label, "probability": self.probability, "index": self.index}


@torch.inference_mode()
def classify(
    images: Sequence[torch.Tensor], config: ClassifyConfig, *, backbone
) -> list[list[Prediction]]:
    """Rank the ImageNet classes of each image.

    Args:
        images: RGB tensors (1, 3, H, W) or (3, H, W) in [0, 1], any sizes.
        config: top-k, batch size and precision.
        backbone: a loaded :class:`genart.models.Backbone` with a classifier.

    Returns:
        For each image, ``config.topk`` predictions, most probable first.

    Example::

        bb = load_backbone("googlenet-bvlc")
        preds = classify([img], ClassifyConfig(topk=3), backbone=bb)
    """
    if not backbone.spec.has_classifier:
        raise UsageError(f"model: {backbone.spec.name} has no ImageNet classifier; choose another model")
    device = backbone.device
    compute = Compute.resolve(device, precision=config.precision, memory_format=config.memory_format)
    results: list[list[Prediction]] = []
    for start in range(0, len(images), config.batch_size):
        chunk = [im if im.dim() == 4 else im.unsqueeze(0) for im in images[start : start + config.batch_size]]
        batch = torch.cat([backbone.classification_transform(im.to(device)) for im in chunk])
        logits = compute.run(backbone.classify, batch)
        probs = logits.float().softmax(dim=1)
        top = probs.topk(min(config.topk, probs.shape[1]), dim=1)
        for values, indices in zip(top.values.tolist(), top.indices.tolist()):
            results.append(
                [
                    Prediction(rank + 1, backbone.categories[i], p, i)
                    for rank, (p, i) in enumerate(zip(values, indices))
                ]
            )
    return results
