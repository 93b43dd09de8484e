"""The classify runner: images are classified a chunk at a time, in one forward pass."""
from __future__ import annotations

from typing import Any, Sequence

from ...engine import batch
from ...core.errors import GenartError
from ...engine.runner import Runner
from .algorithm import classify


class ClassifyRunner(Runner):
    @classmethod
    def chunk_size(cls, session: Any) -> int:
        return session.config.batch_size

    def load(self) -> None:
        self.backbone = self.load_backbone()
        if not self.backbone.spec.has_classifier:
            raise GenartError(f"{self.config.model} has no ImageNet classifier; choose another model")

    def process_many(self, jobs: Sequence[batch.Job]) -> list[Any]:
        """Load a chunk's images (a bad file fails alone), then classify the rest at once."""
        results: list[Any] = [None] * len(jobs)
        loaded = []
        for i, job in enumerate(jobs):
            try:
                loaded.append((i, self.read_tensor(job.item.path)))
            except GenartError as exc:
                results[i] = exc
        if loaded:
            predictions = classify([t for _, t in loaded], self.config, backbone=self.backbone)
            for (i, _), preds in zip(loaded, predictions):
                results[i] = [p.as_dict() for p in preds]
        return results
