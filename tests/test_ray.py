"""--executor ray on a real local Ray cluster (two worker processes on loopback).

A batch gives the same outputs as the single-process run, every worker loads the model
once, a worker killed in the middle of a job does not lose the batch or leave a partial
file, and a re-run resumes. Skips cleanly where Ray is not installed.
"""
from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import pytest

from genart import registry
from helpers import random_png, run_cli

ray = pytest.importorskip("ray")

PLUGIN = '''
"""A slow throw-away command for executor tests: flat images, one per seed."""
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genart.core.command import Command, Inputs, Output
from genart.core.config import param
from genart.engine.runner import Runner


@dataclass(frozen=True)
class SlowConfig:
    seed: int = param(0, "First seed.")
    delay: float = param(0.3, "Seconds per image.")
    crash_seed: int = param(-1, "The seed whose first attempt kills its worker mid-write.")
    log: str = param("", "File where each load appends its process id.")


class SlowRunner(Runner):
    def load(self):
        with open(self.config.log, "a") as log:
            log.write(f"{os.getpid()}\\n")

    def process(self, job):
        time.sleep(self.config.delay)
        seed = job.item.seed
        marker = Path(self.config.log + f".crashed{seed}")
        if seed == self.config.crash_seed and not marker.exists():
            marker.touch()
            out = Path(job.output)  # what a write cut short by the kill leaves
            (out.parent / f".{out.name}.dead.part").write_bytes(b"half")
            os.kill(os.getpid(), signal.SIGKILL)
        image = np.full((6, 8, 3), (seed * 30) % 256, dtype=np.uint8)
        return self.save_image(job, image, seed=seed)


COMMAND = Command(
    name="slow", config=SlowConfig, runner="slow_command:SlowRunner", summary="Slow test images.",
    inputs=Inputs.SEEDS, output=Output(template="{stem}"),
)
'''


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plugin")
    (folder / "slow_command.py").write_text(textwrap.dedent(PLUGIN))
    saved = os.environ.get("PYTHONPATH")
    # Workers are started by this cluster and inherit its environment: they import the
    # plugin and this checkout's genart like the driver does.
    os.environ["PYTHONPATH"] = os.pathsep.join([str(folder), str(Path(__file__).resolve().parents[1]), saved or ""])
    sys.path.insert(0, str(folder))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    registry.register("slow", "slow_command")
    yield folder
    registry.unregister("slow")
    ray.shutdown()
    sys.path.remove(str(folder))
    if saved is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = saved


def loads(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def records(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_ray_batch_equals_local_batch_and_loads_once_per_worker(cluster, tmp_path, monkeypatch, capsys):
    log = tmp_path / "loads.log"
    base = ["slow", "--count", "6", "--json", "-q", "--log", str(log)]
    code, out, err = run_cli([*base, "-o", str(tmp_path / "local")], monkeypatch, capsys)
    assert code == 0, err and len(loads(log)) == 1
    log.unlink()
    code, out_ray, err = run_cli([*base, "-o", str(tmp_path / "ray"), "--executor", "ray", "--workers", "2"],
                                 monkeypatch, capsys)
    assert code == 0, err
    assert len(loads(log)) == 2 and len(set(loads(log))) == 2  # two workers, one load each
    assert len(set(loads(log)) & {str(os.getpid())}) == 0  # not in the driver
    local = sorted((r["input"], Path(r["output"]).name, r["status"], json.dumps(r["result"])) for r in records(out))
    remote = sorted((r["input"], Path(r["output"]).name, r["status"], json.dumps(r["result"])) for r in records(out_ray))
    assert local == remote
    for name in os.listdir(tmp_path / "local"):
        assert (tmp_path / "local" / name).read_bytes()[:8] == (tmp_path / "ray" / name).read_bytes()[:8]
    # A re-run skips everything and starts no worker.
    code, out_ray, err = run_cli([*base, "-o", str(tmp_path / "ray"), "--executor", "ray"], monkeypatch, capsys)
    assert code == 0 and {r["status"] for r in records(out_ray)} == {"skipped"} and len(loads(log)) == 2


def test_a_killed_worker_loses_nothing(cluster, tmp_path, monkeypatch, capsys):
    log = tmp_path / "loads.log"
    out = tmp_path / "out"
    code, stdout, err = run_cli(["slow", "--count", "6", "--crash-seed", "2", "--json", "-q", "-o", str(out), "--log", str(log),
                                 "--executor", "ray", "--workers", "2"], monkeypatch, capsys)
    assert code == 0, err
    assert {r["status"] for r in records(stdout)} == {"ok"}
    assert sorted(p.name for p in out.iterdir()) == [f"slow_{i:04d}.png" for i in range(6)]  # no .part left
    assert (tmp_path / "loads.log.crashed2").exists()  # the kill did happen
    assert len(loads(log)) == 3  # two workers, and the one that replaced the killed one


def test_classify_on_ray_equals_classify_here(cluster, tmp_path, monkeypatch, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(4):
        random_png(photos / f"p{i}.png", i, (40, 48))
    # fp32 everywhere: workers are separate processes and must not pick bf16 on a CPU that has it.
    args = ["classify", str(photos), "--weights", "random", "--model", "googlenet-bvlc", "--topk", "3", "--json", "-q",
            "--batch-size", "2", "--precision", "fp32"]
    code, here, err = run_cli(args, monkeypatch, capsys)
    assert code == 0, err
    code, there, err = run_cli([*args, "--executor", "ray", "--workers", "2"], monkeypatch, capsys)
    assert code == 0, err

    def ranked(out):
        return sorted((r["input"], [(p["index"], p["probability"]) for p in r["result"]]) for r in records(out))

    # The same classes in the same order, and the same probabilities up to the rounding of
    # another thread count (random weights give near-ties, so ranks are compared loosely).
    for (name, mine), (other, theirs) in zip(ranked(here), ranked(there)):
        assert name == other and mine[0][0] == theirs[0][0]
        assert all(abs(a[1] - b[1]) < 1e-5 for a, b in zip(mine, theirs))


def test_without_ray_the_executor_says_how_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails
    code, _, err = run_cli(["classify", "x.png", "--executor", "ray"], monkeypatch, capsys)
    assert code == 2 and "pip install 'genart[ray]'" in err


def test_a_video_is_split_at_its_cut_rendered_on_ray_and_joined(cluster, tmp_path, monkeypatch, capsys):
    """Two shots run as two jobs on two workers; the pieces are joined in order with the sound."""
    from video_clips import audio_seconds, leftovers, make_clip, panning

    from genart.video import probe_video, read_frames

    clip = make_clip(tmp_path / "two.mp4", panning(14, 48, 64, seed=0) + panning(12, 48, 64, seed=5), fps=10,
                     audio_seconds=2.6)
    starry = random_png(tmp_path / "starry.png", 2, (40, 40))
    args = ["style", str(clip), "-s", str(starry), "--model", "vgg19-caffe", "--weights", "random", "--size", "40",
            "--no-pyramid", "--iterations", "2", "--frame-iterations", "1", "--style-layers", "relu1_1,relu2_1",
            "--content-layers", "relu2_1", "--precision", "fp32", "--threads", "1", "--json", "-q"]
    code, stdout, err = run_cli([*args, "-o", str(tmp_path / "ray.mp4"), "--executor", "ray", "--workers", "2"],
                                monkeypatch, capsys)
    assert code == 0, err
    [record] = records(stdout)  # one object per video, not per shot
    assert record["result"]["segments"] == [[0, 14], [14, 26]] and record["result"]["frames"] == 26
    info = probe_video(tmp_path / "ray.mp4")
    assert (info.frames, info.fps) == (26, 10) and abs(audio_seconds(tmp_path / "ray.mp4") - 2.6) < 0.1
    assert [float(f.time) for f in read_frames(tmp_path / "ray.mp4")] == [i / 10 for i in range(26)]
    assert leftovers(tmp_path) == ["ray.mp4", "starry.png", "two.mp4"]  # the pieces are gone
    code, _, err = run_cli([*args, "-o", str(tmp_path / "here.mp4")], monkeypatch, capsys)
    assert code == 0, err
    joined = [f.rgb.astype(float) for f in read_frames(tmp_path / "ray.mp4")]
    here = [f.rgb.astype(float) for f in read_frames(tmp_path / "here.mp4")]
    # In order: each frame is the unsplit render's frame (up to encoding), not its neighbour's.
    for i, frame in enumerate(joined):
        distances = [abs(frame - other).mean() for other in here]
        assert distances.index(min(distances)) == i and distances[i] < 4
