"""``genart classify``: ImageNet top-k classification.

``config``     ClassifyConfig (no torch)
``algorithm``  ``classify``: batched forward passes, top-k with labels
"""
