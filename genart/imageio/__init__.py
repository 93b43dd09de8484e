"""Image file I/O, split by concern; import the public API from :mod:`genart.image`.

``formats``   what is read and written, content sniffing, extension -> format
``opening``   opening files and stdin, the pixel limit checked before decoding
``convert``   Pillow modes, alpha and ICC profiles -> float sRGB
``load``      ``load_image`` and ``LoadedImage``
``save``      ``save_image``: 8-bit encoding, atomic writes, stdout
``metadata``  settings stored in written files, ``read_metadata``
``srgb``      the sRGB profile images are converted to and tagged with
``tensor``    numpy <-> torch (torch imported lazily)
"""
