"""Real style transfer with the real Caffe VGG19 weights from ../shared (skips without).

Tübingen in the style of The Starry Night at 128 px (one scale, 40 L-BFGS iterations) with
the vgg19-partial preset's layers and a light style weight: the output's Gram matrices
must move most of the way from the photo's to the painting's (measured: 12%, 11%, 29% of
the distance left at relu1_1, relu2_1, relu3_1), while its relu3_2 features stay much
closer to the photo's than the painting's are (measured: 0.70 vs 1.36 relative error).
"""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from genart import presets
from genart.core.losses import gram_matrix
from genart.core.geometry import resize


def _load(path, side: int) -> torch.Tensor:
    img = Image.open(path).convert("RGB")
    img.thumbnail((side, side), Image.LANCZOS)
    return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255).permute(2, 0, 1).unsqueeze(0)


def test_real_style_transfer_moves_style_and_keeps_content(shared_dir):
    from genart.models import load_backbone
    from genart.commands.style.algorithm import stylize

    weights = shared_dir / "weights" / "vgg19-caffe-conv1_1-conv3_4.pth"
    base = presets.resolve("style", preset="vgg19-partial", env={}).config
    config = type(base)(**{**base.__dict__, "size": 128, "pyramid": False, "iterations": 40, "style_weight": 10.0})
    bb = load_backbone(config.model, weights=str(weights))
    content = _load(shared_dir / "images/art/tubingen.jpg", 128)
    style = _load(shared_dir / "images/art/starry_night.jpg", 128)
    out = stylize(content, [style], config, backbone=bb)
    assert out.shape[-2:] == content.shape[-2:]

    net = bb.extractor(list(config.style_layers + config.content_layers))
    with torch.no_grad():
        f_out, f_photo, f_style = net(out), net(content), net(style)
    for layer in config.style_layers:
        g_style = gram_matrix(f_style[layer])
        before = (gram_matrix(f_photo[layer]) - g_style).norm()
        after = (gram_matrix(f_out[layer]) - g_style).norm()
        assert after < 0.35 * before, (layer, float(after / before))
    layer = config.content_layers[0]
    ref = f_photo[layer]
    stylised_err = (f_out[layer] - ref).norm() / ref.norm()
    style_err = (net(resize(style, content.shape[-2:]))[layer] - ref).norm() / ref.norm()
    assert stylised_err < 0.65 * style_err, (float(stylised_err), float(style_err))
