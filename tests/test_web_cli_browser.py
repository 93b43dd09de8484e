"""`genart style --web` watched in headless Chromium while a real (small) render runs.

The page must show an image that changes between two screenshots, a stage that advances,
a loss curve with points, and "done" after the run.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from browser import chromium
from helpers import random_png

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

TIMEOUT_MS = 60_000


def test_the_live_page_of_a_cli_render(tmp_path):
    photo = random_png(tmp_path / "photo.png", 0, (96, 128))
    style = random_png(tmp_path / "style.png", 1, (96, 96))
    # Two scales of many iterations: long enough to watch, seconds on a CPU.
    args = [sys.executable, "-m", "genart", "style", str(photo), "-s", str(style), "-o", str(tmp_path / "out.png"),
            "--model", "vgg19-caffe", "--weights", "random", "--size", "128", "--scales", "64,128",
            "--iterations", "30", "--coarse-iterations", "30", "--style-layers", "relu1_1,relu2_1",
            "--content-layers", "relu2_1", "--web"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = _read_url(proc)
        lines: list[str] = []
        threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()
        with chromium() as context:
            page = context.new_page()
            page.goto(url)
            wait = lambda script, arg=None: page.wait_for_function(script, arg=arg, timeout=TIMEOUT_MS)  # noqa: E731
            wait("() => Number(document.querySelector('#image').dataset.version || 0) >= 1")
            first_version = int(page.locator("#image").get_attribute("data-version"))
            first = page.locator("#image").screenshot()
            first_stage = page.inner_text("#stage")
            wait("v => Number(document.querySelector('#image').dataset.version || 0) > v", first_version + 1)
            assert page.locator("#image").screenshot() != first
            wait("() => document.querySelector('#stage').textContent.includes('scale 2/2')")
            assert "scale 1/2" in first_stage or "scale 2/2" in page.inner_text("#stage")
            wait("() => Number(document.querySelector('#chart').dataset.points) > 3")
            wait("() => document.querySelector('#status').textContent === 'done'")
        assert proc.wait(timeout=120) == 0, "".join(lines)
        assert (tmp_path / "out.png").is_file()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _read_url(proc: subprocess.Popen) -> str:
    for line in proc.stderr:
        if line.startswith("live view: "):
            return line.split("live view: ", 1)[1].strip()
    raise AssertionError(f"genart exited ({proc.wait()}) without printing the live view's address")
