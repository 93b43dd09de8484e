"""The live view's model of a run (genart.web.state): no web stack, no browser needed."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from genart.core.events import (
    BatchFinished,
    BatchStarted,
    Intermediate,
    ItemFinished,
    ItemStarted,
    Message,
    StageStarted,
    Step,
)
from genart.web.curve import Curve
from genart.web.state import LiveState, to_picture


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


def counting_preview(calls: list[int]):
    def preview():
        calls.append(1)
        return torch.full((1, 3, 8, 12), 0.5)

    return preview


def test_stage_step_and_metrics_reach_the_snapshot(clock):
    state = LiveState(clock=clock)
    assert state.snapshot()["status"] == "waiting"
    state(StageStarted("scale 1/2 (64x48)", 0, 2, 10))
    state(Step(1, 10, {"loss": 3.0, "style": float("nan")}))
    snap = state.snapshot()
    assert snap["status"] == "running"
    assert snap["stage"]["name"] == "scale 1/2 (64x48)" and snap["stage"]["count"] == 2
    assert snap["step"] == 1
    assert snap["metrics"] == {"loss": 3.0, "style": None}  # NaN is not JSON
    assert snap["curve"]["key"] == "loss" and snap["curve"]["y"] == [3.0]


def test_a_frame_stage_without_steps_is_shown_around_its_octaves(clock):
    state = LiveState(clock=clock)
    state(StageStarted("frame 2/5", 1, 5, 0))
    state(StageStarted("octave 1/3 (64x48)", 0, 3, 4))
    stage = state.snapshot()["stage"]
    assert stage["outer"] == "frame 2/5" and stage["name"] == "octave 1/3 (64x48)"


def test_version_moves_with_every_event(clock):
    state = LiveState(clock=clock)
    before = state.version
    state(Message("hello", "warning"))
    state(Message("hidden detail", "debug"))
    assert state.version == before + 2
    assert state.snapshot()["messages"] == [{"level": "warning", "text": "hello"}]


def test_stage_eta_from_the_step_rate_not_counting_setup(clock):
    state = LiveState(clock=clock)
    state(StageStarted("scale 1/1", 0, 1, 11))
    clock.now += 50.0  # a slow set-up before the first step is not a step
    state(Step(1, 11, {"loss": 1.0}))
    clock.now += 4.0
    state(Step(3, 11, {"loss": 0.5}))
    snap = state.snapshot()
    assert snap["seconds_per_step"] == pytest.approx(2.0)
    assert snap["eta_stage"] == pytest.approx(16.0)  # 8 steps left at 2 s


def test_batch_items_eta_thumbnails_and_done(clock, tmp_path):
    state = LiveState(clock=clock)
    state(BatchStarted(3, "style"))
    out = str(tmp_path / "a.png")
    state(ItemStarted(0, 3, "a.jpg", out))
    clock.now += 10.0
    state(ItemFinished(0, 3, "a.jpg", "ok", out, None, 10.0))
    state(ItemStarted(1, 3, "b.jpg", "-"))
    clock.now += 4.0
    snap = state.snapshot()
    assert snap["command"] == "style" and snap["total"] == 3 and snap["current"] == 1
    assert [i["status"] for i in snap["items"]] == ["ok", "running"]
    assert [i["thumb"] for i in snap["items"]] == [True, False]
    assert snap["eta_batch"] == pytest.approx(6.0 + 10.0)  # rest of b, then c
    assert state.thumbnail_indices() == [0]
    assert state.image() == (1, out)  # the finished output replaces the preview
    state(ItemFinished(1, 3, "b.jpg", "ok", "-", None, 4.0))  # stdout: nothing to show
    assert state.thumbnail_indices() == [0]
    state(BatchFinished(2, 0, 0, not_started=1))
    snap = state.snapshot()
    assert snap["status"] == "done" and snap["summary"] == "2 done, 1 not started"
    assert snap["eta_batch"] is None and snap["eta_stage"] is None


@pytest.mark.parametrize(
    ("finished", "status"),
    [(BatchFinished(1, 0, 1, interrupted=True), "interrupted"), (BatchFinished(0, 0, 2), "failed")],
)
def test_end_states(clock, finished, status):
    state = LiveState(clock=clock)
    state(finished)
    assert state.snapshot()["status"] == status


def test_close_without_batch_end_says_stopped(clock):
    state = LiveState(clock=clock)
    state(StageStarted("scale 1/1", 0, 1, 2))
    state.close()
    snap = state.snapshot()
    assert snap["status"] == "stopped" and snap["closed"]


def test_an_unwatched_run_never_calls_preview(clock):
    calls: list[int] = []
    state = LiveState(clock=clock)
    state(StageStarted("scale 1/1", 0, 1, 100))
    for step in range(1, 101):
        clock.now += 5.0
        state(Step(step, 100, {"loss": 1.0}, preview=counting_preview(calls)))
    assert calls == []
    assert state.image() == (0, None)


def test_a_watched_run_takes_a_picture_at_most_every_interval(clock):
    calls: list[int] = []
    state = LiveState(clock=clock, preview_interval=1.0)
    state.connect()
    state(StageStarted("scale 1/1", 0, 1, 100))
    for step in range(1, 21):
        clock.now += 0.25  # 20 steps over 5 s
        state(Step(step, 100, {"loss": 1.0}, preview=counting_preview(calls)))
    assert len(calls) == 5
    version, picture = state.image()
    assert version == 5 and picture.dtype == np.uint8 and picture.shape == (8, 12, 3)
    state.disconnect()
    clock.now += 10.0
    state(Step(21, 100, {}, preview=counting_preview(calls)))
    assert len(calls) == 5


def test_a_new_stage_or_a_new_page_gets_a_picture_at_once(clock):
    calls: list[int] = []
    state = LiveState(clock=clock, preview_interval=60.0)
    state.connect()
    state(Step(1, 5, {}, preview=counting_preview(calls)))
    state(Step(2, 5, {}, preview=counting_preview(calls)))
    assert len(calls) == 1
    state(StageStarted("scale 2/2", 1, 2, 5))
    state(Step(1, 5, {}, preview=counting_preview(calls)))
    assert len(calls) == 2
    state.connect()  # a second page
    state(Step(2, 5, {}, preview=counting_preview(calls)))
    assert len(calls) == 3


def test_intermediate_images_are_pictures_when_watched(clock):
    state = LiveState(clock=clock)
    state(Intermediate("octave1", torch.zeros(1, 3, 4, 4)))
    assert state.image() == (0, None)
    state.connect()
    state(Intermediate("octave2", torch.ones(1, 3, 4, 4)))
    version, picture = state.image()
    assert version == 1 and int(picture.min()) == 255


def test_a_failing_preview_never_stops_the_render(clock):
    def broken():
        raise RuntimeError("CUDA out of memory")

    state = LiveState(clock=clock)
    state.connect()
    state(Step(1, 2, {"loss": 1.0}, preview=broken))  # no exception
    assert state.image() == (0, None)
    assert state.snapshot()["step"] == 1


def test_to_picture_shrinks_tensors_and_quantises():
    big = torch.rand(1, 3, 300, 600)
    picture = to_picture(big, 100)
    assert picture.shape == (50, 100, 3) and picture.dtype == np.uint8
    array = np.full((2, 2, 3), 2.0, dtype=np.float32)  # out of range: clamped
    assert to_picture(array, 100).max() == 255


def test_curve_keeps_every_point_until_full_then_thins_evenly():
    curve = Curve(max_points=10)
    for value in range(1, 8):
        curve.add(float(value), key="loss")
    assert curve.as_dict()["x"] == list(range(1, 8))
    for value in range(8, 1001):
        curve.add(float(value))
    data = curve.as_dict()
    assert len(data["x"]) <= 11  # the kept points and the latest one
    assert data["x"][-1] == 1000 and data["y"][-1] == 1000.0
    gaps = np.diff(data["x"][:-1])
    assert len(set(gaps.tolist())) == 1  # evenly spaced over the whole run
    assert data["x"][0] <= 1000 / 10 * 2


def test_curve_marks_stages_and_skips_missing_values():
    curve = Curve()
    curve.mark("scale 1/2")
    curve.add(2.0)
    curve.add(None)
    curve.mark("scale 2/2")
    curve.add(1.0)
    data = curve.as_dict()
    assert data["x"] == [1, 3] and data["y"] == [2.0, 1.0]
    assert data["marks"] == [{"x": 1, "label": "scale 1/2"}, {"x": 3, "label": "scale 2/2"}]


def test_snapshot_is_json(clock):
    import json

    state = LiveState(clock=clock)
    state(StageStarted("s", 0, 1, 3))
    state(Step(1, 3, {"loss": math.inf}))
    json.dumps(state.snapshot(), allow_nan=False)


def test_the_job_list_is_sent_only_when_it_changed(clock):
    state = LiveState(clock=clock)
    state(ItemStarted(0, 2, "a.jpg"))
    listed = state.items_version
    state(StageStarted("scale 1/1", 0, 1, 3))
    state(Step(1, 3, {"loss": 1.0}))
    assert state.items_version == listed  # steps do not touch the list
    snap = state.snapshot(items=False)
    assert snap["items"] is None and snap["items_version"] == listed and snap["finished"] == 0
    state(ItemFinished(0, 2, "a.jpg", "skipped"))
    assert state.items_version > listed and state.snapshot()["finished"] == 1
