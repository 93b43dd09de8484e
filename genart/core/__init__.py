"""The foundation every part of genart stands on (torch-free unless a module says otherwise).

``errors``     errors and exit codes
``events``     progress events that algorithms and the batch engine emit instead of printing
``config``     config dataclass fields (``param``), coercion and validation
``command``    what a command declares (the registry's entries)
``session``    the settings of one run, shared by every command's typed session
``progress``   progress events -> the terminal display on stderr
``device``     where to compute and in what precision (torch imported lazily)
``geometry``   fitting to a long side and resizing (torch)
``optim``      the image-optimisation loop of style and doodle (torch)
``losses``     image-optimisation losses as pure functions (torch)
"""
