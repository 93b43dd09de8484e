"""Seeing a run happen: a live web page (optional extra ``genart[web]``).

``live``      ``LiveView``: the event callback and its server's start/close
``state``     ``LiveState``: what the page shows, from progress events (no web stack)
``curve``     the loss curve, thinned to a few hundred points
``pictures``  JPEG encoding of the latest picture and finished jobs' thumbnails
``server``    Starlette + uvicorn on a background thread, server-sent events (the extra)
``static/``   the page: HTML, CSS and a hand-written canvas chart (no CDN, works offline)

Importing this package never imports the web stack; :func:`require_web` says how to
install it when it is missing.

Example::

    from genart.web import LiveView, require_web

    require_web()                     # UsageError (exit 2) without the extra
    view = LiveView()                 # loopback, a free port
    print(view.start(), file=sys.stderr)
    ...                               # pass `view` (or a fan-out) as the event callback
    view.close()
"""
from __future__ import annotations

import importlib

from ..core.errors import UsageError
from .live import LiveView, allowed_hosts, host_warning, is_loopback, page_url
from .state import LiveState

INSTALL_HINT = "pip install 'genart[web]'"
_MODULES = ("starlette", "uvicorn")


def _missing() -> list[str]:
    missing = []
    for name in _MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def web_available() -> bool:
    """True when the ``web`` extra (Starlette and uvicorn) is installed."""
    return not _missing()


def require_web() -> None:
    """Raise a one-line UsageError (exit 2) naming the install command without the extra.

    Example::

        require_web()  # UsageError: the live view needs starlette: pip install 'genart[web]'
    """
    missing = _missing()
    if missing:
        raise UsageError(f"the live view needs {' and '.join(missing)}: {INSTALL_HINT}")


__all__ = [
    "INSTALL_HINT",
    "LiveState",
    "LiveView",
    "allowed_hosts",
    "host_warning",
    "is_loopback",
    "page_url",
    "require_web",
    "web_available",
]
