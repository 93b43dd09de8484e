"""``LiveView``: a local web page that shows a run as it happens."""
from __future__ import annotations

import ipaddress
from types import TracebackType

from ..core.events import Event
from .state import PREVIEW_INTERVAL_S, PREVIEW_SIDE, LiveState

LOOPBACK = "127.0.0.1"
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


class LiveView:
    """Serves a page with the image being made, its stage, loss curve, ETA and jobs.

    It is an event callback: hand it the same progress events the terminal display
    gets. The server runs on a background thread between :meth:`start` and
    :meth:`close`; while no page is connected the render pays only for bookkeeping.

    Args:
        host: where to listen; loopback by default. Any other host makes
            :attr:`warning` a line for the user (the page is then reachable from the
            network, without authentication).
        port: the port; 0 picks a free one.
        preview_interval: least seconds between two pictures sent to the page.
        preview_side: long side (px) of those pictures.

    Raises (from :meth:`start`):
        UsageError: the ``web`` extra is not installed.
        GenartError: the port is in use, or the host cannot be listened on.

    Example::

        view = LiveView()
        print(view.start())          # http://127.0.0.1:40123/
        result = dream(image, config, backbone=bb, callback=view)
        view.close()
    """

    def __init__(
        self,
        host: str = LOOPBACK,
        port: int = 0,
        *,
        preview_interval: float = PREVIEW_INTERVAL_S,
        preview_side: int = PREVIEW_SIDE,
    ) -> None:
        self.host = host
        self.port = port
        self.state = LiveState(preview_interval=preview_interval, preview_side=preview_side)
        self.warning = host_warning(host)
        self.url: str | None = None
        self.error: Exception | None = None  # the first failure of the view, if any
        self._server = None

    def start(self) -> str:
        """Start serving; returns the page's URL (print it for the user)."""
        from . import require_web

        require_web()
        from .server import Server

        if self._server is None:
            server = Server(self.state, self.host, self.port, allowed_hosts=allowed_hosts(self.host))
            server.start()
            self._server = server
            self.port = server.port
            self.url = page_url(self.host, server.port)
        return self.url  # type: ignore[return-value]

    def __call__(self, event: Event) -> None:
        """Take one progress event (cheap: see :class:`LiveState`).

        A failure here never stops the render: it is kept in :attr:`error` (report it
        after the run) and the view stops following the run.
        """
        if self.error is not None:
            return
        try:
            self.state(event)
        except Exception as exc:  # noqa: BLE001 - watching must never cost the result
            self.error = exc

    def close(self, grace: float = 2.0) -> None:
        """Mark the run over, let open pages receive it (up to ``grace`` s), stop serving."""
        self.state.close()
        server, self._server = self._server, None
        if server is not None:
            server.stop(grace)

    def __enter__(self) -> "LiveView":
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_warning(host: str) -> str | None:
    """The line to print when the page will be reachable from other machines."""
    if is_loopback(host):
        return None
    return (
        f"the live view listens on {host}: anyone who can reach this machine can watch the run "
        "(no password); omit the host to keep it on 127.0.0.1"
    )


def allowed_hosts(host: str) -> list[str]:
    """Host headers the server answers: loopback names only, unless listening wider.

    Checking the Host header stops a web site from reading the page through DNS
    rebinding while it is served on loopback.
    """
    if not is_loopback(host):
        return ["*"]
    return ["localhost", "127.0.0.1", "::1", "[::1]", host.lower()]


def page_url(host: str, port: int) -> str:
    """The URL to open; a wildcard host is shown as the loopback address."""
    shown = {"0.0.0.0": LOOPBACK, "::": "::1", "": LOOPBACK}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"
