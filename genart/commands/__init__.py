"""One folder per command: its config dataclass, its algorithm and the helpers only it uses.

Each ``<command>/command.py`` declares how the command plugs into genart (inputs, model,
one job) and ``genart.registry`` lists them.
"""
