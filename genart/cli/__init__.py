"""The command-line interface: thin click commands over the library.

Importing anything under ``genart.cli`` never imports torch, so ``--help``, ``--version``,
shell completion and usage errors answer at once.
"""
