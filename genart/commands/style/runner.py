"""The style runner: the backbone and every style image are loaded once per run."""
from __future__ import annotations

from typing import Any

from ...core.events import StepLog
from ...engine import batch
from ...engine.media import is_video_item, render_video_job, video_callback
from ...engine.runner import Runner
from .algorithm import stylize
from .checks import required_layers
from .command import StyleSession


class StyleRunner(Runner):
    session: StyleSession

    def load(self) -> None:
        cfg = self.config
        self.backbone = self.load_backbone(pooling=cfg.pooling)
        self.backbone.extractor(list(required_layers(cfg)))  # bad layers fail once, before any job
        self.tensors: dict[str, Any] = {}
        for variant in self.session.styles:
            for path in [*variant.paths, *(m for m in variant.masks if m)]:
                if path not in self.tensors:
                    self.tensors[path] = self.read_tensor(path)
        self.init = self.read_tensor(cfg.init_image) if cfg.init == "image" else None

    def process(self, job: batch.Job) -> dict[str, Any]:
        variant = self.session.style(job)
        styles = [self.tensors[p] for p in variant.paths]
        masks = [None if m is None else self.tensors[m] for m in variant.masks]  # RGB masks are averaged by stylize
        inputs = {"style": list(variant.paths), "style_mask": list(variant.masks)}
        if is_video_item(job.item):
            return self._video(job, styles, masks, inputs)
        photo = self.read_image(job.item.path)
        from ...imageio import to_tensor

        log = StepLog(self.job_callback(job))  # scales may stop early: record what each ran
        out = stylize(to_tensor(photo), styles, self.config, backbone=self.backbone, style_masks=masks,
                      init_image=self.init, callback=log)
        # The photo's transparency (if any) is restored on the output (save_image resizes it).
        return self.save_image(job, out, alpha=photo.alpha, iterations_run=log.steps_run, **inputs)

    def _video(self, job: batch.Job, styles: list, masks: list, inputs: dict[str, Any]) -> dict[str, Any]:
        """Frame by frame, each from the previous one warped (genart.commands.style.video)."""
        from .video import stylize_frame

        cfg = self.config
        callback = video_callback(self)

        def render(ctx: Any) -> Any:
            return stylize_frame(ctx, styles, cfg, backbone=self.backbone, style_masks=masks,
                                 init_image=self.init, callback=callback)

        long_term = cfg.long_term if cfg.temporal_weight > 0 else ()
        return render_video_job(self, job, render, size=cfg.size, long_term=long_term, **inputs)
