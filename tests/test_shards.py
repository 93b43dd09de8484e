"""Shards: N independent runs cover a batch exactly once, whatever the listing order or the
machine, and their --json lines merge into the single run's."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from genart.core.errors import UsageError
from genart.engine import batch
from genart.engine.shards import parse_shard, select
from helpers import random_png, run_cli


def _jobs(names, root: Path, variants=({},)):
    items = [batch.Item(str(root / n), Path(n)) for n in names]
    return batch.plan_jobs(items, output=str(root / "out"), template="{stem}_{style}" if variants[0] else "{stem}",
                           extension=".png", variants=list(variants))


@pytest.mark.parametrize("seed", range(25))
def test_shards_cover_any_listing_exactly_once(seed, tmp_path):
    rng = random.Random(seed)
    names = sorted({f"d{rng.randrange(4)}/f{rng.randrange(10**6)}.jpg" for _ in range(rng.randrange(1, 60))})
    count = rng.randrange(1, 9)
    variants = [{"style": s} for s in rng.sample(["starry", "scream", "wave"], rng.randrange(1, 4))]
    jobs = _jobs(names, tmp_path, variants)
    shards = [select(jobs, i, count) for i in range(count)]
    outputs = [j.output for shard in shards for j in shard]
    assert sorted(outputs) == sorted(j.output for j in jobs)  # every job once, none twice
    # Another order of listing, and another machine's mount point: the same assignment.
    shuffled = names[:]
    rng.shuffle(shuffled)
    elsewhere = _jobs(shuffled, tmp_path / "mnt" / "other", variants)
    for i in range(count):
        assert sorted(Path(j.output).name for j in select(elsewhere, i, count)) == sorted(
            Path(j.output).name for j in shards[i])


def test_shards_spread_work():
    items = batch.seed_items(400, first_seed=0, prefix="m")
    jobs = batch.plan_jobs(items, output="o/", template="{stem}", extension=".png")
    sizes = [len(select(jobs, i, 4)) for i in range(4)]
    assert sum(sizes) == 400 and min(sizes) > 70


def test_shard_spec_and_schedulers_environment():
    assert parse_shard(None) is None
    assert parse_shard("2/5") == (2, 5)
    assert parse_shard("auto", {"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "8"}) == (6, 8)
    assert parse_shard("auto", {"JOB_COMPLETION_INDEX": "3", "GENART_SHARD_COUNT": "4"}) == (3, 4)
    assert parse_shard("auto", {"GENART_SHARD": "1/2", "SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "9"}) == (1, 2)
    for bad in ("5/5", "x", "-1/3", "1/0"):
        with pytest.raises(UsageError):
            parse_shard(bad)
    with pytest.raises(UsageError, match="GENART_SHARD_COUNT"):
        parse_shard("auto", {"JOB_COMPLETION_INDEX": "0"})
    with pytest.raises(UsageError, match="no shard found"):
        parse_shard("auto", {})


def test_shard_runs_merge_into_the_single_run(tmp_path, monkeypatch, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(7):
        random_png(photos / f"p{i}.png", i, (32, 40))
    tiny = ["--weights", "random", "--octaves", "1", "--iterations", "1", "--json", "-q"]

    def run(out, *extra):
        code, stdout, err = run_cli(["dream", str(photos), "-o", str(out), *tiny, *extra], monkeypatch, capsys)
        assert code == 0, err
        return [json.loads(line) for line in stdout.splitlines()]

    single = run(tmp_path / "single")
    merged = []
    for i in range(3):
        merged += run(tmp_path / "sharded", "--shard", f"{i}/3")

    def key(records, root):
        return sorted((r["input"], Path(r["output"]).relative_to(root).as_posix(), r["status"], json.dumps(r["result"]))
                      for r in records)

    assert key(merged, tmp_path / "sharded") == key(single, tmp_path / "single")
    assert sorted(p.name for p in (tmp_path / "sharded").iterdir()) == sorted(p.name for p in (tmp_path / "single").iterdir())


def test_every_batch_command_takes_the_cluster_options():
    """Commands that compute nothing with a model (rules) are batches too; the commands
    that make one thing of one folder (sheet, gallery) are not."""
    from genart.cli.common import common_params
    from genart.registry import get as get_command, names as command_names

    def flags(name: str) -> set[str]:
        return {opt for p in common_params(get_command(name)) for opt in p.opts}

    for name in command_names():
        expected = get_command(name).batch
        assert ({"--shard", "--executor"} <= flags(name)) is expected, name
    assert "--device" not in flags("rules/mondrian")
