"""The foundation every command stands on (torch-free unless a module says otherwise).

``errors``     errors and exit codes
``events``     progress events that algorithms emit instead of printing
``config``     config dataclass fields (``param``), coercion and validation
``presets``    YAML presets and the defaults < preset < environment < flags precedence
``configdoc``  docs/settings.md, generated from the registry's config dataclasses
``batch``      inputs -> jobs -> outputs: naming, resume, summary, exit codes
``progress``   progress events -> the terminal display on stderr
``device``     where to compute and in what precision (torch imported lazily)
``geometry``   fitting to a long side and resizing (torch)
``optim``      the image-optimisation loop of style and doodle (torch)
``losses``     image-optimisation losses as pure functions (torch)
"""
