"""``genart doodle``: Neural Doodle (Champandard 2016), semantic style transfer from maps.

``config``     DoodleConfig (no torch)
``algorithm``  ``doodle``: phases coarse to fine, each optimising the doodle loss
``mrf``        nearest-patch matching in bounded memory (Li & Wand 2016)
``semantic``   semantic maps: palette quantisation, legend, maps made by clustering
"""
