"""Channel atlas: what single channels of a layer respond to, rendered from noise.

Feature visualisation in the manner of lucid (Olah, Mordvintsev & Schubert, "Feature
Visualization", Distill 2017): the image is parameterised as a Fourier spectrum scaled by
1/f (so the optimiser moves all frequencies at a similar rate and the result is not
high-frequency noise), in a decorrelated colour space mapped to RGB through ImageNet's
colour-correlation square root, squashed by a sigmoid; every step sees the image through
random robustness transforms (padding, jitter, small scale and rotation); Adam climbs the
mean activation of one channel. All channels of the atlas are optimised together as one
batch, which is several times faster on a CPU than one at a time.

Example::

    bb = load_backbone("googlenet-bvlc", weights="bvlc_googlenet.pth")
    tiles = channel_atlas(bb, "inception_4c", [0, 97, 300], size=128, steps=256, seed=0)
    grid = atlas_grid([t for _, t in tiles], grid=(1, 3), labels=[f"4c:{c}" for c, _ in tiles])
"""
from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F

from ...core.errors import LayerError, UsageError
from ...core.events import EventCallback, StageStarted, Step, emit
from .transforms import affine, randint, uniform

# lucid's colour decorrelation: the square root of ImageNet's RGB colour covariance (via
# its SVD), columns scaled so the largest has norm 1 (lucid/optvis/param/color.py).
_COLOR_SQRT = torch.tensor([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
_COLOR = _COLOR_SQRT / _COLOR_SQRT.norm(dim=0).max()
_PAD = 12  # lucid's standard_transforms: pad 12, jitter 8, scale 0.9-1.1, rotate +-10, jitter 4
_JITTER = (8, 4)
_SCALE = 0.1
_DEGREES = 10.0


def dream_atlas(config: Any, backbone: Any, *, callback: EventCallback | None = None) -> torch.Tensor:
    """The channel atlas ``config`` asks for (``visualize``, ``grid``, ``channels``,
    ``atlas_*``, ``seed``): one labelled grid image (1, 3, H, W) in [0, 1].

    Example::

        sheet = dream_atlas(DreamConfig(visualize="inception_4c", grid="2x3"), backbone=bb)
    """
    from .config import grid_shape

    rows, cols = grid_shape(config.grid)
    layer = backbone.spec.layer(config.visualize).name
    channels = list(config.channels) or spread_channels(rows * cols, backbone.spec.layer(layer).channels)
    if len(channels) > rows * cols:
        raise UsageError(f"channels: {len(channels)} channels do not fit a {config.grid} grid")
    tiles = channel_atlas(
        backbone, layer, channels, size=config.atlas_size, steps=config.atlas_steps, seed=config.seed,
        learning_rate=config.atlas_learning_rate, decay=config.atlas_decay, callback=callback,
    )
    return atlas_grid([t for _, t in tiles], grid=(rows, cols), labels=[f"{layer}:{c}" for c, _ in tiles])


def spread_channels(count: int, total: int) -> list[int]:
    """``count`` channels spread evenly over ``0 .. total - 1`` (every branch of a concat)."""
    if count > total:
        raise UsageError(f"atlas: {count} tiles but the layer has only {total} channels")
    return [int(round(i * (total - 1) / max(count - 1, 1))) for i in range(count)]


# ------------------------------------------------------------------ parameterisation
def _frequency_scale(h: int, w: int, decay: float) -> torch.Tensor:
    fy = torch.fft.fftfreq(h)[:, None]
    fx = torch.fft.rfftfreq(w)[None, :]
    f = torch.sqrt(fx * fx + fy * fy).clamp_min(1.0 / max(h, w))
    return 1.0 / f**decay  # amplitude ~ 1/f, as in natural images


class FourierImage(torch.nn.Module):
    """A batch of images as 1/f-scaled spectra in decorrelated colour (lucid's ``fft_image``)."""

    def __init__(self, n: int, size: int, *, decay: float, generator: torch.Generator) -> None:
        super().__init__()
        shape = (n, 3, size, size // 2 + 1, 2)
        self.spectrum = torch.nn.Parameter(0.01 * torch.randn(shape, generator=generator))
        self.register_buffer("scale", _frequency_scale(size, size, decay))
        self.size = size

    def forward(self) -> torch.Tensor:
        spec = torch.view_as_complex(self.spectrum) * self.scale
        # lucid: irfft of (spectrum * scale * sqrt(h*w)) with 1/(h*w) normalisation, / 4
        img = torch.fft.irfft2(spec, s=(self.size, self.size), norm="ortho") / 4.0
        rgb = torch.einsum("nchw,dc->ndhw", img, _COLOR.to(img))
        return torch.sigmoid(rgb)


class RedirectedReLU(torch.autograd.Function):
    """ReLU whose gradient, for an image where no unit passes any, flows toward activation.

    lucid's ``redirected_relu_grad``: a channel that is off everywhere on the start image
    gets no gradient through an ordinary ReLU and its tile stays grey. Where the plain
    gradient of a sample is all zero, units below zero pass the gradient if it would raise
    them into the linear range.
    """

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return x.clamp_min(0)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        plain = torch.where(x > 0, grad, torch.zeros_like(grad))
        # The loss is minimised: a negative gradient raises x, the only direction let through.
        redirected = torch.where((x <= 0) & (grad > 0), torch.zeros_like(grad), grad)
        if x.dim() < 2:
            return plain
        dead = (plain.flatten(1).abs().amax(dim=1) == 0).view(-1, *([1] * (x.dim() - 1)))
        return torch.where(dead, redirected, plain)


class _RedirectReLUs(torch.overrides.TorchFunctionMode):
    """Every ``torch.relu`` / ``F.relu`` inside becomes :class:`RedirectedReLU`."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in (torch.relu, F.relu) and not kwargs.get("inplace", False) and len(args) == 1:
            return RedirectedReLU.apply(args[0])
        return func(*args, **kwargs)


def _transform(image: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """lucid's standard robustness transforms, one random draw for the whole batch."""
    x = F.pad(image, [_PAD] * 4, mode="constant", value=0.5)
    x = _jitter(x, _JITTER[0], generator)
    x = affine(x, scale=uniform(generator, 1 - _SCALE, 1 + _SCALE), degrees=uniform(generator, -_DEGREES, _DEGREES))
    return _jitter(x, _JITTER[1], generator)


def _jitter(x: torch.Tensor, d: int, generator: torch.Generator) -> torch.Tensor:
    dy, dx = randint(generator, 0, d), randint(generator, 0, d)
    h, w = x.shape[-2:]
    return x[..., dy : h - d + dy, dx : w - d + dx]


# ----------------------------------------------------------------------- the atlas
def channel_atlas(
    backbone: Any,
    layer: str,
    channels: Sequence[int],
    *,
    size: int = 128,
    steps: int = 128,
    seed: int = 0,
    learning_rate: float = 0.05,
    decay: float = 1.0,
    callback: EventCallback | None = None,
) -> list[tuple[int, torch.Tensor]]:
    """One visualisation per channel: ``[(channel, image (1, 3, size, size) in [0, 1])]``.

    Args:
        backbone: a loaded ``genart.models.Backbone``.
        layer: the layer whose channels are shown, e.g. ``"inception_4c"``.
        channels: channel indices of ``layer``.
        size: tile side in px; steps: Adam steps; learning_rate: Adam's step size.
        seed: seeds the start spectra and the transforms.
        decay: spectrum falloff exponent (1 = lucid's 1/f).
        callback: receives one StageStarted and a Step per optimisation step, with the
            mean activation of the channels as ``objective``.

    Raises:
        LayerError: unknown layer or a channel out of range.
    """
    _check_channels(backbone, layer, channels)
    generator = torch.Generator().manual_seed(seed)
    image = FourierImage(len(channels), size, decay=decay, generator=generator).to(backbone.device)
    extractor = backbone.extractor([layer])
    index = torch.tensor(list(channels), device=backbone.device)
    optimizer = torch.optim.Adam(image.parameters(), lr=learning_rate)
    emit(callback, StageStarted(f"{layer}: {len(channels)} channels", 0, 1, steps))
    for step in range(steps):
        optimizer.zero_grad(set_to_none=True)
        with _RedirectReLUs():
            value = channel_means(extractor, _transform(image(), generator), layer, index)
        (-value.sum()).backward()
        optimizer.step()
        emit(callback, Step(step + 1, steps, {"objective": float(value.detach().mean())}))
    with torch.no_grad():
        final = image().detach().cpu()
    return [(int(c), final[i : i + 1]) for i, c in enumerate(channels)]


def channel_means(extractor: Any, images: torch.Tensor, layer: str, index: torch.Tensor) -> torch.Tensor:
    """Mean activation of channel ``index[i]`` on image ``i``: shape (N,)."""
    act = extractor(images)[layer].float()
    picked = act[torch.arange(len(index), device=act.device), index]
    return picked.mean(dim=(-2, -1))


def _check_channels(backbone: Any, layer: str, channels: Sequence[int]) -> None:
    total = backbone.spec.layer(layer).channels  # LayerError for an unknown name
    bad = [c for c in channels if not 0 <= c < total]
    if bad:
        raise LayerError(f"{backbone.spec.name}: {layer} has {total} channels; channel {bad[0]} is out of range")
    if not channels:
        raise UsageError("atlas: no channels to show")


# ------------------------------------------------------------------------- the grid
def atlas_grid(
    tiles: Sequence[torch.Tensor],
    *,
    grid: tuple[int, int],
    labels: Sequence[str],
    gap: int = 6,
    background: tuple[int, int, int] = (16, 16, 18),
) -> torch.Tensor:
    """Tiles (1, 3, s, s) laid out row by row, each labelled below: RGB (1, 3, H, W) in [0, 1].

    Example::

        atlas_grid(images, grid=(4, 4), labels=["inception_4c:0", ...])
    """
    from PIL import Image, ImageDraw, ImageFont

    from ...imageio import from_tensor

    rows, cols = grid
    if len(tiles) > rows * cols or len(labels) != len(tiles):
        raise UsageError(f"atlas: {len(tiles)} tiles, {len(labels)} labels for a {rows}x{cols} grid")
    side = max(t.shape[-1] for t in tiles)
    font = ImageFont.load_default(size=max(10, side // 11))
    text_h = int(font.size * 1.5)
    cell_w, cell_h = side + gap, side + text_h + gap
    sheet = Image.new("RGB", (cols * cell_w + gap, rows * cell_h + gap), background)
    draw = ImageDraw.Draw(sheet)
    for i, (tile, label) in enumerate(zip(tiles, labels)):
        x, y = gap + (i % cols) * cell_w, gap + (i // cols) * cell_h
        pixels = (from_tensor(tile) * 255 + 0.5).clip(0, 255).astype("uint8")
        sheet.paste(Image.fromarray(pixels).resize((side, side)), (x, y))
        draw.text((x + 2, y + side + text_h * 0.15), label, fill=(225, 225, 225), font=font)
    from ...imageio import to_tensor

    return to_tensor(_as_float(sheet))


def _as_float(image: Any) -> Any:
    import numpy as np

    return np.asarray(image, dtype=np.float32) / 255.0
