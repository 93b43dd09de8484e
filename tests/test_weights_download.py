"""Downloads end to end against a local HTTP server (never the real network)."""
from __future__ import annotations

import dataclasses
import hashlib
import http.server
import io
import threading

import pytest
import torch

from genart.core.errors import WeightsError, WeightsUnavailableOffline
from genart.core.events import Message, StageStarted, Step
from genart.models import WeightsSource, download_weights, get_spec, hub_checkpoints_dir, load_backbone, resolve_weights

PAYLOAD = bytes(range(256)) * (3 * 4096 + 17)  # ~3 MB: several 1 MiB chunks
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.routes[path] = (body, declared_length)``; a short body is a cut."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        body, length = route
        self.send_response(200)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True  # HTTP/1.0: the socket closes, cutting a short body

    def log_message(self, *args):
        pass


@pytest.fixture()
def server(monkeypatch):
    monkeypatch.delenv("GENART_OFFLINE")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.routes = {}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def local_spec(base: str, filename: str, route: str = "/w.pth", sha256: str | None = None):
    """vgg19-caffe pointing at the local server."""
    return dataclasses.replace(get_spec("vgg19-caffe"), weights=WeightsSource(filename, base + route, sha256))


def test_download_with_progress_and_hash_prefix(server, tmp_path):
    httpd, base = server
    httpd.routes["/w.pth"] = (PAYLOAD, len(PAYLOAD))
    events = []
    spec = local_spec(base, f"tiny-{DIGEST[:8]}.pth")
    path = download_weights(spec, dest_dir=tmp_path, callback=events.append)
    assert path == tmp_path / f"tiny-{DIGEST[:8]}.pth"
    assert path.read_bytes() == PAYLOAD
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temp file left
    assert isinstance(events[0], StageStarted) and events[0].steps == len(PAYLOAD)
    steps = [e.step for e in events if isinstance(e, Step)]
    assert len(steps) >= 3 and steps == sorted(steps) and steps[-1] == len(PAYLOAD)
    assert isinstance(events[-1], Message) and "downloaded" in events[-1].text
    # a second call finds the file and does not download again
    httpd.routes.clear()
    assert download_weights(spec, dest_dir=tmp_path) == path


def test_download_checks_a_full_sha256(server, tmp_path):
    httpd, base = server
    httpd.routes["/w.pth"] = (PAYLOAD, len(PAYLOAD))
    assert download_weights(local_spec(base, "full.pth", sha256=DIGEST), dest_dir=tmp_path).is_file()
    bad = local_spec(base, "full2.pth", sha256="0" * 64)
    with pytest.raises(WeightsError, match="sha256 mismatch"):
        download_weights(bad, dest_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full.pth"]


def test_checksum_mismatch_leaves_nothing(server, tmp_path):
    httpd, base = server
    httpd.routes["/w.pth"] = (PAYLOAD, len(PAYLOAD))
    with pytest.raises(WeightsError, match="sha256 mismatch.*expected 00000000"):
        download_weights(local_spec(base, "tiny-00000000.pth"), dest_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_cut_connection_leaves_nothing(server, tmp_path):
    httpd, base = server
    httpd.routes["/w.pth"] = (PAYLOAD[:100_000], len(PAYLOAD))  # promises more than it sends
    with pytest.raises(WeightsError, match="tiny-"):
        download_weights(local_spec(base, f"tiny-{DIGEST[:8]}.pth"), dest_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_http_error_is_a_weights_error(server, tmp_path):
    _, base = server
    with pytest.raises(WeightsError, match="404"):
        download_weights(local_spec(base, "missing.pth", route="/nothing-here"), dest_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_server_is_a_weights_error(tmp_path, monkeypatch):
    monkeypatch.delenv("GENART_OFFLINE")
    spec = dataclasses.replace(get_spec("alexnet"), weights=WeightsSource("a.pth", "http://127.0.0.1:9/a.pth"))
    with pytest.raises(WeightsError, match="download from http://127.0.0.1:9/a.pth failed") as info:
        download_weights(spec, dest_dir=tmp_path, timeout=5)
    # It says what to do instead: where to put the file, --weights, --offline.
    message = str(info.value)
    assert "put it in" in message and "--weights FILE" in message and "--offline" in message
    assert "\n" not in message


def test_offline_never_downloads(server, tmp_path):
    httpd, base = server
    httpd.routes["/w.pth"] = (PAYLOAD, len(PAYLOAD))
    with pytest.raises(WeightsUnavailableOffline):
        download_weights(local_spec(base, "x.pth"), dest_dir=tmp_path, offline=True)
    assert list(tmp_path.iterdir()) == []


def test_load_backbone_downloads_into_the_hub_cache(server):
    """The last step of the resolution order: not on disk -> downloaded, checked, loaded."""
    httpd, base = server
    bb = load_backbone("vgg19-caffe", weights="random")
    state = {k: v for k, v in bb.module.state_dict().items() if k.startswith(("features.0.", "features.2."))}
    buffer = io.BytesIO()
    torch.save(state, buffer)
    data = buffer.getvalue()
    httpd.routes["/w.pth"] = (data, len(data))
    spec = local_spec(base, f"vgg19-tiny-{hashlib.sha256(data).hexdigest()[:8]}.pth")
    events = []
    loaded = load_backbone(spec, callback=events.append)
    assert loaded.weights_path == hub_checkpoints_dir() / spec.weights.filename
    assert loaded.available_layers[-1] == "pool1"
    assert any(isinstance(e, Step) for e in events)
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(loaded.extractor(["relu1_2"])(x)["relu1_2"], bb.extractor(["relu1_2"])(x)["relu1_2"])
    httpd.routes.clear()  # now cached: no second download
    assert resolve_weights(spec) == loaded.weights_path
