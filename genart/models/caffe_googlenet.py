"""The BVLC Caffe GoogLeNet (Szegedy et al. 2014), the network of the original DeepDream.

Layer semantics follow BVLC's ``deploy.prototxt`` exactly, since DeepDream's look depends
on them (and they differ from torchvision's batch-norm GoogLeNet):

- every max-pooling rounds its output size up (Caffe's ceil mode), so a 224 input gives
  112 (conv1), 56 (pool1), 28 (pool2), 14 (pool3) and 7 (pool4) pixel maps;
- local response normalisation after pool1 and after conv2/3x3: Caffe's across-channel LRN
  with local_size 5, alpha 1e-4, beta 0.75, k 1, which is ``nn.LocalResponseNorm(5, 1e-4,
  0.75, 1)`` (both divide alpha by the window size and pad the channels by 2 each side);
- inception branches 1x1 | 3x3_reduce->3x3 | 5x5_reduce->5x5 | 3x3 max-pool->pool_proj,
  a ReLU after every convolution, concatenated in that order;
- input: BGR, 0-255, minus the mean (104, 117, 123).

Module names are the Caffe layer names with '/' replaced by '_' (``conv1_7x7_s2``,
``pool1_norm1``...); an inception block's branches are nested (``inception_3a.1x1``).
"""
from __future__ import annotations

import torch
from torch import nn

from .tables import INCEPTION_V1

__all__ = ["BVLCGoogLeNet", "CaffeInception"]


def caffe_lrn() -> nn.LocalResponseNorm:
    """Caffe's LRN layer as configured in BVLC GoogLeNet (local_size 5, alpha 1e-4, beta 0.75)."""
    return nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)


def caffe_max_pool(kernel: int, stride: int, padding: int = 0) -> nn.MaxPool2d:
    return nn.MaxPool2d(kernel, stride=stride, padding=padding, ceil_mode=True)


class CaffeInception(nn.Module):
    """One inception block; branch modules are named as in Caffe ("1x1", "3x3_reduce"...)."""

    BRANCHES = ("1x1", "3x3_reduce", "3x3", "5x5_reduce", "5x5", "pool_proj")

    def __init__(self, c_in: int, c1: int, c3r: int, c3: int, c5r: int, c5: int, cp: int) -> None:
        super().__init__()
        # add_module accepts names that are not identifiers, so state-dict keys read
        # "inception_3a.1x1.weight", one separator away from Caffe's "inception_3a/1x1".
        self.add_module("1x1", nn.Conv2d(c_in, c1, 1))
        self.add_module("3x3_reduce", nn.Conv2d(c_in, c3r, 1))
        self.add_module("3x3", nn.Conv2d(c3r, c3, 3, padding=1))
        self.add_module("5x5_reduce", nn.Conv2d(c_in, c5r, 1))
        self.add_module("5x5", nn.Conv2d(c5r, c5, 5, padding=2))
        self.pool = caffe_max_pool(3, 1, padding=1)
        self.pool_proj = nn.Conv2d(c_in, cp, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = self._modules
        relu = torch.relu
        b1 = relu(m["1x1"](x))
        b3 = relu(m["3x3"](relu(m["3x3_reduce"](x))))
        b5 = relu(m["5x5"](relu(m["5x5_reduce"](x))))
        bp = relu(self.pool_proj(self.pool(x)))
        return torch.cat([b1, b3, b5, bp], dim=1)


class BVLCGoogLeNet(nn.Module):
    """BVLC GoogLeNet; ``forward`` takes Caffe-preprocessed input and returns 1000 logits."""

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self.conv1_7x7_s2 = nn.Conv2d(3, 64, 7, stride=2, padding=3)
        self.conv1_relu_7x7 = nn.ReLU()
        self.pool1_3x3_s2 = caffe_max_pool(3, 2)
        self.pool1_norm1 = caffe_lrn()
        self.conv2_3x3_reduce = nn.Conv2d(64, 64, 1)
        self.conv2_relu_3x3_reduce = nn.ReLU()
        self.conv2_3x3 = nn.Conv2d(64, 192, 3, padding=1)
        self.conv2_relu_3x3 = nn.ReLU()
        self.conv2_norm2 = caffe_lrn()
        self.pool2_3x3_s2 = caffe_max_pool(3, 2)
        for block in ("3a", "3b"):
            self.add_module(f"inception_{block}", CaffeInception(*INCEPTION_V1[block]))
        self.pool3_3x3_s2 = caffe_max_pool(3, 2)
        for block in ("4a", "4b", "4c", "4d", "4e"):
            self.add_module(f"inception_{block}", CaffeInception(*INCEPTION_V1[block]))
        self.pool4_3x3_s2 = caffe_max_pool(3, 2)
        for block in ("5a", "5b"):
            self.add_module(f"inception_{block}", CaffeInception(*INCEPTION_V1[block]))
        # Caffe's pool5 is a 7x7 average pool, which is global at 224 px; a global average
        # keeps other sizes working and equals it at 224.
        self.pool5 = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.4)  # pool5/drop_7x7_s1; identity in eval mode
        self.loss3_classifier = nn.Linear(1024, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # The trunk's modules were registered in forward order, like Caffe's layer list.
        for name, module in self.named_children():
            if name == "pool5":
                break
            x = module(x)
        x = torch.flatten(self.pool5(x), 1)
        return self.loss3_classifier(self.dropout(x))
