"""The built-in backbones as plain data (the builders import torch only when called).

:data:`SPECS` is read by :mod:`genart.models.registry`; nothing here registers itself.

Default dream layers are mid-level layers at stride 16, where DeepDream's characteristic
eyes, dogs and pagodas appear: ``inception_4c`` for GoogLeNet (the layer of the original
DeepDream notebook), ``relu4_3`` for VGG, ``Mixed_6b`` for Inception v3, ``layer3`` for
ResNet-50 and ``relu4`` for AlexNet.
"""
from __future__ import annotations

import re
from typing import Callable

from . import tables
from .spec import BackboneSpec, Preprocess, WeightsSource

TV_URL = "https://download.pytorch.org/models/"

# Caffe VGG: BGR, 0-255, minus the ILSVRC mean pixel (Simonyan & Zisserman 2014, as
# published with the Caffe model zoo weights).
CAFFE_VGG = Preprocess(mean=(103.939, 116.779, 123.68), scale=255.0, bgr=True)
# BVLC GoogLeNet: BGR, 0-255, minus the rounded mean pixel (104, 117, 123) of its
# train_val.prototxt.
CAFFE_GOOGLENET = Preprocess(mean=(104.0, 117.0, 123.0), scale=255.0, bgr=True)
# torchvision's GoogLeNet and Inception v3 were ported from TensorFlow and expect inputs in
# [-1, 1]; torchvision folds that into ``transform_input`` after ImageNet normalisation,
# which composes to exactly (x - 0.5) / 0.5. We build them with transform_input=False and
# normalise so directly (tests/test_models_tv.py checks the two agree).
TF_RANGE = Preprocess(mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))


def _tv(name: str, **kwargs) -> Callable[[], object]:
    def build():
        import torchvision

        return torchvision.models.get_model(name, weights=None, **kwargs)

    build.__qualname__ = f"build_{name}"
    return build


def _drop(*prefixes: str) -> Callable[[str], str | None]:
    """A key map that ignores keys of auxiliary heads genart never uses."""

    def key_to_module(key: str) -> str | None:
        return None if key.startswith(prefixes) else key

    return key_to_module


def _build_bvlc():
    from .caffe_googlenet import BVLCGoogLeNet

    return BVLCGoogLeNet()


# Caffe names inception branches "inception_3a/1x1"; the file writes "inception_3a_1x1",
# our module nests them as "inception_3a.1x1".
_BVLC_BRANCH = re.compile(r"^(inception_\d[a-e])_")
_BVLC_NESTED = re.compile(r"^(inception_\d[a-e])\.")


def _bvlc_key_to_module(key: str) -> str | None:
    if key.startswith(("loss1_", "loss2_", "loss1/", "loss2/")):
        return None  # the auxiliary classifiers (training only)
    return _BVLC_BRANCH.sub(r"\1.", key.replace("/", "_"), count=1)


def _bvlc_key_to_file(key: str) -> str:
    return _BVLC_NESTED.sub(r"\1_", key, count=1)


VGG_DREAM = ("relu4_3",)

SPECS: tuple[BackboneSpec, ...] = (
    BackboneSpec(
        name="vgg19",
        family="vgg",
        description="VGG19, torchvision weights",
        build=_tv("vgg19"),
        layer_table=tables.vgg_layers((2, 2, 4, 4, 4)),
        min_size=32,
        weights=WeightsSource("vgg19-dcbb9e9d.pth", TV_URL + "vgg19-dcbb9e9d.pth"),
        default_dream_layers=VGG_DREAM,
        tv_weights="VGG19_Weights.IMAGENET1K_V1",
    ),
    BackboneSpec(
        name="vgg16",
        family="vgg",
        description="VGG16, torchvision weights",
        build=_tv("vgg16"),
        layer_table=tables.vgg_layers((2, 2, 3, 3, 3)),
        min_size=32,
        weights=WeightsSource("vgg16-397923af.pth", TV_URL + "vgg16-397923af.pth"),
        default_dream_layers=VGG_DREAM,
        tv_weights="VGG16_Weights.IMAGENET1K_V1",
    ),
    BackboneSpec(
        name="vgg19-caffe",
        family="vgg",
        description="VGG19, original Caffe weights of the classic neural-style tools",
        build=_tv("vgg19"),
        layer_table=tables.vgg_layers((2, 2, 4, 4, 4)),
        min_size=32,
        weights=WeightsSource(
            "vgg19-d01eb7cb.pth", "https://web.eecs.umich.edu/~justincj/models/vgg19-d01eb7cb.pth"
        ),
        default_dream_layers=VGG_DREAM,
        preprocess=CAFFE_VGG,
        classify_size=(256, 224),
        tv_weights="VGG19_Weights.IMAGENET1K_V1",  # labels only
    ),
    BackboneSpec(
        name="googlenet",
        family="googlenet",
        description="GoogLeNet (Inception v1, batch-norm variant), torchvision weights",
        build=_tv("googlenet", aux_logits=False, transform_input=False, init_weights=False),
        layer_table=tables.googlenet_tv_layers(),
        aliases=tables.googlenet_aliases(caffe=False),
        min_size=15,
        weights=WeightsSource("googlenet-1378be20.pth", TV_URL + "googlenet-1378be20.pth"),
        default_dream_layers=("inception_4c",),
        preprocess=TF_RANGE,
        tv_weights="GoogLeNet_Weights.IMAGENET1K_V1",
        key_to_module=_drop("aux1.", "aux2."),
    ),
    BackboneSpec(
        name="googlenet-bvlc",
        family="googlenet",
        description="BVLC Caffe GoogLeNet, the original DeepDream network",
        build=_build_bvlc,
        layer_table=tables.googlenet_bvlc_layers(),
        aliases=tables.googlenet_aliases(caffe=True),
        min_size=31,  # pool4 needs a 2x2 input; each ceil-mode pool maps n to ceil((n - 3) / 2) + 1
        weights=WeightsSource(
            "bvlc_googlenet.pth",
            "https://github.com/ProGamerGov/pytorch-old-caffemodels/raw/master/bvlc_googlenet.pth",
        ),
        default_dream_layers=("inception_4c",),
        preprocess=CAFFE_GOOGLENET,
        classify_size=(256, 224),
        tv_weights="GoogLeNet_Weights.IMAGENET1K_V1",  # labels only
        key_to_module=_bvlc_key_to_module,
        key_to_file=_bvlc_key_to_file,
    ),
    BackboneSpec(
        name="inception_v3",
        family="inception",
        description="Inception v3, torchvision weights",
        build=_tv("inception_v3", aux_logits=False, transform_input=False, init_weights=False),
        layer_table=tables.inception_v3_layers(),
        min_size=75,
        weights=WeightsSource("inception_v3_google-0cc3c7bd.pth", TV_URL + "inception_v3_google-0cc3c7bd.pth"),
        default_dream_layers=("Mixed_6b",),
        preprocess=TF_RANGE,
        tv_weights="Inception_V3_Weights.IMAGENET1K_V1",
        key_to_module=_drop("AuxLogits."),
    ),
    BackboneSpec(
        name="resnet50",
        family="resnet",
        description="ResNet-50, torchvision weights (IMAGENET1K_V2)",
        build=_tv("resnet50"),
        layer_table=tables.resnet_layers((256, 512, 1024, 2048)),
        aliases={"pool1": "maxpool"},
        min_size=1,
        weights=WeightsSource("resnet50-11ad3fa6.pth", TV_URL + "resnet50-11ad3fa6.pth"),
        default_dream_layers=("layer3",),
        tv_weights="ResNet50_Weights.IMAGENET1K_V2",
    ),
    BackboneSpec(
        name="alexnet",
        family="alexnet",
        description="AlexNet, torchvision weights",
        build=_tv("alexnet"),
        layer_table=tables.alexnet_layers(),
        min_size=63,
        weights=WeightsSource("alexnet-owt-7be5be79.pth", TV_URL + "alexnet-owt-7be5be79.pth"),
        default_dream_layers=("relu4",),
        tv_weights="AlexNet_Weights.IMAGENET1K_V1",
    ),
)
