"""What genart knows about a backbone before building it: the spec's data types.

Nothing here imports torch, so ``genart models list`` / ``layers`` and the CLI's option
checks stay fast. A :class:`BackboneSpec` is plain data plus a ``build`` callable that
imports torch only when called; the backbones themselves are declared in
:mod:`genart.models.catalog` and looked up through :mod:`genart.models.registry`.

Example::

    spec = get_spec("vgg19")      # genart.models.get_spec
    [layer.name for layer in spec.layers()][:3]   # ['conv1_1', 'relu1_1', 'conv1_2']
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..core.config import closest
from ..core.errors import LayerError

__all__ = ["BackboneSpec", "LayerInfo", "Preprocess", "WeightsSource"]

# torch.hub's convention: "name-<first hex digits of the sha256>.ext".
_HASH_IN_NAME = re.compile(r"-([a-f0-9]{8,64})\.")


@dataclass(frozen=True)
class LayerInfo:
    """One named layer of a backbone, in forward order.

    ``stride`` is the nominal number of input pixels per activation pixel (exact sizes
    also depend on padding and rounding). ``modules`` are the paths, inside the built
    ``nn.Module``, of the submodules that compute this layer from the previous one.
    """

    name: str
    channels: int
    kind: str = "conv"  # "conv", "relu", "pool", "norm" or "block"
    stride: int = 1
    modules: tuple[str, ...] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True)
class WeightsSource:
    """Where a backbone's pretrained weights come from."""

    filename: str  # the name looked for in GENART_WEIGHTS_DIR and the hub cache
    url: str | None  # None: no download; the user must supply the file
    sha256: str | None = None  # the full published digest, where there is one

    @property
    def expected_hash(self) -> str | None:
        """The full sha256, else the torch-hub style prefix in the file name, else None."""
        if self.sha256:
            return self.sha256.lower()
        match = _HASH_IN_NAME.search(self.filename)
        return match.group(1) if match else None

    @property
    def checksum_note(self) -> str:
        """How a download of this file is checked, in words."""
        if self.sha256:
            return "sha256"
        if self.expected_hash:
            return f"sha256 prefix {self.expected_hash} (from the file name)"
        return "no published checksum"


@dataclass(frozen=True)
class Preprocess:
    """How an RGB [0, 1] image becomes network input: ``(rgb_or_bgr * scale - mean) / std``.

    ``mean`` and ``std`` are in the network's channel order and value scale.
    """

    mean: tuple[float, float, float]
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    scale: float = 1.0
    bgr: bool = False


@dataclass(frozen=True)
class BackboneSpec:
    """A registered backbone: its builder, preprocessing, named layers and weights.

    ``preprocess`` and ``classify_size`` (resize of the short side, centre crop) are
    ``None`` for torchvision networks: they then come from the transforms of the
    torchvision Weights entry ``tv_weights``, which also supplies the ImageNet labels.
    ``key_to_module`` maps a weights file's keys to the module's (``None`` drops a key,
    e.g. an auxiliary classifier); ``key_to_file`` is its inverse, for messages.
    ``lazy_init`` builds on the meta device so that parameters absent from a weights file
    are never materialised (and so can never be used with random values).
    """

    name: str
    family: str  # "vgg" | "googlenet" | "inception" | "resnet" | "alexnet" | "classifier"
    description: str
    build: Callable[[], Any] = field(repr=False, compare=False)
    layer_table: tuple[LayerInfo, ...] = field(default=(), repr=False)
    aliases: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    min_size: int = 32
    weights: WeightsSource | None = None
    has_classifier: bool = True
    default_dream_layers: tuple[str, ...] = ()
    preprocess: Preprocess | None = None
    classify_size: tuple[int, int] | None = None
    tv_weights: str | None = None
    key_to_module: Callable[[str], str | None] | None = field(default=None, repr=False, compare=False)
    key_to_file: Callable[[str], str] | None = field(default=None, repr=False, compare=False)
    lazy_init: bool = True

    def __hash__(self) -> int:
        return hash(self.name)

    def layers(self) -> list[LayerInfo]:
        """The named layers in forward order, with their channel counts (no weights needed)."""
        return list(self.layer_table)

    @property
    def layer_names(self) -> tuple[str, ...]:
        return tuple(info.name for info in self.layer_table)

    def layer(self, name: str) -> LayerInfo:
        """The layer called ``name`` (aliases and case-insensitive spellings accepted).

        Raises:
            LayerError: unknown name, with a "did you mean" suggestion.
        """
        by_name = {info.name: info for info in self.layer_table}
        canonical = self.aliases.get(name, name)
        if canonical in by_name:
            return by_name[canonical]
        folded = {key.lower(): value for key, value in {**self.aliases, **{n: n for n in by_name}}.items()}
        if name.lower() in folded:
            return by_name[folded[name.lower()]]
        if not self.layer_table:
            raise LayerError(
                f"{self.name}: has no named feature layers (it is for classification only); "
                "`genart models list` shows the backbones that have them"
            )
        raise LayerError(
            f"{self.name}: unknown layer {name!r}{closest(name, [*by_name, *self.aliases])}; "
            f"see `genart models layers {self.name}`"
        )
