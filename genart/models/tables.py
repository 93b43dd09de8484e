"""Named-layer tables of the registered architectures (plain data, no torch).

Each function returns the layers in forward order with their channel counts, nominal
strides and the module paths that compute them, so that ``spec.layers()`` needs no
weights and the feature extractor can run a network stage by stage.
"""
from __future__ import annotations

from .spec import LayerInfo

# GoogLeNet / Inception v1 (Szegedy et al. 2014, "Going Deeper with Convolutions", table 1):
# block -> (in, 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool proj).
INCEPTION_V1: dict[str, tuple[int, int, int, int, int, int, int]] = {
    "3a": (192, 64, 96, 128, 16, 32, 32),
    "3b": (256, 128, 128, 192, 32, 96, 64),
    "4a": (480, 192, 96, 208, 16, 48, 64),
    "4b": (512, 160, 112, 224, 24, 64, 64),
    "4c": (512, 128, 128, 256, 24, 64, 64),
    "4d": (512, 112, 144, 288, 32, 64, 64),
    "4e": (528, 256, 160, 320, 32, 128, 128),
    "5a": (832, 256, 160, 320, 32, 128, 128),
    "5b": (832, 384, 192, 384, 48, 128, 128),
}
# A max-pooling layer follows these blocks (pool3 after 3b, pool4 after 4e).
_POOL_AFTER = {"3b": "pool3", "4e": "pool4"}


def inception_v1_out(block: str) -> int:
    """Output channels of an Inception v1 block: its four branches concatenated."""
    _, c1, _, c3, _, c5, cp = INCEPTION_V1[block]
    return c1 + c3 + c5 + cp


def vgg_layers(depths: tuple[int, ...]) -> tuple[LayerInfo, ...]:
    """VGG (Simonyan & Zisserman 2014) in torchvision's ``features.N`` layout.

    ``depths`` is the number of 3x3 convolutions per block: (2, 2, 4, 4, 4) for VGG19,
    (2, 2, 3, 3, 3) for VGG16. Each conv is followed by a ReLU, each block by a max-pool.
    """
    layers: list[LayerInfo] = []
    index, stride = 0, 1
    for block, (depth, channels) in enumerate(zip(depths, (64, 128, 256, 512, 512)), start=1):
        for d in range(1, depth + 1):
            layers.append(LayerInfo(f"conv{block}_{d}", channels, "conv", stride, (f"features.{index}",)))
            layers.append(LayerInfo(f"relu{block}_{d}", channels, "relu", stride, (f"features.{index + 1}",)))
            index += 2
        stride *= 2
        layers.append(LayerInfo(f"pool{block}", channels, "pool", stride, (f"features.{index}",)))
        index += 1
    return tuple(layers)


def alexnet_layers() -> tuple[LayerInfo, ...]:
    """AlexNet (Krizhevsky et al. 2012) as torchvision's one-GPU variant (``features.N``)."""
    rows = [
        ("conv1", 64, "conv", 4), ("relu1", 64, "relu", 4), ("pool1", 64, "pool", 8),
        ("conv2", 192, "conv", 8), ("relu2", 192, "relu", 8), ("pool2", 192, "pool", 16),
        ("conv3", 384, "conv", 16), ("relu3", 384, "relu", 16),
        ("conv4", 256, "conv", 16), ("relu4", 256, "relu", 16),
        ("conv5", 256, "conv", 16), ("relu5", 256, "relu", 16), ("pool5", 256, "pool", 32),
    ]  # fmt: skip
    return tuple(LayerInfo(n, c, k, s, (f"features.{i}",)) for i, (n, c, k, s) in enumerate(rows))


def _inception_v1_blocks(module_name) -> list[LayerInfo]:
    """inception_3a ... inception_5b with pool3 and pool4 between them.

    ``module_name`` maps a block id ("3a") or a pool name ("pool3") to module paths.
    """
    layers: list[LayerInfo] = []
    for block in INCEPTION_V1:
        stride = {"3": 8, "4": 16, "5": 32}[block[0]]
        layers.append(LayerInfo(f"inception_{block}", inception_v1_out(block), "block", stride, module_name(block)))
        if block in _POOL_AFTER:
            pool = _POOL_AFTER[block]
            layers.append(LayerInfo(pool, inception_v1_out(block), "pool", stride * 2, module_name(pool)))
    return layers


def googlenet_tv_layers() -> tuple[LayerInfo, ...]:
    """torchvision's GoogLeNet (batch-norm variant, no LRN).

    Names follow the Caffe model so both GoogLeNets read alike: torchvision's ``conv2`` (the
    1x1 reduce) is ``conv2_reduce`` here and its ``conv3`` (the 3x3) is ``conv2``.
    """
    stem = [
        LayerInfo("conv1", 64, "conv", 2, ("conv1",)),
        LayerInfo("pool1", 64, "pool", 4, ("maxpool1",)),
        LayerInfo("conv2_reduce", 64, "conv", 4, ("conv2",)),
        LayerInfo("conv2", 192, "conv", 4, ("conv3",)),
        LayerInfo("pool2", 192, "pool", 8, ("maxpool2",)),
    ]

    def module_name(block: str) -> tuple[str, ...]:
        return (f"maxpool{block[-1]}",) if block.startswith("pool") else (f"inception{block}",)

    return tuple(stem + _inception_v1_blocks(module_name))


def googlenet_bvlc_layers() -> tuple[LayerInfo, ...]:
    """The BVLC Caffe GoogLeNet; module paths are the Caffe layer names with '/' -> '_'."""
    stem = [
        LayerInfo("conv1", 64, "conv", 2, ("conv1_7x7_s2", "conv1_relu_7x7")),
        LayerInfo("pool1", 64, "pool", 4, ("pool1_3x3_s2",)),
        LayerInfo("norm1", 64, "norm", 4, ("pool1_norm1",)),
        LayerInfo("conv2_reduce", 64, "conv", 4, ("conv2_3x3_reduce", "conv2_relu_3x3_reduce")),
        LayerInfo("conv2", 192, "conv", 4, ("conv2_3x3", "conv2_relu_3x3")),
        LayerInfo("norm2", 192, "norm", 4, ("conv2_norm2",)),
        LayerInfo("pool2", 192, "pool", 8, ("pool2_3x3_s2",)),
    ]

    def module_name(block: str) -> tuple[str, ...]:
        return (f"{block}_3x3_s2",) if block.startswith("pool") else (f"inception_{block}",)

    return tuple(stem + _inception_v1_blocks(module_name))


def googlenet_aliases(*, caffe: bool) -> dict[str, str]:
    """Other spellings: torchvision's (``inception4c``, ``maxpool1``) and Caffe's blob names."""
    aliases = {f"inception{b}": f"inception_{b}" for b in INCEPTION_V1}
    aliases.update({f"maxpool{i}": f"pool{i}" for i in range(1, 5)})
    if caffe:
        aliases.update({f"inception_{b}/output": f"inception_{b}" for b in INCEPTION_V1})
        aliases.update(
            {
                "conv1/7x7_s2": "conv1",
                "pool1/3x3_s2": "pool1",
                "pool1/norm1": "norm1",
                "conv2/3x3_reduce": "conv2_reduce",
                "conv2/3x3": "conv2",
                "conv2/norm2": "norm2",
                "pool2/3x3_s2": "pool2",
                "pool3/3x3_s2": "pool3",
                "pool4/3x3_s2": "pool4",
            }
        )
    return aliases


def inception_v3_layers() -> tuple[LayerInfo, ...]:
    """Inception v3 (Szegedy et al. 2015) with torchvision's module names."""
    rows = [
        ("Conv2d_1a_3x3", 32, "conv", 2), ("Conv2d_2a_3x3", 32, "conv", 2),
        ("Conv2d_2b_3x3", 64, "conv", 2), ("maxpool1", 64, "pool", 4),
        ("Conv2d_3b_1x1", 80, "conv", 4), ("Conv2d_4a_3x3", 192, "conv", 4),
        ("maxpool2", 192, "pool", 8),
        ("Mixed_5b", 256, "block", 8), ("Mixed_5c", 288, "block", 8), ("Mixed_5d", 288, "block", 8),
        ("Mixed_6a", 768, "block", 16), ("Mixed_6b", 768, "block", 16), ("Mixed_6c", 768, "block", 16),
        ("Mixed_6d", 768, "block", 16), ("Mixed_6e", 768, "block", 16),
        ("Mixed_7a", 1280, "block", 32), ("Mixed_7b", 2048, "block", 32), ("Mixed_7c", 2048, "block", 32),
    ]  # fmt: skip
    return tuple(LayerInfo(n, c, k, s, (n,)) for n, c, k, s in rows)


def resnet_layers(widths: tuple[int, int, int, int]) -> tuple[LayerInfo, ...]:
    """ResNet (He et al. 2015): the stem, then the four stages of residual blocks.

    ``conv1`` is the stem's output after its batch norm and ReLU.
    """
    stem = [
        LayerInfo("conv1", 64, "conv", 2, ("conv1", "bn1", "relu")),
        LayerInfo("maxpool", 64, "pool", 4, ("maxpool",)),
    ]
    strides = (4, 8, 16, 32)
    stages = [LayerInfo(f"layer{i + 1}", w, "block", s, (f"layer{i + 1}",)) for i, (w, s) in enumerate(zip(widths, strides))]
    return tuple(stem + stages)
