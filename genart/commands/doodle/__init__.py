"""``genart doodle``: Neural Doodle (Champandard 2016), semantic style transfer from maps.

``config``     DoodleConfig (no torch)
``algorithm``  ``doodle``: phases coarse to fine, each optimising the doodle loss
``terms``      the loss as weighted terms: MRF or Gram per style layer, content, colour, TV
``mrf``        nearest-patch matching in bounded memory (Li & Wand 2016)
``semantic``   semantic maps: palette quantisation, legend, maps made by clustering
"""
