"""The dream runner: the backbone (and a guide image) are loaded once per run."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ...engine import batch
from ...engine.media import is_video_item, render_video_job, video_callback
from ...engine.runner import Runner
from .algorithm import dream, dream_frames, video_frame_config, video_start
from .animation import frame_path, write_animation, written_frames
from .checks import required_layers
from .objectives import label_index


class DreamRunner(Runner):
    def load(self) -> None:
        cfg = self.config
        self.backbone = self.load_backbone()
        # Bad layers (guide layers included) or a bad label fail once, before any job.
        layers = (cfg.visualize,) if cfg.visualize else required_layers(cfg, self.backbone.spec)
        if layers:  # none when only a class is dreamed
            self.backbone.extractor(list(layers))
        if cfg.label:
            label_index(cfg.label, self.backbone.categories)
        self.guide = self.read_tensor(cfg.guide) if cfg.guide else None

    def process(self, job: batch.Job) -> dict[str, Any]:
        if self.config.visualize:
            return self._atlas(job)
        if is_video_item(job.item):
            return self._video(job)
        return self._animate(job) if self.config.frames else self._dream(job)

    def _atlas(self, job: batch.Job) -> dict[str, Any]:
        from .atlas import dream_atlas

        sheet = dream_atlas(self.config, self.backbone, callback=self.job_callback(job))
        return self.save_image(job, sheet, layer=self.config.visualize)

    def _video(self, job: batch.Job) -> dict[str, Any]:
        """Frame by frame, each starting from the previous dream warped into it (--blend)."""
        import dataclasses

        cfg = dataclasses.replace(self.config, size=None)  # the frames are decoded at --size
        callback = video_callback(self)

        def render(ctx: Any) -> Any:
            start = video_start(ctx.tensor("source"), ctx.tensor("warped"), ctx.tensor("mask"), cfg.blend)
            frame_cfg = video_frame_config(cfg, ctx.new_shot)
            return dream(start, frame_cfg, backbone=self.backbone, guide=self.guide, callback=callback)

        return render_video_job(self, job, render, size=self.config.size)

    def _input(self, job: batch.Job) -> tuple[Any, Any]:
        """The job's image as a tensor (dream resizes it to ``size``) and its alpha (the
        saver resizes that to the output)."""
        from ...imageio import to_tensor

        loaded = self.read_image(job.item.path)
        return to_tensor(loaded), loaded.alpha

    def _dream(self, job: batch.Job) -> dict[str, Any]:
        image, alpha = self._input(job)
        out = dream(image, self.config, backbone=self.backbone, guide=self.guide, callback=self.job_callback(job))
        return self.save_image(job, out, alpha=alpha)

    def _animate(self, job: batch.Job) -> dict[str, Any]:
        """Numbered frames into ``<stem>_frames/`` beside the output, resuming after the
        frames already there (unless overwrite), then the animation at the job's output
        (with ``animation: none`` only the frames are written)."""
        from ...imageio import load_image, save_image, to_tensor

        cfg = self.config
        out = Path(job.output)
        folder, stem = out.with_name(out.stem + "_frames"), out.stem
        folder.mkdir(parents=True, exist_ok=True)
        done = 0 if self.session.overwrite else written_frames(folder, stem, cfg.frames)
        if done:
            self.info(f"{job.item.name}: resuming after {done} frame(s) in {folder}")
            image = to_tensor(load_image(frame_path(folder, stem, done - 1)))
        else:
            image, _ = self._input(job)
        for index, frame in dream_frames(image, cfg, backbone=self.backbone, guide=self.guide, start_frame=done,
                                         callback=self.job_callback(job)):
            save_image(frame, str(frame_path(folder, stem, index)), metadata=self.session.metadata(job, frame=index))
        paths = [frame_path(folder, stem, i) for i in range(cfg.frames)]
        if cfg.animation != "none":
            write_animation(paths, out, fps=cfg.fps)
        height, width = image.shape[-2:]
        return {"width": int(width), "height": int(height), "frames": cfg.frames, "frames_dir": str(folder)}
