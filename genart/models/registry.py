"""The backbone registry: the built-in catalog, backbones registered at run time, and any
torchvision classifier by name.

The catalog (:mod:`genart.models.catalog`) is plain data read here on first use; it never
imports this module back. Nothing here imports torch.

Example::

    get_spec("vgg19").layer("relu4_2").channels   # 512
    [s.name for s in list_specs()][:2]            # ['vgg19', 'vgg16']
"""
from __future__ import annotations

from ..core.config import closest
from ..core.errors import UsageError
from .spec import BackboneSpec

__all__ = ["get_spec", "list_specs", "register"]

_REGISTRY: dict[str, BackboneSpec] = {}
_catalog_read = False


def _registry() -> dict[str, BackboneSpec]:
    """The registry, the catalog's backbones first (read on first use)."""
    global _catalog_read
    if not _catalog_read:
        from .catalog import SPECS

        _catalog_read = True
        for spec in SPECS:
            register(spec)
    return _REGISTRY


def register(spec: BackboneSpec) -> BackboneSpec:
    """Add ``spec`` to the registry (a name may be registered once).

    Example::

        register(dataclasses.replace(get_spec("vgg19"), name="my-vgg", weights=None))
    """
    registry = _registry()
    if spec.name in registry:
        raise ValueError(f"backbone {spec.name!r} is already registered")
    registry[spec.name] = spec
    return spec


def list_specs() -> list[BackboneSpec]:
    """The registered backbones (torchvision classifiers reachable by name are not listed)."""
    return list(_registry().values())


def get_spec(name: str | BackboneSpec) -> BackboneSpec:
    """The spec of ``name``: a registered backbone or any torchvision classifier.

    Raises:
        UsageError: unknown name, with a "did you mean" suggestion.
    """
    if isinstance(name, BackboneSpec):
        return name
    registry = _registry()
    if name in registry:
        return registry[name]
    from .tv_generic import torchvision_classifier_names, torchvision_spec

    spec = torchvision_spec(name)
    if spec is not None:
        return spec
    candidates = [*registry, *torchvision_classifier_names()]
    raise UsageError(f"unknown backbone {name!r}{closest(name, candidates)}; see `genart models list`")
