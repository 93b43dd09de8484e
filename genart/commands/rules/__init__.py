"""``genart rules``: generative art from simple rules plus random input, before any network.

``configs``     the five frozen config dataclasses (cheap to import, no numpy)
``generators``  name -> generator; ``render`` (one job), re-exports ``write``/``OutputOptions``
``command``     the five `genart rules NAME` commands (read by genart.registry) and their runner
``output``      ``write``: SVG / raster by extension, stdout, atomic files
``drawing``     the shared model: canvas, fills, stroked layers, optional density raster
``svg``         real vector paths sized for paper, Inkscape layers, metadata
``raster``      antialiased pixels at any size through skia-python
``order``       plotter path order: greedy nearest neighbour, joining touching lines
``lsystem`` ``mondrian`` ``ridgelines`` ``attractor`` ``flowfield``   the generators
``noise`` ``formula`` ``colormaps`` ``fit``   their helpers
"""
