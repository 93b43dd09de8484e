"""Building blocks of ``genart.deepdream``: objectives, octaves, tiled gradients, transforms.

Each module is small and works on tensors only; ``genart.deepdream`` composes them. The one
exception is :mod:`genart.dreamlib.animation`, which writes animation files and is called
by the CLI, never by the algorithm.
"""
