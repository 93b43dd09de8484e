"""The rules runner: no model; each job draws one seed and writes SVG or pixels."""
from __future__ import annotations

import dataclasses
from typing import Any

from ...engine import batch
from ...engine.runner import Runner
from .generators import OutputOptions, render, write


class RulesRunner(Runner):
    def process(self, job: batch.Job) -> dict[str, Any]:
        name = self.session.command.split("/")[-1]
        config = dataclasses.replace(self.config, seed=job.item.seed)
        drawing = render(name, config)
        if job.output != batch.STDIO:
            from pathlib import Path

            Path(job.output).parent.mkdir(parents=True, exist_ok=True)
        metadata = self.session.metadata(job)
        metadata["config"]["seed"] = job.item.seed
        for warning in write(drawing, job.output, fmt=self.session.image_format, metadata=metadata,
                             options=OutputOptions.from_config(config)):
            self.warn(f"{job.output}: {warning}")
        return {"seed": job.item.seed}
