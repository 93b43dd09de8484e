"""The gallery runner: no model; one job writes the page of one folder."""
from __future__ import annotations

from typing import Any

from ...engine import batch
from ...engine.runner import Runner
from .build import write_gallery


class GalleryRunner(Runner):
    def process(self, job: batch.Job) -> dict[str, Any]:
        result = write_gallery(job.item.path, job.output, self.config)
        for warning in result.warnings:
            self.warn(warning)
        if result.others:
            self.info(f"{len(result.others)} image(s) without genart's record were left out")
        return {"index": str(result.index), "images": result.images}
