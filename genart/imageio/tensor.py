"""Between numpy images (H, W, 3) and torch tensors (1, 3, H, W); torch imported lazily."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from .load import LoadedImage


def to_tensor(image: "LoadedImage | np.ndarray") -> "torch.Tensor":
    """An image as a float32 tensor (1, 3, H, W) in [0, 1] on the CPU.

    Accepts a :class:`LoadedImage` (its ``rgb``) or an (H, W, 3) array.
    """
    import torch

    rgb = getattr(image, "rgb", image)
    array = np.asarray(rgb, dtype=np.float32)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"expected an RGB array of shape (H, W, 3), got {array.shape}")
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1))).unsqueeze(0)


def from_tensor(tensor: "torch.Tensor") -> np.ndarray:
    """A (1, 3, H, W) or (3, H, W) tensor as a float32 array (H, W, 3), values unchanged."""
    if tensor.dim() == 4:
        if tensor.shape[0] != 1:
            raise ValueError(f"expected one image, got a batch of {tensor.shape[0]}")
        tensor = tensor[0]
    if tensor.dim() != 3 or tensor.shape[0] != 3:
        raise ValueError(f"expected a tensor of shape (1, 3, H, W) or (3, H, W), got {tuple(tensor.shape)}")
    return tensor.detach().float().cpu().permute(1, 2, 0).contiguous().numpy()


def resize_long_side(tensor: "torch.Tensor", size: int) -> "torch.Tensor":
    """Resize (N, C, H, W) or (C, H, W) so that max(H, W) == ``size``, keeping the aspect.

    The one resize of genart (:func:`genart.core.geometry.resize_long_side`): bilinear,
    antialiased when shrinking, sides rounded as everywhere else; a [0, 1] image stays in
    [0, 1]. Returns the input unchanged if it is already that size.
    """
    from ..core.geometry import resize_long_side as resize

    if isinstance(size, bool) or int(size) < 1:
        raise ValueError(f"size must be a positive number of pixels, got {size!r}")
    batch = tensor.unsqueeze(0) if tensor.dim() == 3 else tensor
    out = resize(batch, int(size))
    if out is batch:
        return tensor
    return out[0] if tensor.dim() == 3 else out
