"""The runtime both servers share: a real store on disk, opened in the background, watched, worked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autoskill_mcp import LocalSkillStore, Skill
from autoskill_mcp.config import AutoSkillConfig
from autoskill_mcp.learning.worker import Worker
from autoskill_mcp.runtime import Runtime, StoreChange, build_config

HASHING = {"provider": "hashing", "dims": 256}
WAIT = 20.0


def config(home: Path) -> AutoSkillConfig:
    cfg = build_config(home, "alice")
    cfg.embeddings = dict(HASHING)
    return cfg


class Changes:
    """A subscriber that records what it is told and lets a test wait for it."""

    def __init__(self) -> None:
        self.seen: list[StoreChange] = []
        self._cond = threading.Condition()

    def __call__(self, change: StoreChange) -> None:
        with self._cond:
            self.seen.append(change)
            self._cond.notify_all()

    def wait_for(self, test: Any) -> StoreChange:
        with self._cond:
            assert self._cond.wait_for(lambda: any(test(c) for c in self.seen), WAIT), self.seen
            return next(c for c in self.seen if test(c))


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = Runtime(config(tmp_path / "home"), poll=0.05)
    yield rt
    rt.stop()


def test_build_config_is_what_each_entry_point_built_by_hand(tmp_path: Path) -> None:
    cfg = build_config(tmp_path, "bob", "hashing", [tmp_path / "lib"], llm={"provider": "offline"})
    assert cfg.store == {"provider": "local", "path": str(tmp_path), "library_dirs": [str(tmp_path / "lib")]}
    assert (cfg.embeddings, cfg.llm, cfg.default_user) == ({"provider": "hashing"}, {"provider": "offline"}, "bob")
    default = build_config()
    assert default.store == {"provider": "local"} and default.default_user is None
    assert (default.embeddings, default.llm) == (AutoSkillConfig().embeddings, AutoSkillConfig().llm)


def test_the_store_opens_off_the_calling_thread_and_sets_ready(runtime: Runtime) -> None:
    gate = threading.Event()
    opened_on: list[str] = []

    def hold() -> None:
        opened_on.append(threading.current_thread().name)
        gate.wait(WAIT)

    runtime.before_open = hold
    runtime.start()
    assert not runtime.ready.wait(0.2) and runtime.sdk is None  # start() did not wait for the store
    gate.set()
    assert runtime.ready.wait(WAIT) and runtime.is_ready and runtime.error is None
    assert opened_on and opened_on[0] != threading.current_thread().name
    assert runtime.store.summaries(user_id="alice") == []


def test_a_store_that_cannot_open_reports_why_and_is_still_ready(tmp_path: Path) -> None:
    (tmp_path / "home").write_text("a file where the store's folder should be")
    rt = Runtime(config(tmp_path / "home"), poll=0.05)
    rt.start()
    try:
        assert rt.ready.wait(WAIT) and not rt.is_ready and rt.error is not None
    finally:
        rt.stop()


def test_a_write_by_another_store_instance_reaches_a_subscriber(tmp_path: Path, runtime: Runtime) -> None:
    changes = Changes()
    runtime.subscribe(changes)
    runtime.start()
    opened = changes.wait_for(lambda c: c.opened)
    other = LocalSkillStore(tmp_path / "home", embeddings=HASHING, background=False)
    try:
        other.save(Skill(name="written-elsewhere", description="Saved by another store instance.",
                         instructions="# Elsewhere", user_id="alice"))
    finally:
        other.close()
    changed = changes.wait_for(lambda c: not c.opened)
    assert changed.seq > opened.seq and changed.moved
    assert [s.name for s in runtime.store.summaries(user_id="alice")] == ["written-elsewhere"]


def test_check_announces_this_process_write_at_once_and_unsubscribe_stops_the_calls(tmp_path: Path) -> None:
    rt = Runtime(config(tmp_path / "home"), poll=3600)  # the loop never turns: only check() can notice
    changes = Changes()
    unsubscribe = rt.subscribe(changes)
    rt.start()
    try:
        changes.wait_for(lambda c: c.opened)
        assert not rt.check()
        rt.store.save(Skill(name="saved-here", description="Saved through the runtime's own store.",
                            instructions="# Here", user_id="alice"))
        assert rt.check() and len(changes.seen) == 2
        unsubscribe()
        rt.store.save(Skill(name="saved-again", description="Saved once nobody listens any more.",
                            instructions="# Again", user_id="alice"))
        assert rt.check() and len(changes.seen) == 2
    finally:
        rt.stop()


def test_a_write_made_while_opening_is_announced_against_the_baseline(tmp_path: Path) -> None:
    home = tmp_path / "home"
    LocalSkillStore(home, embeddings=HASHING, background=False).close()
    gate = threading.Event()
    rt = Runtime(config(home), poll=3600, baseline=True, before_open=lambda: gate.wait(WAIT))
    changes = Changes()
    rt.subscribe(changes)
    rt.start()  # the baseline is read now, before the store opens
    try:
        other = LocalSkillStore(home, embeddings=HASHING, background=False)
        other.save(Skill(name="while-opening", description="Saved while the runtime was still opening.",
                         instructions="# Early", user_id="alice"))
        other.close()
        gate.set()
        assert changes.wait_for(lambda c: c.opened).moved
    finally:
        rt.stop()


def test_the_worker_starts_once_after_the_store_is_ready_and_stops_with_it(runtime: Runtime) -> None:
    made: list[bool] = []
    running = threading.Event()

    class Running(Worker):
        def run(self, **kw: Any) -> int:
            running.set()
            return super().run(**kw)

    def make_worker(queue: Any, learner: Any) -> Worker:
        made.append(runtime.is_ready)
        return Running(queue, learner)

    runtime.start(work_queue=True, make_worker=make_worker)
    runtime.start(work_queue=True, make_worker=make_worker)  # already running: a no-op
    assert runtime.ready.wait(WAIT) and running.wait(WAIT)
    assert made == [True]
    workers = [t for t in threading.enumerate() if t.name == "autoskill-worker"]
    assert len(workers) == 1
    runtime.stop()
    assert not workers[0].is_alive() and runtime.sdk is None
    assert made == [True]


def test_stop_then_start_opens_the_store_again(runtime: Runtime) -> None:
    runtime.start()
    assert runtime.ready.wait(WAIT)
    first = runtime.sdk
    runtime.stop()
    assert runtime.sdk is None and not runtime.check()
    runtime.start()
    assert runtime.ready.wait(WAIT) and runtime.is_ready and runtime.sdk is not first
