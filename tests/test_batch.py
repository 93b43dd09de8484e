"""The batch engine: inputs, output naming, collisions, resume and exit codes."""
from __future__ import annotations

from pathlib import Path

import pytest

from genart.engine import batch
from genart.core.errors import ExitCode, ImageError, UsageError


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    for rel in ["a.jpg", "b.PNG", "notes.txt", "sub/c.webp", "sub/deeper/d.bmp", ".hidden/e.png"]:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    return root


def rels(items):
    return [str(i.rel) for i in items]


def test_folder_scan_flat_and_recursive(tree):
    assert rels(batch.collect_inputs([str(tree)])) == ["a.jpg", "b.PNG"]
    assert rels(batch.collect_inputs([str(tree)], recursive=True)) == [
        "a.jpg", "b.PNG", "sub/c.webp", "sub/deeper/d.bmp"
    ]


def test_globs_files_stdin_and_missing(tree):
    items = batch.collect_inputs([str(tree / "*.jpg"), str(tree / "notes.txt"), str(tree / "a.jpg")])
    assert rels(items) == ["a.jpg", "notes.txt"]  # explicit files are taken; duplicates once
    assert batch.collect_inputs(["-"])[0].path == "-"
    with pytest.raises(UsageError, match="no such file"):
        batch.collect_inputs([str(tree / "nope.jpg")])
    with pytest.raises(UsageError, match="no file matches"):
        batch.collect_inputs([str(tree / "*.gif")])


def test_output_inside_recursive_input_is_left_out(tree):
    out = tree / "out"
    (out / "x").mkdir(parents=True)
    (out / "x" / "old.png").write_bytes(b"x")
    items = batch.collect_inputs([str(tree)], recursive=True, exclude=out)
    assert not any("out" in i.rel.parts for i in items)


def test_folder_mode_mirrors_tree_with_template(tree, tmp_path):
    items = batch.collect_inputs([str(tree)], recursive=True)
    jobs = batch.plan_jobs(
        items, output=str(tmp_path / "o"), template="{stem}_{style}", extension=".png",
        variants=[{"style": "starry"}, {"style": "scream"}],
    )
    outs = [Path(j.output).relative_to(tmp_path / "o").as_posix() for j in jobs]
    assert outs[:2] == ["a_starry.png", "a_scream.png"]
    assert "sub/deeper/d_scream.png" in outs and len(outs) == 8


def test_single_file_output_and_stdout(tree):
    items = batch.collect_inputs([str(tree / "a.jpg")])
    assert batch.plan_jobs(items, output="x.jpg", template="{stem}", extension=".png")[0].output == "x.jpg"
    assert batch.plan_jobs(items, output="-", template="{stem}", extension=".png")[0].output == "-"
    two = batch.collect_inputs([str(tree)])
    with pytest.raises(UsageError, match="exactly one"):
        batch.plan_jobs(two, output="-", template="{stem}", extension=".png")


def test_template_checked_before_work(tree):
    items = batch.collect_inputs([str(tree)])
    with pytest.raises(UsageError, match=r"unknown field \{styel\}"):
        batch.plan_jobs(items, output="o/", template="{stem}_{styel}", extension=".png")
    with pytest.raises(UsageError, match="must be a file name"):
        batch.plan_jobs(items, output="o/", template="x/{stem}", extension=".png")


def test_collisions_detected_up_front(tmp_path):
    for d in ("x", "y"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "same.jpg").write_bytes(b"x")
    items = batch.collect_inputs([str(tmp_path / "x" / "same.jpg"), str(tmp_path / "y" / "same.jpg")])
    with pytest.raises(UsageError, match="both .* would be written"):
        batch.plan_jobs(items, output=str(tmp_path / "o"), template="{stem}", extension=".png")
    ok = batch.plan_jobs(items, output=str(tmp_path / "o"), template="{stem}_{index}", extension=".png")
    assert len({j.output for j in ok}) == 2


def _jobs(tmp_path, n):
    items = []
    for i in range(n):
        p = tmp_path / f"f{i}.png"
        p.write_bytes(b"x")
        items.append(batch.Item(str(p), Path(p.name)))
    return batch.plan_jobs(items, output=str(tmp_path / "out"), template="{stem}_o", extension=".png")


def test_bad_file_does_not_stop_batch_and_exit_code_3(tmp_path):
    jobs = _jobs(tmp_path, 3)

    def process(job):
        if "f1" in job.item.path:
            raise ImageError(f"{job.item.path}: corrupt")
        return {"ok": True}

    summary = batch.run_jobs(jobs, process)
    assert [o.status for o in summary.outcomes] == ["ok", "failed", "ok"]
    assert summary.exit_code == ExitCode.PARTIAL
    assert "corrupt" in summary.failed[0].error


def test_all_failed_is_1_and_interrupt_is_130(tmp_path):
    jobs = _jobs(tmp_path, 2)

    def bad(job):
        raise ImageError("nope")

    assert batch.run_jobs(jobs, bad).exit_code == ExitCode.FAILURE

    def interrupt(job):
        raise KeyboardInterrupt

    summary = batch.run_jobs(jobs, interrupt)
    assert summary.interrupted and summary.exit_code == ExitCode.INTERRUPTED


def test_resume_skips_existing_and_single_refuses_overwrite(tmp_path):
    jobs = _jobs(tmp_path, 2)
    Path(jobs[0].output).parent.mkdir(parents=True)
    Path(jobs[0].output).write_bytes(b"done")
    ran = []
    summary = batch.run_jobs(jobs, lambda j: ran.append(j.output))
    assert [o.status for o in summary.outcomes] == ["skipped", "ok"] and ran == [jobs[1].output]
    assert summary.exit_code == ExitCode.OK
    single = batch.run_jobs(jobs[:1], lambda j: ran.append("again"))
    assert single.outcomes[0].status == "failed" and "--overwrite" in single.outcomes[0].error
    assert "again" not in ran
    forced = batch.run_jobs(jobs[:1], lambda j: ran.append("forced"), overwrite=True)
    assert forced.outcomes[0].status == "ok" and ran[-1] == "forced"


def test_output_may_not_overwrite_input(tmp_path):
    p = tmp_path / "a.png"
    p.write_bytes(b"x")
    items = [batch.Item(str(p), Path("a.png"))]
    with pytest.raises(UsageError, match="its own input"):
        batch.plan_jobs(items, output=str(tmp_path), template="{stem}", extension=".png")


def test_generated_and_segment_items_follow_the_same_naming(tmp_path):
    seeds = batch.seed_items(3, first_seed=5, prefix="mondrian")
    assert [i.name for i in seeds] == ["seed 5", "seed 6", "seed 7"]
    jobs = batch.plan_jobs(seeds, output=str(tmp_path / "o"), template="{stem}", extension=".svg")
    assert [Path(j.output).name for j in jobs] == ["mondrian_0005.svg", "mondrian_0006.svg", "mondrian_0007.svg"]
    jobs = batch.plan_jobs(seeds, output=str(tmp_path / "o"), template="art_{seed}", extension=".svg")
    assert Path(jobs[-1].output).name == "art_7.svg"
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x")
    parts = [batch.Item(str(clip), Path("clip.mp4"), frames=(0, 48)), batch.Item(str(clip), Path("clip.mp4"), frames=(48, 96))]
    assert parts[1].name == f"{clip}[48:96]"
    jobs = batch.plan_jobs(parts, output=str(tmp_path / "o"), template="{stem}_{start}", extension=".mp4")
    assert [Path(j.output).name for j in jobs] == ["clip_0.mp4", "clip_48.mp4"]
    files = batch.collect_inputs([str(clip)])
    with pytest.raises(UsageError, match="seed"):
        batch.plan_jobs(files, output=str(tmp_path / "o/"), template="{stem}_{seed}", extension=".png")


def test_chunks_report_each_job_and_events(tmp_path):
    from genart.core.events import ItemFinished, ItemStarted

    jobs = _jobs(tmp_path, 5)
    events, calls = [], []

    def many(chunk):
        calls.append(len(chunk))
        return [ImageError("bad") if "f3" in j.item.path else {"n": j.item.path[-6:]} for j in chunk]

    summary = batch.run_jobs(jobs, process_many=many, chunk=2, callback=events.append)
    assert calls == [2, 2, 1]
    assert [o.status for o in summary.outcomes] == ["ok", "ok", "ok", "failed", "ok"]
    assert summary.exit_code == ExitCode.PARTIAL
    assert [type(e) for e in events[:4]] == [ItemStarted, ItemStarted, ItemFinished, ItemFinished]
    assert [e.status for e in events if isinstance(e, ItemFinished)] == ["ok", "ok", "ok", "failed", "ok"]


def test_interrupt_counts_jobs_not_started(tmp_path):
    jobs = _jobs(tmp_path, 4)
    seen = []

    def process(job):
        seen.append(job)
        if len(seen) == 2:
            raise KeyboardInterrupt
        return {}

    summary = batch.run_jobs(jobs, process)
    assert summary.interrupted and summary.count("ok") == 1 and summary.not_started == 3
