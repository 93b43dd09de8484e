"""``genart dream``: DeepDream (Mordvintsev, Olah & Tyka 2015), faithful to the original.

``config``      DreamConfig (no torch)
``algorithm``   ``dream`` and ``dream_frames``: octaves, normalised gradient ascent
``objectives``  what a dream maximises: layers, channels, a class, a guide image
``octaves``     octave sizes
``gradients``   tiled gradients and their normalisation
``transforms``  jitter, robustness transforms, the zoom of animation frames
``animation``   numbered frames -> GIF/WebP (file I/O, called by the command, not the algorithm)
"""
