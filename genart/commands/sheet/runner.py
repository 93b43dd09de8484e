"""The sheet runner: no model; one job reads a folder's outputs and writes one image."""
from __future__ import annotations

from typing import Any

import numpy as np

from ...core.errors import GenartError
from ...engine import batch
from ...engine.runner import Runner
from .layout import contact_sheet
from .outputs import entries_from_folder


class SheetRunner(Runner):
    def process(self, job: batch.Job) -> dict[str, Any]:
        entries = entries_from_folder(job.item.path)
        if not entries:
            raise GenartError(f"{job.item.path}: no images written by genart")
        sheet = contact_sheet(entries, self.config)
        # Recorded as a sheet, so that a later sheet or gallery of the folder leaves it out.
        return self.save_image(job, np.asarray(sheet.convert("RGB")), pictures=len(entries))
