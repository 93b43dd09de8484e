"""``genart style``: neural style transfer (Gatys, Ecker & Bethge 2016) and its successors.

``config``     StyleConfig, every setting and its default (no torch)
``algorithm``  ``stylize``: pyramid, targets, tiling, optimisation, colour control
``pyramid``    the coarse-to-fine schedule
``loss``       style and content targets and the loss assembled from them
``tiling``     exact tiled gradients for images too large for one pass
``color``      colour control (preserve, luminance, match)
"""
