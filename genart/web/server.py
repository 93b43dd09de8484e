"""The live page's web server: Starlette on uvicorn, in a background thread.

Only this module imports the ``web`` extra. Routes:

``/``             the page (``static/live.html``), its CSS and JS under ``/static``
``/events``       server-sent events: ``state`` (the snapshot), ``image`` and ``thumb``
                  (JPEG ``data:`` URLs, so a page keeps every picture after the run ends
                  and the server stops), ``end``
``/api/state``    the snapshot as JSON;  ``/image.jpg``: the latest picture
"""
from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..core.errors import GenartError
from .pictures import Pictures
from .state import LiveState

STATIC = Path(__file__).parent / "static"
POLL_S = 0.2  # how often a connected page's stream looks for changes
HEARTBEAT_S = 15.0  # a comment line keeps proxies and browsers from timing out
START_TIMEOUT_S = 10.0


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (0: a free port), or one clear error line."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise GenartError(f"live view: cannot resolve host {host!r} ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        # Lets a new run reuse the port of one that just ended (TIME_WAIT); it does not
        # allow two servers on one port on Linux or macOS.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(64)
    except OSError as exc:
        sock.close()
        if exc.errno in _IN_USE:
            raise GenartError(f"live view: port {port} on {host} is already in use; choose another port") from None
        raise GenartError(f"live view: cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    sock.setblocking(False)
    return sock


_IN_USE = {98, 48, 10048}  # EADDRINUSE on Linux, macOS, Windows


class Server:
    """uvicorn serving the live page for ``state`` on a thread of its own."""

    def __init__(self, state: LiveState, host: str, port: int, *, allowed_hosts: list[str]) -> None:
        self.state = state
        self.pictures = Pictures(state)
        self.sock = bind(host, port)
        self.port = self.sock.getsockname()[1]
        app = build_app(state, self.pictures, allowed_hosts)
        # log_config=None: uvicorn leaves the process's logging alone; no access log.
        config = uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=2
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, name="genart-live-view", daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.sock.close()
                raise GenartError("live view: the web server did not start")
            time.sleep(0.01)

    def stop(self, grace: float) -> None:
        """Let connected pages receive the last update (up to ``grace`` s), then stop."""
        deadline = time.monotonic() + grace
        while self.state.watchers and time.monotonic() < deadline:
            time.sleep(0.02)
        self.server.should_exit = True
        self.thread.join(timeout=5.0)


def build_app(state: LiveState, pictures: Pictures, allowed_hosts: list[str]) -> Starlette:
    """The Starlette application of the live page."""

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "live.html", headers=_NO_CACHE)

    async def events(request: Request) -> Response:
        return StreamingResponse(
            _stream(state, pictures), media_type="text/event-stream", headers={**_NO_CACHE, "X-Accel-Buffering": "no"}
        )

    async def api_state(request: Request) -> Response:
        return JSONResponse(state.snapshot(), headers=_NO_CACHE)

    async def image(request: Request) -> Response:
        version, data = await run_in_threadpool(pictures.current)
        if data is None:
            return Response(status_code=204)
        return Response(data, media_type="image/jpeg", headers=_NO_CACHE)

    routes = [
        Route("/", page),
        Route("/events", events),
        Route("/api/state", api_state),
        Route("/image.jpg", image),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)])


_NO_CACHE = {"Cache-Control": "no-store"}


async def _stream(state: LiveState, pictures: Pictures) -> AsyncIterator[str]:
    """One page's events: the state whenever it changed, new pictures, then ``end``."""
    state.connect()
    try:
        sent_state, sent_items, sent_image, sent_thumbs = -1, -1, 0, set()
        quiet_since = time.monotonic()
        while True:
            closed = state.closed  # read first: what follows includes the final update
            if state.version != sent_state:
                snap = state.snapshot(items=state.items_version != sent_items)
                sent_state, sent_items = snap["version"], snap["items_version"]
                yield _sse("state", snap)
                quiet_since = time.monotonic()
            if state.image_version != sent_image:
                version, data = await run_in_threadpool(pictures.current)
                if data is not None:
                    yield _sse("image", {"version": version, "src": _data_url(data)})
                sent_image = version
            for index in state.thumbnail_indices():
                if index not in sent_thumbs:
                    sent_thumbs.add(index)
                    data = await run_in_threadpool(pictures.thumbnail, index)
                    if data is not None:
                        yield _sse("thumb", {"index": index, "src": _data_url(data)})
            if closed:
                yield _sse("end", {})
                return
            if time.monotonic() - quiet_since > HEARTBEAT_S:
                yield ": keep-alive\n\n"
                quiet_since = time.monotonic()
            await asyncio.sleep(POLL_S)
    finally:
        state.disconnect()


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _data_url(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
