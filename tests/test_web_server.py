"""The live view's server (the ``web`` extra): routes, the event stream, errors, loopback."""
from __future__ import annotations

import http.client
import json
import re
import socket
import sys
import threading
from pathlib import Path

import pytest
import torch

from genart.core.errors import ExitCode, GenartError, UsageError
from genart.core.events import BatchFinished, StageStarted, Step
from genart.web import LiveView, allowed_hosts, host_warning, page_url, require_web

STATIC = Path(__file__).resolve().parents[1] / "genart" / "web" / "static"


@pytest.fixture
def view():
    pytest.importorskip("starlette")
    pytest.importorskip("uvicorn")
    live = LiveView(preview_interval=0.0)
    live.start()
    yield live
    live.close(grace=0.5)


def get(view: LiveView, path: str, host: str | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", view.port, timeout=10)
    conn.request("GET", path, headers={"Host": host} if host else {})
    return conn.getresponse()


def read_events(response: http.client.HTTPResponse, until: str) -> dict[str, list]:
    """Server-sent events by name, read until one named ``until`` arrives."""
    events: dict[str, list] = {}
    name = ""
    while True:
        line = response.readline().decode()
        assert line, "the stream ended early"
        if line.startswith("event: "):
            name = line[7:].strip()
        elif line.startswith("data: "):
            events.setdefault(name, []).append(json.loads(line[6:]))
            if name == until:
                return events


def test_start_serves_the_page_and_its_files_on_loopback(view):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", view.url)
    assert view.warning is None
    page = get(view, "/")
    html = page.read().decode()
    assert page.status == 200 and "genart" in html and "/static/live.js" in html
    for name in ("live.js", "chart.js", "live.css", "theme.css"):
        assert get(view, f"/static/{name}").status == 200


def test_state_and_latest_picture(view):
    view(StageStarted("scale 1/2 (64x48)", 0, 2, 5))
    view(Step(1, 5, {"loss": 2.5}))
    state = json.loads(get(view, "/api/state").read())
    assert state["stage"]["name"] == "scale 1/2 (64x48)" and state["metrics"] == {"loss": 2.5}
    assert get(view, "/image.jpg").status == 204  # nobody watched: no picture was taken


def test_the_event_stream_sends_state_pictures_and_the_end(view):
    stream = get(view, "/events")
    assert stream.getheader("Content-Type").startswith("text/event-stream")
    first = read_events(stream, "state")
    assert first["state"][0]["status"] == "waiting"
    picture = torch.zeros(1, 3, 24, 32)
    picture[:, 0] = 1.0
    view(StageStarted("scale 1/1 (32x24)", 0, 1, 3))
    view(Step(1, 3, {"loss": 1.0}, preview=lambda: picture))
    events = read_events(stream, "image")
    assert events["image"][-1]["src"].startswith("data:image/jpeg;base64,")
    assert get(view, "/image.jpg").read()[:3] == b"\xff\xd8\xff"
    view(BatchFinished(1, 0, 0))
    closer = threading.Thread(target=view.close, kwargs={"grace": 5.0})
    closer.start()
    events = read_events(stream, "end")
    closer.join()
    assert events["state"][-1]["status"] == "done" and events["state"][-1]["closed"]


def test_a_foreign_host_header_is_refused(view):
    # DNS rebinding: a web page that resolves its own name to 127.0.0.1 gets nothing.
    assert get(view, "/api/state", host=f"evil.example:{view.port}").status == 400
    assert get(view, "/api/state", host=f"localhost:{view.port}").status == 200


def test_a_port_in_use_is_one_clear_line():
    pytest.importorskip("starlette")
    pytest.importorskip("uvicorn")
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        with pytest.raises(GenartError) as info:
            LiveView(port=port).start()
    finally:
        taken.close()
    message = str(info.value)
    assert f"port {port}" in message and "in use" in message and "\n" not in message


def test_without_the_extra_require_web_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "starlette", None)  # import starlette -> ImportError
    with pytest.raises(UsageError) as info:
        require_web()
    assert info.value.exit_code == ExitCode.USAGE
    assert "pip install 'genart[web]'" in str(info.value) and "starlette" in str(info.value)
    with pytest.raises(UsageError):
        LiveView().start()


def test_only_loopback_is_quiet():
    assert host_warning("127.0.0.1") is None and host_warning("localhost") is None
    assert host_warning("::1") is None
    warning = host_warning("0.0.0.0")
    assert warning and "0.0.0.0" in warning and "\n" not in warning
    assert allowed_hosts("0.0.0.0") == ["*"] and "*" not in allowed_hosts("127.0.0.1")
    assert page_url("0.0.0.0", 8080) == "http://127.0.0.1:8080/"
    assert page_url("::1", 8080) == "http://[::1]:8080/"


def test_the_page_needs_no_network():
    for path in STATIC.iterdir():
        text = path.read_text()
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text, re.I), f"{path.name} fetches from the web"


def test_importing_the_libraries_pulls_in_neither_the_web_stack_nor_torch():
    import subprocess

    code = (
        "import sys, genart.web, genart.commands.sheet, genart.commands.gallery\n"
        "print(sorted(m for m in ('starlette', 'uvicorn', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
