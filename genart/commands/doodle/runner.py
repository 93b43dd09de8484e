"""The doodle runner: the backbone and the shared images are loaded once per run."""
from __future__ import annotations

from typing import Any

from ...core.events import StepLog
from ...engine import batch
from ...engine.runner import Runner
from .algorithm import doodle
from .checks import required_layers
from .command import DoodleSession


class DoodleRunner(Runner):
    session: DoodleSession

    def load(self) -> None:
        cfg, s = self.config, self.session
        self.backbone = self.load_backbone()
        self.backbone.extractor(list(required_layers(cfg, content=bool(s.content))))  # bad layers fail once
        paths = {"style": s.style, "style_map": s.style_map, "content": s.content, "content_map": s.content_map}
        self.shared = {name: self.read_tensor(path) if path else None for name, path in paths.items()}

    def process(self, job: batch.Job) -> dict[str, Any]:
        s, shared = self.session, self.shared
        target = self.read_tensor(job.item.path) if s.targets else None
        style_map = shared["style_map"]
        if target is None and shared["content_map"] is None and not self.config.auto_map:
            style_map = None  # no doodle and no content map: unguided (texture or plain transfer)
        target_name = job.item.path if target is not None else s.content_map or "content map"
        log = StepLog(self.job_callback(job))  # phases may stop early: record what each ran
        out = doodle(shared["style"], style_map, target, self.config, backbone=self.backbone,
                     content=shared["content"], content_map=shared["content_map"], callback=log,
                     map_names=(s.style_map or "style map", target_name))
        return self.save_image(job, out, style=s.style, style_map=s.style_map, content=s.content,
                               iterations_run=log.steps_run,
                               target_map=job.item.path if target is not None else None)
