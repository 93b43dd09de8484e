"""The progress display: stderr only, plain lines off a terminal, quiet and verbose."""
from __future__ import annotations

import io

from genart.core.events import Message, StageStarted, Step
from genart.core.progress import Display


def feed(display: Display) -> None:
    display.start_batch(2)
    display.start_item(0, 2, "a.jpg")
    display(StageStarted("scale 1/2", 0, 2, 3))
    for i in range(1, 4):
        display(Step(i, 3, {"loss": 10.0 / i}))
    display(Message("low detail", level="warning"))
    display(Message("hidden unless verbose", level="debug"))
    display.end_item("failed", "a.jpg", "a.jpg: corrupt")


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
