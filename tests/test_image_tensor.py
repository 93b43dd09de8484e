"""genart.imageio tensor helpers, and the promise that importing genart.imageio is torch-free."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from genart.imageio import LoadedImage, from_tensor, resize_long_side, to_tensor

torch = pytest.importorskip("torch")


def loaded(height: int = 6, width: int = 10) -> LoadedImage:
    rgb = np.random.default_rng(2).random((height, width, 3), dtype=np.float32)
    return LoadedImage(rgb, None, "x.png", "PNG", (width, height))


def test_importing_genart_image_does_not_import_torch():
    code = "import sys, genart.imageio; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_to_tensor_layout_and_values():
    img = loaded()
    t = to_tensor(img)
    assert t.shape == (1, 3, 6, 10) and t.dtype == torch.float32
    assert t[0, 2, 4, 7].item() == pytest.approx(float(img.rgb[4, 7, 2]))
    np.testing.assert_array_equal(to_tensor(img.rgb).numpy(), t.numpy())  # arrays work too


@pytest.mark.parametrize("batched", [True, False])
def test_from_tensor_inverts_to_tensor(batched):
    img = loaded()
    t = to_tensor(img).double()  # any float dtype comes back as float32
    arr = from_tensor(t if batched else t[0])
    assert arr.dtype == np.float32 and arr.shape == (6, 10, 3)
    np.testing.assert_array_equal(arr, img.rgb)


def test_from_tensor_detaches_gradients():
    t = to_tensor(loaded()).requires_grad_()
    assert from_tensor(t * 1).shape == (6, 10, 3)


@pytest.mark.parametrize("shape", [(2, 3, 4, 4), (1, 4, 4, 4), (4, 4)])
def test_from_tensor_refuses_other_shapes(shape):
    with pytest.raises(ValueError):
        from_tensor(torch.zeros(shape))


@pytest.mark.parametrize(
    ("shape", "size", "expected"),
    [
        ((1, 3, 30, 60), 20, (1, 3, 10, 20)),  # landscape, shrink
        ((1, 3, 60, 30), 20, (1, 3, 20, 10)),  # portrait
        ((1, 3, 10, 15), 45, (1, 3, 30, 45)),  # enlarge
        ((3, 40, 33), 20, (3, 20, 16)),  # unbatched; 16.5 rounds as everywhere (to even)
        ((3, 40, 35), 20, (3, 20, 18)),  # 17.5 rounds to even, up
        ((1, 3, 1, 100), 10, (1, 3, 1, 10)),  # never below one pixel
    ],
)
def test_resize_long_side_shapes(shape, size, expected):
    out = resize_long_side(torch.rand(shape), size)
    assert tuple(out.shape) == expected


def test_resize_keeps_a_checkerboard_within_its_range():
    board = ((torch.arange(32)[:, None] // 4 + torch.arange(32)[None] // 4) % 2).float()
    image = board.expand(1, 3, 32, 32)
    for size in (13, 80):  # a bicubic filter would overshoot on both sides of every edge
        out = resize_long_side(image, size)
        assert out.min() >= 0.0 and out.max() <= 1.0
        assert out.max() > 0.9 and out.min() < 0.1


def test_resize_antialiases_when_shrinking():
    # A one-pixel checkerboard shrunk 4x should average to grey, not alias to black/white.
    board = ((torch.arange(64)[:, None] + torch.arange(64)[None]) % 2).float().expand(1, 3, 64, 64)
    out = resize_long_side(board, 16)
    assert torch.allclose(out, torch.full_like(out, 0.5), atol=0.05)


def test_resize_to_the_same_size_is_a_no_op():
    t = torch.rand(1, 3, 12, 20)
    assert resize_long_side(t, 20) is t


@pytest.mark.parametrize("size", [0, -5])
def test_resize_refuses_nonpositive_sizes(size):
    with pytest.raises(ValueError):
        resize_long_side(torch.rand(1, 3, 8, 8), size)
