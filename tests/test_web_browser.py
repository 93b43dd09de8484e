"""The live page in a real browser (headless Chromium): a run is watched as it happens.

Set GENART_SCREENSHOTS=DIR to keep the screenshots for a look.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
import torch
from browser import chromium

from genart.core.events import BatchFinished, BatchStarted, ItemFinished, ItemStarted, StageStarted, Step
from genart.web import LiveView

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

TIMEOUT_MS = 20_000


def wait_until(predicate, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def open_page(context, view: LiveView):
    page = context.new_page()
    page.goto(view.url)
    wait_until(lambda: view.state.watchers >= 1)  # its event stream is connected
    return page


def wait_for(page, script: str, arg=None) -> None:
    page.wait_for_function(script, arg=arg, timeout=TIMEOUT_MS)


def stage_shows(page, text: str) -> None:
    wait_for(page, "t => document.querySelector('#stage').textContent.includes(t)", text)


def picture_at_least(page, version: int) -> None:
    wait_for(page, "v => Number(document.querySelector('#image').dataset.version || 0) >= v", version)


def shot(page, name: str) -> bytes:
    data = page.locator("#image").screenshot()
    folder = os.environ.get("GENART_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"))
    return data


def chart_points(page, count: int) -> None:
    wait_for(page, "n => Number(document.querySelector('#chart').dataset.points) === n", count)


def finish(view: LiveView, page, done: int = 1) -> None:
    view(BatchFinished(done, 0, 0))
    view.close()
    wait_for(page, "() => document.querySelector('#status').textContent === 'done'")
    assert "Done" in page.inner_text("#banner")


def solid(rgb: tuple[float, float, float]) -> torch.Tensor:
    return torch.tensor(rgb).view(1, 3, 1, 1).expand(1, 3, 36, 48).clone()


def test_the_page_follows_stages_pictures_and_the_curve():
    with chromium() as context:
        view = LiveView(preview_interval=0.0)
        view.start()
        page = open_page(context, view)
        view(BatchStarted(1, "dream"))
        view(ItemStarted(0, 1, "photo.png"))
        view(StageStarted("octave 1/2 (48x36)", 0, 2, 3))
        for step in (1, 2, 3):
            view(Step(step, 3, {"objective": float(step)}, preview=lambda: solid((0.9, 0.2, 0.1))))
        stage_shows(page, "octave 1/2")
        picture_at_least(page, 1)
        first = shot(page, "live-synthetic-1")
        view(StageStarted("octave 2/2 (96x72)", 1, 2, 3))
        for step in (1, 2, 3):
            view(Step(step, 3, {"objective": 3.0 + step}, preview=lambda: solid((0.1, 0.3, 0.9))))
        stage_shows(page, "octave 2/2")
        picture_at_least(page, 4)
        assert shot(page, "live-synthetic-2") != first
        chart_points(page, 6)
        view(ItemFinished(0, 1, "photo.png", "ok", None, None, 1.0))
        finish(view, page)


class Gate:
    """Forwards events to the view, holding the render before stage ``hold_at`` starts."""

    def __init__(self, view: LiveView, hold_at: int) -> None:
        self.view, self.hold_at = view, hold_at
        self.reached, self.release = threading.Event(), threading.Event()

    def __call__(self, event) -> None:
        if isinstance(event, StageStarted) and event.index == self.hold_at:
            self.reached.set()
            assert self.release.wait(60)
        self.view(event)


def test_the_page_of_a_real_dream(tmp_path):
    """A small real render (random-init GoogLeNet): the picture and the stage change."""
    from genart.commands.dream.algorithm import dream
    from genart.commands.dream.config import DreamConfig
    from genart.imageio import save_image
    from genart.models import load_backbone

    backbone = load_backbone("googlenet-bvlc", weights="random")
    photo = torch.rand(1, 3, 72, 96, generator=torch.Generator().manual_seed(0))
    output = tmp_path / "photo_dream.png"
    with chromium() as context:
        view = LiveView(preview_interval=0.0)
        view.start()
        page = open_page(context, view)
        gate = Gate(view, hold_at=1)
        errors: list[BaseException] = []

        def render() -> None:
            try:
                view(BatchStarted(1, "dream"))
                view(ItemStarted(0, 1, "photo.png", str(output)))
                result = dream(photo, DreamConfig(octaves=2, iterations=3), backbone=backbone, callback=gate)
                save_image(result, output)
                view(ItemFinished(0, 1, "photo.png", "ok", str(output), None, 1.0))
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                errors.append(exc)
                gate.reached.set()

        thread = threading.Thread(target=render)
        thread.start()
        try:
            assert gate.reached.wait(120)
            assert not errors
            stage_shows(page, "octave 1/2")
            picture_at_least(page, 1)  # the first octave's result
            first = shot(page, "live-dream-1")
            chart_points(page, 3)
        finally:
            gate.release.set()
            thread.join(120)
        assert not errors
        stage_shows(page, "octave 2/2")
        picture_at_least(page, 3)  # octave 2, then the written output
        assert shot(page, "live-dream-2") != first
        chart_points(page, 6)
        finish(view, page)


def test_a_batch_lists_its_jobs_with_thumbnails(tmp_path):
    from genart.imageio import save_image

    outputs = [tmp_path / f"out{k}.png" for k in range(2)]
    for k, path in enumerate(outputs):
        save_image(solid((0.2 + 0.6 * k, 0.5, 0.3)), path)
    with chromium() as context:
        view = LiveView()
        view.start()
        page = open_page(context, view)
        view(BatchStarted(4, "style"))
        for k, path in enumerate(outputs):
            view(ItemStarted(k, 4, f"photo{k}.jpg", str(path)))
            view(ItemFinished(k, 4, f"photo{k}.jpg", "ok", str(path), None, 2.0))
        view(ItemStarted(2, 4, "broken.jpg", None))
        view(ItemFinished(2, 4, "broken.jpg", "failed", None, "broken.jpg: truncated JPEG data", 0.1))
        view(ItemStarted(3, 4, "photo3.jpg", None))
        wait_for(page, "() => document.querySelectorAll('#items .thumb img[src]').length === 2")
        rows = page.eval_on_selector_all("#items li[data-index]", "els => els.map(e => e.dataset.status)")
        assert rows == ["ok", "ok", "failed", "running"]
        assert "truncated JPEG data" in page.inner_text("#items")
        assert page.is_visible("#items li.current")
        shot(page, "live-batch")
        view(ItemFinished(3, 4, "photo3.jpg", "ok", None, None, 2.0))
        finish(view, page, done=3)
