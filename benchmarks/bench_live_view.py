"""What the live view costs a render: none, a LiveView nobody watches, a LiveView watched.

    python benchmarks/bench_live_view.py [--repeat 6] [--size 128]

Runs a small style transfer (random-init VGG19) and a small dream (random-init BVLC
GoogLeNet) with ``callback=None`` (the baseline), with a started :class:`LiveView` and no
page connected, and with one page connected (a thread reading the event stream, so
pictures are taken and encoded). The three are interleaved run by run, so a drift in the
machine's speed hits them alike (the order rotates each round); prints the median seconds
and the ratio to the baseline, after the cost of one Step event on its own.
Needs the ``web`` extra.
"""
from __future__ import annotations

import argparse
import http.client
import statistics
import threading
import time
from typing import Any, Callable

import torch


def style_job(size: int) -> Callable[[Any], Any]:
    from genart.commands.style.algorithm import stylize
    from genart.commands.style.config import StyleConfig
    from genart.models import load_backbone

    backbone = load_backbone("vgg19", weights="random")
    gen = torch.Generator().manual_seed(0)
    photo, style = torch.rand(1, 3, size * 3 // 4, size, generator=gen), torch.rand(1, 3, size, size, generator=gen)
    config = StyleConfig(size=size, start_size=size // 2, iterations=20, coarse_iterations=20)
    return lambda callback: stylize(photo, [style], config, backbone=backbone, callback=callback)


def dream_job(size: int) -> Callable[[Any], Any]:
    from genart.commands.dream.algorithm import dream
    from genart.commands.dream.config import DreamConfig
    from genart.models import load_backbone

    backbone = load_backbone("googlenet-bvlc", weights="random")
    photo = torch.rand(1, 3, size * 3 // 4, size, generator=torch.Generator().manual_seed(0))
    config = DreamConfig(octaves=3, iterations=10)
    return lambda callback: dream(photo, config, backbone=backbone, callback=callback)


class Watcher:
    """A page stand-in: reads the view's event stream until the view closes."""

    def __init__(self, view: Any) -> None:
        self.view = view
        self.bytes = 0
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        while view.state.watchers < 1:
            time.sleep(0.01)

    def _read(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.view.port, timeout=60)
        conn.request("GET", "/events")
        response = conn.getresponse()
        while chunk := response.read1(65536):
            self.bytes += len(chunk)


def timed(job: Callable[[Any], Any], mode: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the render's own thread) of one run.

    The thread's CPU time is what the live view could take from the render: it leaves out
    the server's threads and, with OMP_NUM_THREADS=1 (torch then computes on the calling
    thread), most of the noise of a shared machine.
    """
    from genart.web import LiveView

    view = None
    if mode != "none":
        view = LiveView()
        view.start()
        if mode == "watched":
            Watcher(view)
    start, cpu = time.perf_counter(), time.thread_time()
    job(view)
    seconds, cpu = time.perf_counter() - start, time.thread_time() - cpu
    if view is not None:
        view.close(grace=2.0)
    return seconds, cpu


def per_event_microseconds(events: int = 200_000) -> dict[str, float]:
    """The time one Step event costs the render thread, unwatched, beside building it."""
    from genart.core.events import StageStarted, Step
    from genart.web import LiveView

    picture = torch.rand(1, 3, 64, 64)
    view = LiveView()
    view.start()
    view(StageStarted("scale 1/1", 0, 1, events))
    out = {}
    for label, callback in (("build the event only", None), ("LiveView, unwatched", view)):
        start = time.perf_counter()
        for step in range(1, events + 1):
            event = Step(step, events, {"loss": 1.0 / step, "style": 0.5}, preview=lambda: picture)
            if callback is not None:
                callback(event)
        out[label] = (time.perf_counter() - start) / events * 1e6
    view.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=6)
    parser.add_argument("--size", type=int, default=128, help="long side of the renders (px)")
    args = parser.parse_args()
    print(f"{torch.get_num_threads()} threads, torch {torch.__version__}, long side {args.size} px, "
          f"median of {args.repeat}\n")
    print("| render | callback | median wall s | vs none | median render-thread CPU s | vs none |")
    print("|---|---|---:|---:|---:|---:|")
    for label, micro in per_event_microseconds().items():
        print(f"| one Step event | {label} | {micro:.2f} µs | | | |")
    modes = ("none", "unwatched", "watched")
    for name, make in (("style (2 scales x 20 it)", style_job), ("dream (3 octaves x 10 it)", dream_job)):
        job = make(args.size)
        job(None)  # warm-up
        times: dict[str, list[tuple[float, float]]] = {m: [] for m in modes}
        for round_ in range(args.repeat):
            # The order rotates each round, so being first (or after a server's shutdown)
            # favours no mode.
            for mode in modes[round_ % 3:] + modes[: round_ % 3]:
                times[mode].append(timed(job, mode))
        wall0 = statistics.median(t[0] for t in times["none"])
        cpu0 = statistics.median(t[1] for t in times["none"])
        for mode in modes:
            wall = statistics.median(t[0] for t in times[mode])
            cpu = statistics.median(t[1] for t in times[mode])
            print(f"| {name} | {mode} | {wall:.3f} | {wall / wall0:.3f} | {cpu:.3f} | {cpu / cpu0:.3f} |")


if __name__ == "__main__":
    main()
