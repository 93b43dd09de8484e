"""A fair share of a busy CPU: readings of /proc/stat, the thread choice, the governor's
precedence (--threads > OMP_NUM_THREADS > automatic) and when it re-reads the machine.
Fake readings and a fake clock: nothing here depends on the real machine's load."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import torch

from genart.core import cpushare
from genart.core.cpushare import CpuSample, ThreadGovernor, fair_threads, others_busy
from genart.core.session import Session
from genart.engine.runner import Runner, run_local

TICK = cpushare._TICK
AVAILABLE_CPUS = cpushare.available_cpus  # the real one (tests below fake it)
STAT = """cpu  900 0 300 8000 100 0 0 0 0 0
cpu0 500 0 100 4000 50 0 0 0 0 0
cpu1 400 0 200 4000 50 0 0 0 0 0
intr 12345
ctxt 999
"""


def test_parse_stat_sums_the_processors_asked_for():
    both = cpushare.parse_stat(STAT.splitlines(), None, wall=1.0, own=2.0)
    assert (both.busy, both.total) == (1200, 9300)
    one = cpushare.parse_stat(STAT.splitlines(), {1}, wall=1.0, own=2.0)
    assert (one.busy, one.total) == (600, 4650)
    assert cpushare.parse_stat(STAT.splitlines(), {7}, wall=1.0, own=0.0) is None


def test_read_sample_of_the_real_machine_or_none(tmp_path):
    sample = cpushare.read_sample()
    assert sample is None or sample.total >= sample.busy >= 0
    assert cpushare.read_sample(stat=str(tmp_path / "missing")) is None


def _sample(wall: float, busy_cores: float, own_cores: float, cpus: int = 2) -> CpuSample:
    """Counters after ``wall`` seconds of ``busy_cores`` busy (all processes) on ``cpus``,
    ``own_cores`` of them this process's."""
    return CpuSample(wall, busy=round(busy_cores * wall * TICK), total=round(cpus * wall * TICK), own=own_cores * wall)


@pytest.mark.parametrize("busy, own, expected", [(0.0, 0.0, 0.0), (2.0, 1.0, 1.0), (2.0, 2.0, 0.0), (1.5, 0.5, 1.0)])
def test_others_busy_is_the_load_less_our_own(busy, own, expected):
    before = CpuSample(0.0, 0, 0, 0.0)
    assert others_busy(before, _sample(10.0, busy, own)) == pytest.approx(expected, abs=0.01)


def test_others_busy_of_an_empty_window_is_zero():
    s = CpuSample(5.0, 10, 20, 1.0)
    assert others_busy(s, s) == 0.0


@pytest.mark.parametrize("most, cpus, others, expected", [
    (2, 2, 0.0, 2), (2, 2, 0.3, 2), (2, 2, 1.0, 1), (2, 2, 0.7, 1), (2, 2, 2.0, 1), (2, 2, 5.0, 1),
    (8, 16, 1.0, 8), (8, 16, 8.0, 4), (16, 16, 3.0, 13),
])
def test_fair_threads_takes_our_share_of_the_free_cores(most, cpus, others, expected):
    assert fair_threads(most, cpus, others) == expected


class FakeMachine:
    """/proc/stat and torch's thread setting, faked: ``load`` cores busy elsewhere."""

    def __init__(self, load: float = 0.0, cpus: int = 2):
        self.now, self.load, self.cpus = 100.0, load, cpus
        self.busy = self.total = 0
        self.set_calls: list[int] = []

    def advance(self, seconds: float) -> None:
        self.busy += round(min(self.cpus, self.load) * seconds * TICK)
        self.total += round(self.cpus * seconds * TICK)
        self.now += seconds

    def sample(self) -> CpuSample:
        return CpuSample(self.now, self.busy, self.total, 0.0)

    def governor(self, explicit=None, env=None) -> ThreadGovernor:
        return ThreadGovernor(explicit, env={} if env is None else env, sample=self.sample,
                              set_threads=self.set_calls.append, get_threads=lambda: self.cpus,
                              clock=lambda: self.now)


@pytest.fixture(autouse=True)
def _no_start_reading(monkeypatch):
    monkeypatch.setattr(cpushare, "_START", None)
    monkeypatch.setattr(cpushare, "available_cpus", lambda: 2)


def test_an_idle_machine_keeps_every_thread():
    m = FakeMachine(load=0.0)
    g = m.governor()
    assert g.adjust() is None and m.set_calls == []  # no window yet: torch's default, no wait
    m.advance(cpushare.MIN_WINDOW_S)
    assert g.adjust() == 2 and m.set_calls == [2]
    g.restore()
    assert m.set_calls == [2]


def test_a_busy_loop_leaves_one_thread_and_its_end_gives_it_back():
    m = FakeMachine(load=1.0)
    g = m.governor()
    m.advance(cpushare.MIN_WINDOW_S)
    g.poll()  # the first decision comes as soon as the window allows, even during a job
    assert m.set_calls == [1]
    m.advance(cpushare.POLL_INTERVAL_S)
    g.poll()  # still busy
    m.load = 0.0
    m.advance(cpushare.POLL_INTERVAL_S - 0.5)
    g.poll()  # too soon: no new reading
    assert m.set_calls == [1]
    m.advance(0.5)
    g.poll()
    assert m.set_calls == [1, 2] and g.threads == 2


def test_between_jobs_it_rereads_at_most_every_second():
    m = FakeMachine(load=2.0)
    g = m.governor()
    m.advance(1.0)
    assert g.adjust() == 1
    m.load = 0.0
    m.advance(0.5)
    assert g.adjust() == 1  # half a second: too soon
    m.advance(0.6)
    assert g.adjust() == 2


def test_restore_gives_torch_its_threads_back():
    m = FakeMachine(load=1.0)
    g = m.governor()
    m.advance(1.0)
    g.adjust()
    g.restore()
    assert m.set_calls == [1, 2]


def test_the_cli_start_reading_decides_the_first_job(monkeypatch):
    m = FakeMachine(load=1.0)
    monkeypatch.setattr(cpushare, "_START", m.sample())
    m.advance(2.0)  # torch import and model loading
    assert m.governor().adjust() == 1


def test_a_stale_start_reading_is_not_used(monkeypatch):
    m = FakeMachine(load=1.0)
    monkeypatch.setattr(cpushare, "_START", m.sample())
    m.advance(cpushare.START_MAX_AGE_S + 1)
    assert m.governor().adjust() is None  # a fresh reading, too young to decide on


@pytest.mark.parametrize("env", [{"OMP_NUM_THREADS": "1"}, {"MKL_NUM_THREADS": "3"}, {"GENART_FAIR_SHARE": "0"}])
def test_the_environment_turns_it_off(env):
    m = FakeMachine(load=2.0)
    g = m.governor(env=env)
    assert not g.automatic
    m.advance(10)
    assert g.adjust() is None
    g.poll()
    g.restore()
    assert m.set_calls == []


def test_threads_given_explicitly_win_over_everything():
    m = FakeMachine(load=2.0)
    g = m.governor(explicit=2, env={"OMP_NUM_THREADS": "1"})
    assert m.set_calls == [2]
    m.advance(10)
    assert g.adjust() == 2
    g.poll()
    g.restore()
    assert m.set_calls == [2]


def test_without_proc_stat_nothing_changes():
    m = FakeMachine()
    g = ThreadGovernor(None, env={}, sample=lambda: None, set_threads=m.set_calls.append, get_threads=lambda: 2)
    assert not g.automatic and g.adjust() is None and m.set_calls == []


@pytest.mark.parametrize("env, expected", [
    ({}, cpushare.SPIN_COUNT), ({"OMP_WAIT_POLICY": "ACTIVE"}, None), ({"GOMP_SPINCOUNT": "1000"}, "1000"),
    ({"GENART_FAIR_SHARE": "0"}, None),
])
def test_short_wait_unless_the_user_chose(env, expected):
    before = dict(env)
    cpushare.short_wait_env(env)
    assert env.get("GOMP_SPINCOUNT") == expected
    assert env.get("OMP_WAIT_POLICY") == before.get("OMP_WAIT_POLICY")


def test_cgroup_quota_bounds_the_processors(monkeypatch):
    monkeypatch.setattr(cpushare, "_cgroup_quota", lambda: 1.5)
    assert 1 <= AVAILABLE_CPUS() <= 2
    monkeypatch.setattr(cpushare, "_cgroup_quota", lambda: 0.5)
    assert AVAILABLE_CPUS() == 1


# ------------------------------------------------------------------ in the Runner
class ThreadsSeen(Runner):
    """Records torch's thread count while each job runs (no output is written)."""

    seen: list[int] = []

    def process(self, job):
        self.seen.append(torch.get_num_threads())
        return {}


def _run(threads=None, count=2):
    from genart.engine.batch import Item, Job

    jobs = [Job(Item(None, Path(f"s{i}"), kind="seed"), None) for i in range(count)]
    ThreadsSeen.seen = []
    summary = run_local(Session(command="t", config=None, threads=threads), jobs, ThreadsSeen)
    assert summary.count("ok") == count
    return ThreadsSeen.seen


@pytest.fixture
def torch_threads():
    before = torch.get_num_threads()
    yield before
    torch.set_num_threads(before)


@pytest.mark.skipif(torch.get_num_threads() < 2, reason="needs 2 torch threads to see a change")
def test_the_runner_takes_its_share_and_gives_the_threads_back(monkeypatch, torch_threads):
    monkeypatch.delenv(cpushare.FAIR_SHARE_ENV, raising=False)
    for var in cpushare.EXPLICIT_THREAD_ENV:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(cpushare, "MIN_WINDOW_S", 0.0)
    m = FakeMachine(load=2.0)

    def sample():
        m.advance(0.5)
        return m.sample()

    monkeypatch.setattr(cpushare, "read_sample", sample)
    monkeypatch.setattr(time, "monotonic", lambda: m.now)
    assert _run() == [1, 1]
    assert torch.get_num_threads() == torch_threads  # restored after the batch


def test_threads_option_is_fixed_in_the_runner(monkeypatch, torch_threads):
    monkeypatch.delenv(cpushare.FAIR_SHARE_ENV, raising=False)
    monkeypatch.setattr(cpushare, "read_sample", lambda: FakeMachine(load=2.0).sample())
    assert _run(threads=2) == [2, 2]


def test_changes_are_reported():
    m = FakeMachine(load=1.0)
    seen = []
    g = ThreadGovernor(None, env={}, sample=m.sample, set_threads=m.set_calls.append, get_threads=lambda: 2,
                       clock=lambda: m.now, on_change=lambda n, others: seen.append((n, round(others, 2))))
    m.advance(1.0)
    g.adjust()
    m.advance(1.5)
    g.adjust()  # same count: not reported again
    assert seen == [(1, 1.0)]


def test_a_command_without_torch_never_loads_it():
    import subprocess
    import sys

    code = ("import sys, time; from genart.core.cpushare import ThreadGovernor; g = ThreadGovernor(None, env={}); "
            "time.sleep(0.3); g.adjust(); g.poll(0); g.restore(); print('torch' in sys.modules, g._decided)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False True"


def test_a_video_job_rereads_the_machine_as_its_frames_go():
    """A video is one long job: its events poll the governor as an image job's do."""
    from types import SimpleNamespace

    from genart.core.events import Intermediate, Step
    from genart.engine.media import video_callback

    polls, seen = [], []
    runner = SimpleNamespace(cpu_share=SimpleNamespace(poll=lambda: polls.append(1)), callback=seen.append)
    callback = video_callback(runner)
    callback(Step(1, 10, {}))
    callback(Intermediate("step0001", None))
    assert len(polls) == 2 and [type(e) for e in seen] == [Step]
