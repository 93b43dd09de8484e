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
