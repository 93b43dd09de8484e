"""The progress display: stderr only, plain lines off a terminal, quiet and verbose."""
from __future__ import annotations

import io

from genart.core.events import (
    BatchFinished,
    BatchStarted,
    ItemFinished,
    ItemStarted,
    Message,
    StageStarted,
    Step,
)
from genart.core.progress import Display


def feed(display: Display) -> None:
    display(BatchStarted(2))
    display(ItemStarted(0, 2, "a.jpg"))
    display(StageStarted("scale 1/2", 0, 2, 3))
    for i in range(1, 4):
        display(Step(i, 3, {"loss": 10.0 / i}))
    display(Message("low detail", level="warning"))
    display(Message("hidden unless verbose", level="debug"))
    display(ItemFinished(0, 2, "a.jpg", "failed", error="a.jpg: corrupt"))


def test_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    with Display(stream=stream, force_terminal=False) as d:
        feed(d)
    text = stream.getvalue()
    assert "[1/2] a.jpg" in text and "scale 1/2" in text
    assert "step 3/3 loss=3.333" in text  # the last step of a stage is always shown
    assert "warning: low detail" in text and "hidden unless verbose" not in text
    assert "error: a.jpg: corrupt" in text
    assert "\x1b[" not in text  # no colour or cursor codes off a terminal


def test_quiet_prints_only_errors():
    stream = io.StringIO()
    with Display(stream=stream, force_terminal=False, quiet=True) as d:
        feed(d)
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    assert lines == ["genart: error: a.jpg: corrupt"]


def plain(*events, **kwargs) -> str:
    stream = io.StringIO()
    with Display(stream=stream, force_terminal=False, **kwargs) as d:
        for event in events:
            d(event)
    return stream.getvalue()


def test_a_run_ends_with_where_it_wrote():
    one = plain(BatchStarted(1), ItemStarted(0, 1, "a.jpg"), ItemFinished(0, 1, "a.jpg", "ok", output="out/a.png"),
                BatchFinished(1, 0, 0))
    assert one.splitlines()[-1] == "wrote out/a.png"
    many = plain(BatchStarted(2), ItemFinished(0, 2, "a.jpg", "ok", output="out/x/a.png"),
                 ItemFinished(1, 2, "b.jpg", "ok", output="out/b.png"), BatchFinished(2, 0, 0))
    assert many.splitlines()[-1] == "wrote 2 files in out"
    quiet = plain(BatchStarted(1), ItemFinished(0, 1, "a.jpg", "ok", output="a.png"), BatchFinished(1, 0, 0), quiet=True)
    assert quiet == ""


def test_a_failure_names_its_file_once():
    text = plain(BatchStarted(2), ItemFinished(0, 2, "fake.jpg", "failed", error="fake.jpg: unsupported image content"),
                 ItemFinished(1, 2, "b.jpg", "failed", error="optimisation diverged"), BatchFinished(0, 0, 2))
    assert "fake.jpg: fake.jpg" not in text
    assert "genart: error: fake.jpg: unsupported image content" in text
    assert "genart: error: b.jpg: optimisation diverged" in text


def test_an_interrupted_batch_counts_what_never_started():
    text = plain(BatchStarted(4), ItemFinished(0, 4, "a.jpg", "ok", output="a.png"),
                 ItemFinished(1, 4, "b.jpg", "skipped"), BatchFinished(1, 1, 0, not_started=2, interrupted=True))
    assert "1 done, 1 skipped, 2 not started" in text and "again to resume" in text


def test_verbose_shows_debug():
    stream = io.StringIO()
    with Display(stream=stream, force_terminal=False, verbose=True) as d:
        feed(d)
    assert "hidden unless verbose" in stream.getvalue()


def test_no_color_on_a_terminal(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    stream = io.StringIO()
    with Display(stream=stream, force_terminal=True) as d:
        d.error("bad")
    assert "error: bad" in stream.getvalue()
    assert "\x1b[1;31m" not in stream.getvalue() and "\x1b[31m" not in stream.getvalue()


def _video_events(frames: int = 3) -> list:
    events = [BatchStarted(1), ItemStarted(0, 1, "clip.mp4")]
    for k in range(frames):
        events += [StageStarted(f"frame {k + 1}/{frames}", k, frames, 0), StageStarted("scale 1/1 (64x48)", 0, 1, 2),
                   Step(1, 2, {"loss": 2.0}), Step(2, 2, {"loss": 1.0})]
    return events + [StageStarted("encoding", frames, frames, 0), ItemFinished(0, 1, "clip.mp4", "ok", output="o.mp4")]


def test_frames_are_an_outer_stage_whose_inner_steps_stay_quiet(monkeypatch):
    clock = iter(range(0, 1000, 3))  # 3 s per event: the plain lines are throttled to one per 5 s
    monkeypatch.setattr("genart.core.progress.time.monotonic", lambda: next(clock))
    text = plain(*_video_events())
    assert "clip.mp4: frame 1/3" in text and "clip.mp4: encoding" in text
    assert "eta" in text  # frames done / total with the time left
    assert "scale 1/1" not in text and "step" not in text  # each frame's own stages: only with -v
    assert "scale 1/1" in plain(*_video_events(), verbose=True)


def test_frames_get_a_bar_of_their_own_on_a_terminal():
    stream = io.StringIO()
    with Display(stream=stream, force_terminal=True) as d:
        for event in _video_events()[:9]:  # in the middle of frame 2
            d(event)
        tasks = {t.description.strip(): (t.completed, t.total) for t in d._progress.tasks}
    assert tasks == {"frame 2/3": (1, 3), "scale 1/1 (64x48)": (1, 2)}
