"""genart beside another CPU-heavy process: how much slower than alone, before and after.

    python benchmarks/bench_fair_share.py                          # 2 rounds, all cases
    python benchmarks/bench_fair_share.py --rounds 3 --workloads style,dream
    python benchmarks/bench_fair_share.py --competitors none,busy --quick

Each workload is a whole ``python -m genart ...`` run (start-up, model loading and the
work), timed alone and beside a competitor:

- ``busy``: a plain busy loop (one Python process, one core);
- ``genart``: another genart run (a long style transfer, started a few seconds before and
  stopped after), in the same mode as the measured run.

Two modes, alternating run by run so that the machine's drift affects both alike:
``baseline`` is genart without its fair share (``GENART_FAIR_SHARE=0``: torch's default
thread count and OpenMP's default spin-waiting, i.e. genart before this change), and
``genart`` as shipped (``--modes`` also takes the ablations in MODES). The figure that matters is each mode's slowdown, loaded time over
alone time in the same round; a fair share of 2 cores beside one busy core is 2x.
A run that exceeds ``--timeout`` is stopped and counted at the timeout (shown as ">").

"other load" is the median number of cores that processes outside the benchmark kept busy
during the runs (from /proc/stat, less the CPU time of the benchmark's own processes):
on an idle machine it is near 0; anything more makes "alone" a loaded figure too.
Uses the real weights in ../shared when present (else ``--weights random``: the arithmetic
is the same). Prints markdown tables; writes outputs under a temporary folder only.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from genart.core.cpushare import available_cpus, others_busy, read_sample  # noqa: E402

SHARED = REPO.parent / "shared"
BUSY_LOOP = [sys.executable, "-c", "while True: pass"]
MODES = {
    "baseline": {"GENART_FAIR_SHARE": "0"},
    "genart": {},
    # ablations: each half of genart's fair share alone, and the waits it chose between
    "threads-only": {"GOMP_SPINCOUNT": "300000"},  # libgomp's default spinning, thread choice on
    "passive-only": {"GENART_FAIR_SHARE": "0", "OMP_WAIT_POLICY": "PASSIVE"},  # sleep at once, torch's threads
    "passive": {"OMP_WAIT_POLICY": "PASSIVE"},  # thread choice on, sleep at once (genart before the short spin)
}


def _weights(name: str) -> list[str]:
    path = SHARED / "weights" / name
    return ["--weights", str(path)] if path.is_file() else ["--weights", "random"]


def _images() -> tuple[Path, Path, Path]:
    """A content photo, a painting and a folder of photos (from ../shared, or made up)."""
    if (SHARED / "images").is_dir():
        art = SHARED / "images" / "art"
        return art / "tubingen.jpg", art / "starry_night.jpg", SHARED / "images" / "photos"
    import numpy as np
    from PIL import Image

    folder = Path(tempfile.mkdtemp(prefix="fairshare-img-"))
    rng = np.random.default_rng(0)
    for i in range(6):
        Image.fromarray(rng.integers(0, 255, (384, 512, 3), dtype=np.uint8)).save(folder / f"p{i}.png")
    return folder / "p0.png", folder / "p1.png", folder


def workloads(out: Path, quick: bool) -> dict[str, list[str]]:
    """The measured command lines (about 10-20 s each alone on 2 idle cores)."""
    content, painting, photos = _images()
    batch = out / "batch"
    batch.mkdir(exist_ok=True)
    for copy in range(4):  # 24 photos: three batches of 8
        for p in sorted(photos.iterdir()):
            shutil.copy(p, batch / f"{copy}_{p.name}")
    genart = [sys.executable, "-m", "genart"]
    style_it = "10" if quick else "30"
    vgg = [*_weights("vgg19-caffe-conv1_1-conv3_4.pth"), "--model", "vgg19-caffe",
           "--style-layers", "relu1_1,relu2_1,relu3_1", "--content-layers", "relu3_2"]
    return {
        "style": [*genart, "style", str(content), "-s", str(painting), *vgg, "--size", "256", "--no-pyramid",
                  "--iterations", style_it, "-o", str(out / "style.png"), "--overwrite", "-q"],
        "dream": [*genart, "dream", str(content), *_weights("bvlc_googlenet.pth"), "--size", "256" if quick else "384",
                  "-o", str(out / "dream.png"), "--overwrite", "-q"],
        "classify": [*genart, "classify", str(batch), *_weights("bvlc_googlenet.pth"), "-q"],
    }


def competitor_command(kind: str, out: Path) -> list[str] | None:
    if kind == "busy":
        return BUSY_LOOP
    if kind == "genart":
        content, painting, _ = _images()
        return [sys.executable, "-m", "genart", "style", str(content), "-s", str(painting),
                *_weights("vgg19-caffe-conv1_1-conv3_4.pth"), "--model", "vgg19-caffe",
                "--style-layers", "relu1_1,relu2_1,relu3_1", "--content-layers", "relu3_2",
                "--size", "320", "--no-pyramid", "--iterations", "100000", "-o", str(out / "other.png"),
                "--overwrite", "-q"]
    return None


@contextlib.contextmanager
def competing(kind: str, env: dict[str, str], out: Path, warmup: float) -> Iterator[int | None]:
    """Run the competitor around the block (none for ``none``); yields its pid."""
    cmd = competitor_command(kind, out)
    if cmd is None:
        yield None
        return
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(warmup if kind == "genart" else 0.5)  # past its torch import and model loading
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def _cpu_seconds(pid: int | None) -> float:
    """CPU seconds used so far by a running process (0 if unknown)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(cmd: list[str], env: dict[str, str], timeout: float, competitor: int | None) -> tuple[float, bool, float]:
    """Wall seconds of one run, whether it finished before ``timeout``, and the cores other
    processes (not this benchmark's) kept busy meanwhile: the machine's own noise."""
    before, comp0 = read_sample(), _cpu_seconds(competitor)
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    finished = True
    try:
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        finished = False
    wall = time.perf_counter() - start
    after, comp1 = read_sample(), _cpu_seconds(competitor)
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    ours = (children1.ru_utime + children1.ru_stime - children0.ru_utime - children0.ru_stime) + comp1 - comp0
    ambient = float("nan")
    if before and after:
        ambient = max(0.0, others_busy(before, after) - ours / wall)
    return (wall if finished else timeout), finished, ambient


def _env(mode: str) -> dict[str, str]:
    own = ("GENART_FAIR_SHARE", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    env = {k: v for k, v in os.environ.items() if k not in own}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return {**env, **MODES[mode]}


def _fmt(seconds: list[float], finished: list[bool]) -> str:
    med = statistics.median(seconds)
    return f"{'>' if not all(finished) else ''}{med:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workloads", default="style,dream,classify")
    parser.add_argument("--competitors", default="none,busy,genart")
    parser.add_argument("--modes", default="baseline,genart", help=f"of {', '.join(MODES)}")
    parser.add_argument("--timeout", type=float, default=240, help="seconds before a run is stopped")
    parser.add_argument("--warmup", type=float, default=8, help="seconds the genart competitor starts ahead")
    parser.add_argument("--quick", action="store_true", help="smaller workloads (a first look)")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="fairshare-"))
    cmds = {k: v for k, v in workloads(out, args.quick).items() if k in args.workloads.split(",")}
    comps, modes = args.competitors.split(","), args.modes.split(",")
    times: dict[tuple[str, str, str], list[tuple[float, bool, float]]] = {}
    loads: list[float] = []
    print(f"{available_cpus()} CPUs for this process", flush=True)
    for r in range(args.rounds):
        for name, cmd in cmds.items():
            for comp in comps:
                for mode in (modes if r % 2 == 0 else modes[::-1]):
                    env = _env(mode)
                    with competing(comp, env, out, args.warmup) as pid:
                        result = timed(cmd, env, args.timeout, pid)
                    loads.append(result[2])
                    times.setdefault((name, comp, mode), []).append(result)
                    print(f"round {r + 1} {name:8s} {comp:6s} {mode:8s} {result[0]:7.1f} s"
                          f"{'' if result[1] else ' (stopped)'}  other processes {result[2]:.2f} cores", flush=True)
    shutil.rmtree(out, ignore_errors=True)
    report(cmds, comps, modes, times, loads, args.rounds)


def report(cmds, comps, modes, times, loads, rounds) -> None:
    print(f"\n{rounds} round(s); cores kept busy by processes outside this benchmark during the runs: "
          f"{min(loads):.2f}-{max(loads):.2f} (median {statistics.median(loads):.2f}); medians of whole runs (s), "
          "slowdown = loaded / alone in the same round\n")
    print("| workload | competitor | " + " | ".join(f"{m} s | {m} slowdown" for m in modes) + " | other load |")
    print("|---|---|" + "---:|---:|" * len(modes) + "---:|")
    for name in cmds:
        for comp in comps:
            cells = []
            for mode in modes:
                runs = times[(name, comp, mode)]
                alone = times.get((name, "none", mode))
                cell = _fmt([r[0] for r in runs], [r[1] for r in runs])
                if alone and comp != "none":
                    ratios = [r[0] / a[0] for r, a in zip(runs, alone)]
                    slow = f"{'>' if not all(r[1] for r in runs) else ''}{statistics.median(ratios):.2f}x"
                else:
                    slow = "1.00x" if comp == "none" else ""
                cells += [cell, slow]
            ambient = statistics.median(r[2] for m in modes for r in times[(name, comp, m)])
            print(f"| {name} | {comp} | " + " | ".join(cells) + f" | {ambient:.2f} |")
    if "baseline" in modes and "genart" in modes:
        print("\nAlone, genart / baseline per round (must not be slower on an idle machine):")
        for name in cmds:
            pairs = zip(times[(name, "none", "genart")], times[(name, "none", "baseline")])
            ratios = [g[0] / b[0] for g, b in pairs]
            print(f"- {name}: " + ", ".join(f"{x:.2f}" for x in ratios) + f" (median {statistics.median(ratios):.2f})")


if __name__ == "__main__":
    main()
