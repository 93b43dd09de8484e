"""Loading a backbone: build the architecture, load (or randomly initialise) its weights.

Registered backbones are built on the meta device and only the tensors a weights file
provides are materialised. Parameters a partial file lacks stay on the meta device, where
any attempt to compute with them fails: they can never be used silently with random values.
Which named layers are usable follows from that: a layer is available when it and every
layer before it have all their weights.

Example::

    bb = load_backbone("googlenet-bvlc", weights="random")
    feats = bb.extractor(["inception_4c"])(torch.rand(1, 3, 64, 64))
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, Sequence

import torch
from torch import nn

from ..core.errors import LayerError, UsageError, WeightsError
from ..core.events import EventCallback, Message, emit
from .extractor import FeatureExtractor, Normalize, check_rgb_batch
from .loading import match_state_dict, read_state_dict
from .random_init import random_values
from .registry import get_spec
from .spec import BackboneSpec, LayerInfo, Preprocess
from .weights import resolve_weights

__all__ = ["Backbone", "ClassificationTransform", "covered_layers", "load_backbone"]

POOLINGS = ("max", "avg")


def load_backbone(
    name: str | BackboneSpec,
    weights: str | os.PathLike | None = None,
    *,
    device: str | torch.device = "cpu",
    offline: bool | None = None,
    pooling: str = "max",
    callback: EventCallback | None = None,
    seed: int = 0,
) -> "Backbone":
    """Build backbone ``name`` with its weights, frozen and in eval mode.

    Args:
        name: a registered backbone or any torchvision classifier name.
        weights: ``None`` (find or download the published file), ``"random"`` (seeded
            random init, never looks for a file) or a weights file.
        device: where the module lives.
        offline: forbid downloads; ``None`` reads ``GENART_OFFLINE``.
        pooling: ``"max"`` or ``"avg"``: the pooling layers of feature extractors.
        callback: receives download progress and loading messages.
        seed: the random-init seed (``weights="random"`` only).

    Raises:
        UsageError: unknown name or pooling; WeightsError / WeightsUnavailableOffline.
    """
    spec = get_spec(name)
    if pooling not in POOLINGS:
        raise UsageError(f"pooling must be one of {', '.join(POOLINGS)}, got {pooling!r}")
    device = _device(device)
    module = _build(spec, seed)
    expected = module.state_dict()
    stage_keys = _stage_keys(spec, module)
    if isinstance(weights, str) and weights == "random":
        path = None
        # the trunk now; a classifier head only when classify() first needs it (VGG's is 0.5 GB).
        # Eagerly built modules (lazy_init=False) were already seeded-initialised by _build.
        trunk = set().union(*stage_keys.values())
        values = random_values(module, trunk, seed) if spec.lazy_init else {}
    else:
        path = resolve_weights(spec, weights, offline=offline, callback=callback)
        emit(callback, Message(f"{spec.name}: loading weights from {path}", "debug"))
        values = match_state_dict(spec, expected, read_state_dict(path), path)
        _add_optional(values, expected)
    loaded = _materialize(spec, module, values, expected, device, path)
    return Backbone(spec, module, device, path, stage_keys, loaded, pooling, seed)


def covered_layers(spec: BackboneSpec, raw: dict[str, Any], path: os.PathLike) -> tuple[str, ...]:
    """The named layers of ``spec`` that the state dict ``raw`` (read from ``path``) has
    every weight of, in order; nothing is materialised (the network is built on the meta
    device).

    Raises:
        WeightsError: ``raw`` does not fit ``spec`` (other keys or shapes).
    """
    with torch.device("meta"):
        module = spec.build()
    values = match_state_dict(spec, module.state_dict(), raw, Path(path))
    covered = []
    for name, keys in _stage_keys(spec, module).items():
        if not keys <= set(values):
            break
        covered.append(name)
    return tuple(covered)


def _device(device: str | torch.device) -> torch.device:
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UsageError("device cuda: no CUDA GPU is available")
    return device


def _build(spec: BackboneSpec, seed: int) -> nn.Module:
    if spec.lazy_init:
        with torch.device("meta"):
            module = spec.build()
    else:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = spec.build()
    for m in module.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False  # an in-place ReLU would overwrite the conv output we return
    return module.eval()


def _stage_keys(spec: BackboneSpec, module: nn.Module) -> dict[str, set[str]]:
    """For each named layer, the state-dict keys of the modules that compute it."""
    keys = {}
    for info in spec.layers():
        keys[info.name] = {
            f"{path}.{k}" for path in info.modules for k in module.get_submodule(path).state_dict()
        }
    return keys


def _add_optional(values: dict[str, torch.Tensor], expected: dict[str, torch.Tensor]) -> None:
    """Old files lack batch norm's ``num_batches_tracked`` counter, which eval never reads."""
    for key in expected:
        if key.endswith(".num_batches_tracked") and key not in values:
            if key.rsplit(".", 1)[0] + ".running_mean" in values:
                values[key] = torch.zeros((), dtype=torch.long)


def _materialize(
    spec: BackboneSpec,
    module: nn.Module,
    values: dict[str, torch.Tensor],
    expected: dict[str, torch.Tensor],
    device: torch.device,
    path: os.PathLike | None,
) -> set[str]:
    """Put ``values`` into ``module`` on ``device``; return the keys now holding real values."""
    if spec.lazy_init:
        module.load_state_dict({k: v.to(device) for k, v in values.items()}, strict=False, assign=True)
        loaded = set(values)
    else:
        missing = [k for k in expected if k not in values]
        if path is not None and missing:
            raise WeightsError(f"{path}: lacks {len(missing)} of {spec.name}'s weights, e.g. {missing[0]}")
        if values:
            module.load_state_dict(values, strict=True)
        module.to(device)
        loaded = set(expected)
    module.requires_grad_(False)
    return loaded


class ClassificationTransform:
    """RGB [0, 1] batch of any size -> short side resized to ``resize``, centre ``crop``.

    ``interpolation`` ("bilinear" or "bicubic") is the filter the weights were evaluated
    with; torchvision's EfficientNet, Swin, MaxViT and others used bicubic.
    """

    def __init__(self, resize: int, crop: int, interpolation: str = "bilinear") -> None:
        self.resize, self.crop, self.interpolation = resize, crop, interpolation

    def __call__(self, img: torch.Tensor) -> torch.Tensor:
        from torchvision.transforms.v2 import InterpolationMode
        from torchvision.transforms.v2 import functional as F

        check_rgb_batch(img, "classification transform")
        mode = InterpolationMode(self.interpolation)
        x = F.resize(img, [self.resize], interpolation=mode, antialias=True)
        return F.center_crop(x, [self.crop, self.crop])

    def __repr__(self) -> str:
        return f"ClassificationTransform(resize={self.resize}, crop={self.crop}, interpolation={self.interpolation!r})"


class Backbone:
    """A loaded, frozen network with named layers. Make one with :func:`load_backbone`."""

    def __init__(
        self,
        spec: BackboneSpec,
        module: nn.Module,
        device: torch.device,
        weights_path: os.PathLike | None,
        stage_keys: dict[str, set[str]],
        loaded: set[str],
        pooling: str,
        seed: int,
    ) -> None:
        self.spec = spec
        self.module = module
        self.device = device
        self.weights_path = weights_path  # None for random weights
        self.pooling = pooling
        self._seed = seed
        self._stage_keys = stage_keys
        self._loaded = loaded
        self._normalize = Normalize(self.preprocess).to(device)
        self.available_layers: tuple[str, ...] = self._available()
        if spec.layer_table and not self.available_layers and weights_path is not None:
            first = spec.layer_table[0].name
            raise WeightsError(f"{weights_path}: lacks the weights of {spec.name}'s first layer ({first})")

    def __repr__(self) -> str:
        source = self.weights_path or "random"
        return f"Backbone({self.spec.name!r}, weights={str(source)!r}, device={str(self.device)!r})"

    # ------------------------------------------------------------------ preprocessing
    @functools.cached_property
    def _tv_transform(self) -> Any:
        import torchvision

        return torchvision.models.get_weight(self.spec.tv_weights).transforms()

    @functools.cached_property
    def preprocess(self) -> Preprocess:
        """Mean/std/scale/channel order; from torchvision's transforms unless the spec says."""
        if self.spec.preprocess is not None:
            return self.spec.preprocess
        t = self._tv_transform
        return Preprocess(mean=tuple(t.mean), std=tuple(t.std))

    def normalize(self, img: torch.Tensor) -> torch.Tensor:
        """RGB [0, 1] (N, 3, H, W) -> network input."""
        check_rgb_batch(img, self.spec.name)
        return self._normalize(img)

    @functools.cached_property
    def classification_transform(self) -> ClassificationTransform:
        """Resize + centre crop as the model was evaluated: sizes and filter from the
        torchvision weights' transforms, unless the spec gives its own sizes (bilinear)."""
        if self.spec.classify_size is not None:
            return ClassificationTransform(*self.spec.classify_size)
        t = self._tv_transform
        return ClassificationTransform(int(t.resize_size[0]), int(t.crop_size[0]), t.interpolation.value)

    @functools.cached_property
    def categories(self) -> list[str]:
        """The 1000 ImageNet labels in the classifier's output order."""
        import torchvision

        return list(torchvision.models.get_weight(self.spec.tv_weights).meta["categories"])

    # ------------------------------------------------------------------------ layers
    def _available(self) -> tuple[str, ...]:
        names = []
        for info in self.spec.layers():
            if not self._stage_keys[info.name] <= self._loaded:
                break
            names.append(info.name)
        return tuple(names)

    def layer(self, name: str) -> LayerInfo:
        """The layer called ``name`` (aliases accepted); LayerError if unknown."""
        return self.spec.layer(name)

    def extractor(self, layers: Sequence[str] | str, *, pooling: str | None = None) -> FeatureExtractor:
        """A module returning the activations of ``layers`` (validated now).

        Args:
            layers: layer names (see ``spec.layers()``); aliases are accepted.
            pooling: override the backbone's pooling ("max" or "avg") for this extractor.

        Raises:
            LayerError: an unknown name, or a layer the weights file does not cover.
        """
        names = [layers] if isinstance(layers, str) else list(layers)
        if not names:
            raise LayerError(f"{self.spec.name}: no layers requested")
        pooling = pooling or self.pooling
        if pooling not in POOLINGS:
            raise UsageError(f"pooling must be one of {', '.join(POOLINGS)}, got {pooling!r}")
        infos = [self.spec.layer(n) for n in names]
        for info in infos:
            if info.name not in self.available_layers:
                raise LayerError(self._beyond(info))
        order = self.spec.layer_names
        depth = max(order.index(info.name) for info in infos)
        stages = [(info.name, self._stage(info, pooling)) for info in self.spec.layers()[: depth + 1]]
        requested = list(dict.fromkeys(zip(names, (i.name for i in infos))))
        return FeatureExtractor(self.spec.name, self._normalize, stages, requested, self.spec.min_size)

    def _stage(self, info: LayerInfo, pooling: str) -> nn.Module:
        modules = [self.module.get_submodule(p) for p in info.modules]
        if pooling == "avg" and info.kind == "pool" and isinstance(modules[0], nn.MaxPool2d):
            m = modules[0]
            modules = [nn.AvgPool2d(m.kernel_size, m.stride, m.padding, m.ceil_mode, count_include_pad=False)]
        return modules[0] if len(modules) == 1 else nn.Sequential(*modules)

    def _beyond(self, info: LayerInfo) -> str:
        """Why ``info`` is unusable: it lies beyond what the weights file covers."""
        covered = [i for i in self.spec.layers() if i.name in self.available_layers]
        source = os.path.basename(str(self.weights_path))
        last = [i for i in covered if i.kind != "pool"][-1]
        extra = f" (and {covered[-1].name})" if covered[-1] is not last else ""
        return (
            f"{self.spec.name}: layer {info.name} lies beyond the weights in {source}, "
            f"which covers layers up to {last.name}{extra}"
        )

    # -------------------------------------------------------------------- classify
    @property
    def has_classifier_weights(self) -> bool:
        """Whether :meth:`classify` can run (random weights: always)."""
        head = set(self.module.state_dict()) - set().union(*self._stage_keys.values())
        whole = len(self.available_layers) == len(self.spec.layer_table)
        return self.spec.has_classifier and whole and (self.weights_path is None or head <= self._loaded)

    def classify(self, img: torch.Tensor) -> torch.Tensor:
        """ImageNet logits (N, 1000) for an RGB [0, 1] batch already resized and cropped
        (see :attr:`classification_transform`).

        Raises:
            WeightsError: the weights file has no classifier or covers only part of the net.
        """
        self._require_classifier()
        return self.module(self.normalize(img))

    def _require_classifier(self) -> None:
        if not self.spec.has_classifier:
            raise WeightsError(f"{self.spec.name}: has no ImageNet classifier")
        head = [k for k in self.module.state_dict() if k not in self._loaded]
        if not head:
            return
        if self.weights_path is None:  # random weights: the head is made on first use
            values = random_values(self.module, set(head), self._seed + 1)
            module_values = {k: v.to(self.device) for k, v in values.items()}
            self.module.load_state_dict(module_values, strict=False, assign=True)
            self.module.requires_grad_(False)
            self._loaded |= set(values)
            return
        if len(self.available_layers) < len(self.spec.layer_table):
            last = self.available_layers[-1]
            raise WeightsError(
                f"{self.weights_path}: covers {self.spec.name} only up to {last}; classification needs the whole network"
            )
        to_file = self.spec.key_to_file or (lambda k: k)
        raise WeightsError(
            f"{self.weights_path}: has no classifier weights ({to_file(head[0])}); "
            f"{self.spec.name} can extract features with it but not classify"
        )
