"""Errors and exit codes shared by every genart command.

Nothing here imports torch: the CLI maps these to exit codes before any heavy import.
"""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, documented in ``genart --help`` and the README."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    PARTIAL = 3  # some items of a batch failed, the rest were written
    WEIGHTS_OFFLINE = 4  # weights missing and the network may not be used
    INTERRUPTED = 130  # Ctrl-C; no partial output is left behind


class GenartError(Exception):
    """A failure the user can act on: printed as one line, never as a traceback."""

    exit_code: ExitCode = ExitCode.FAILURE


class UsageError(GenartError):
    """Bad options or settings (a bad preset key, an unknown layer name...)."""

    exit_code = ExitCode.USAGE


class ConfigError(UsageError):
    """A preset or environment variable holds an unknown key or a wrong type."""


class ImageError(GenartError):
    """An input image cannot be read, or an output cannot be written."""


class WeightsError(GenartError):
    """Weights are corrupt, truncated, do not match the model, or cannot be fetched."""


class WeightsUnavailableOffline(WeightsError):
    """Weights are not on disk and downloading is forbidden (``--offline``)."""

    exit_code = ExitCode.WEIGHTS_OFFLINE


class LayerError(UsageError):
    """A layer name is unknown for a backbone or lies outside a partial weights file."""


class VideoError(GenartError):
    """A video cannot be read or written: empty, truncated, no video stream, no frames,
    an unsupported codec, or an encoder failure."""


class VideoUsageError(VideoError, UsageError):
    """A video request that cannot be met: frames outside the clip, an output that cannot
    hold video."""
