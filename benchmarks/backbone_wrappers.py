"""Backbones that run their network differently, for benchmarks of settings genart does
not offer (yet) for every command: a bf16 forward pass, and torch.compile.

Both wrap a loaded ``genart.models.Backbone`` and pass everything else through, so an
algorithm uses them as it would the backbone itself.

    net = Wrapped(backbone, bf16=True)             # extractor forward in bf16, fp32 out
    net = Wrapped(backbone, channels_last=True, compile_backend="inductor")
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable

import torch

__all__ = ["Wrapped"]


class Wrapped:
    """``backbone`` with its extractors (and classifier) run under bf16 autocast, returning
    fp32 (as genart's style does: losses and patch matching stay fp32), on channels-last
    input, and/or compiled with ``torch.compile(backend=compile_backend)``."""

    def __init__(
        self, backbone: Any, *, bf16: bool = False, channels_last: bool = False, compile_backend: str | None = None
    ) -> None:
        self._backbone = backbone
        self._bf16 = bf16
        self._channels_last = channels_last
        self._compile = compile_backend
        self._compiled_classify: Callable | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backbone, name)

    def _autocast(self):
        if not self._bf16:
            return contextlib.nullcontext()
        return torch.autocast(torch.device(self._backbone.device).type, dtype=torch.bfloat16)

    def _prepared(self, fn: Callable) -> Callable:
        return torch.compile(fn, backend=self._compile) if self._compile else fn

    def extractor(self, *args: Any, **kwargs: Any) -> Callable[[torch.Tensor], dict]:
        inner = self._prepared(self._backbone.extractor(*args, **kwargs))

        def run(x: torch.Tensor) -> dict:
            if self._channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            with self._autocast():
                feats = inner(x)
            return {k: v.float() for k, v in feats.items()}

        return run

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        if self._compiled_classify is None:
            self._compiled_classify = self._prepared(self._backbone.classify)
        with self._autocast():
            return self._compiled_classify(x).float()
