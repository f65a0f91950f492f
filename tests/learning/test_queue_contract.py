"""The extraction queue's contract, run against both queues: the SQLite queue in a home folder and the
team store's queue in PostgreSQL (a real server on 127.0.0.1, a fresh database per test). One suite,
parametrized by `queue_backend` (tests/learning/conftest.py); what only one backend does is tested
beside it (test_queue.py, test_queue_pg.py), and the secrets of stored payloads in test_queue_secrets.py.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from autoskill_mcp.learning.queue import MAX_ATTEMPTS, JobQueue, new_owner, this_host

from .conftest import QueueBackend
from .test_queue import conversation


def test_one_job_per_file_state(any_queue: JobQueue, tmp_path: Path) -> None:
    q = any_queue
    path = tmp_path / "t.json"
    path.write_text(json.dumps(conversation("hello")))
    first, created = q.enqueue_path(path, user_id="alice")
    assert created
    assert q.enqueue_path(path, user_id="alice") == (first, False)  # PreCompact then SessionEnd, unchanged
    assert q.enqueue_path(path, user_id="bob")[1]                  # another user's learning is separate
    path.write_text(json.dumps(conversation("hello", "more")))
    os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    grown, created = q.enqueue_path(path, user_id="alice")
    assert created and grown != first
    job = q.get(first)
    assert job is not None and (job.kind, job.source, job.state, job.attempts) == ("path", str(path), "queued", 0)
    with pytest.raises(FileNotFoundError):
        q.enqueue_path(tmp_path / "missing.json", user_id="alice")
    with pytest.raises(ValueError, match="limit"):
        q.enqueue_content(b"x" * (16 * 1024 * 1024 + 1), user_id="alice")
    with pytest.raises(ValueError, match="UTF-8"):
        q.enqueue_content(b"\xff\xfe not text", user_id="alice")
    assert len(q.list()) == 3


def test_identical_inline_content_is_one_job(any_queue: JobQueue) -> None:
    text = json.dumps(conversation("Always use the logging module."))
    job_id, created = any_queue.enqueue_content(text, user_id="alice", format="openai-chat", label="chat")
    assert created
    assert any_queue.enqueue_content(text, user_id="alice") == (job_id, False)
    assert any_queue.enqueue_content(text, user_id="bob")[1]
    assert any_queue.payload(job_id) == text.encode()  # nothing to redact: the bytes as sent


def test_another_handle_sees_the_same_queue(queue_backend: QueueBackend) -> None:
    first, second = queue_backend.open(), queue_backend.open()
    job_id, _ = first.enqueue_content("{}", user_id="alice")
    assert second.enqueue_content("{}", user_id="alice") == (job_id, False)
    claimed = second.claim("w1", lease=30)
    assert claimed is not None and claimed.id == job_id and claimed.lease_owner == "w1"
    assert first.get(job_id).state == "running"
    again = first.reopen()  # the handle a worker's heartbeat thread uses
    try:
        assert again.heartbeat(job_id, "w1", progress="session 1/1")
        assert first.get(job_id).progress == "session 1/1"
    finally:
        again.close()
    assert first.get(job_id).state == "running"  # closing the reopened handle closed nothing else


def test_leases_expire_and_a_stale_worker_cannot_finish_a_job(queue_backend: QueueBackend) -> None:
    q = queue_backend.open()
    job_id, _ = q.enqueue_content("{}", user_id="alice")
    job = q.claim("w1", lease=30)
    assert job is not None and job.id == job_id and job.attempts == 1 and job.started_at is not None
    assert q.claim("w2") is None  # leased
    assert queue_backend.execute("UPDATE jobs SET lease_until = 0 WHERE id = ?", job_id) == 1  # w1 went silent
    again = q.claim("w2", lease=30)
    assert again is not None and again.id == job_id and again.attempts == 2 and again.lease_owner == "w2"
    assert not q.heartbeat(job_id, "w1") and q.heartbeat(job_id, "w2")
    assert not q.complete(job_id, "w1", {"late": True})
    assert not q.fail(job_id, "w1", "late", retry=True)
    assert q.complete(job_id, "w2", {"ok": True})
    done = q.get(job_id)
    assert done is not None and done.state == "done" and done.result == {"ok": True}
    assert done.lease_owner is None and done.finished_at is not None and done.error is None
    assert q.payload(job_id) is None  # a finished job keeps no payload
    assert not q.complete(job_id, "w2", {"twice": True})  # done once
    assert q.counts() == {"queued": 0, "running": 0, "done": 1, "failed": 0}


def test_a_job_whose_worker_dies_every_time_stops_failed(queue_backend: QueueBackend) -> None:
    q = queue_backend.open()
    job_id, _ = q.enqueue_content("{}", user_id="alice")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        job = q.claim(f"w{attempt}", lease=30)
        assert job is not None and job.attempts == attempt
        queue_backend.execute("UPDATE jobs SET lease_until = 0 WHERE id = ?", job_id)  # killed mid-job
    assert q.claim("w-last") is None  # not a fourth time
    failed = q.get(job_id)
    assert failed is not None and failed.state == "failed" and failed.lease_owner is None
    assert f"its worker stopped {MAX_ATTEMPTS} times mid-job" in (failed.error or "")
    assert q.retry(job_id) and q.get(job_id).state == "queued" and q.get(job_id).attempts == 0


def test_failures_retry_with_backoff_then_stay_failed(queue_backend: QueueBackend) -> None:
    q = queue_backend.open()
    job_id, _ = q.enqueue_content("{}", user_id="alice")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        queue_backend.execute("UPDATE jobs SET not_before = 0 WHERE id = ?", job_id)  # skip the backoff wait
        job = q.claim("w")
        assert job is not None and job.attempts == attempt
        assert q.fail(job_id, "w", "network down", retry=True)
        if attempt < MAX_ATTEMPTS:
            assert q.get(job_id).state == "queued" and q.claim("w") is None  # backing off
    failed = q.get(job_id)
    assert failed is not None and failed.state == "failed" and failed.error == "network down"
    assert q.retry(job_id) and q.get(job_id).state == "queued"
    q.claim("w")
    assert q.fail(job_id, "w", "bad input", retry=False) and q.get(job_id).state == "failed"
    assert not q.retry("no-such-job")


def test_a_result_stored_with_the_old_outcome_words_reads_in_todays(any_queue: JobQueue) -> None:
    a, b, c = ({"name": "a", "action": "add"}, {"name": "b", "action": "merge"}, {"name": "c", "action": "discard"})
    old = {"sessions": [{"session_id": "s", "decisions": [dict(a), dict(b)]}], "added": 1, "merged": 1,
           "discarded": 0, "unchanged": 0, "skills": [a, b, c], "llm_calls": 0, "extractor": "rules"}
    job_id, _ = any_queue.enqueue_content("{}", user_id="alice")
    assert any_queue.claim("w1", lease=30) is not None and any_queue.complete(job_id, "w1", old)
    result = any_queue.get(job_id).result
    assert (result["created"], result["updated"], result["merged"], result["discarded"]) == (1, 0, 1, 0)
    assert "added" not in result
    assert [d["action"] for d in result["skills"]] == ["created", "merged", "discarded"]
    assert [d["action"] for d in result["sessions"][0]["decisions"]] == ["created", "merged"]


def test_listing_pages_newest_first_and_a_user_sees_only_their_jobs(queue_backend: QueueBackend) -> None:
    q = queue_backend.open()
    ids = [q.enqueue_content(f"job {i}", user_id="alice" if i % 2 == 0 else "bob")[0] for i in range(5)]
    for i, job_id in enumerate(ids):  # created in order, whatever the clock's resolution
        queue_backend.execute("UPDATE jobs SET created_at = ? WHERE id = ?", 1000.0 + i, job_id)
    assert [j.id for j in q.list()] == ids[::-1]
    assert [j.id for j in q.list(user_id="alice")] == [ids[4], ids[2], ids[0]]
    assert [j.id for j in q.list(limit=2, offset=1)] == [ids[3], ids[2]]
    first, second = q.claim("w"), q.claim("w")
    assert first is not None and second is not None and (first.id, second.id) == (ids[0], ids[1])  # oldest first
    assert [j.id for j in q.list(state="running")] == [ids[1], ids[0]]
    assert q.get_for(ids[0], "alice") is not None
    assert q.get_for(ids[0], "bob") is None and q.get_for("made-up", "alice") is None
    assert q.counts() == {"queued": 3, "running": 2, "done": 0, "failed": 0}
    assert q.get(ids[0]).to_dict()["created_at"] == "1970-01-01T00:16:40Z"


def test_watermarks_are_per_user_and_session(any_queue: JobQueue) -> None:
    assert any_queue.watermark("alice", "claude-code:s1") is None
    any_queue.set_watermark("alice", "claude-code:s1", "e1", "h1")
    any_queue.set_watermark("alice", "claude-code:s1", "e2", "h2")
    any_queue.set_watermark("bob", "claude-code:s1", "x", "y")
    assert any_queue.watermark("alice", "claude-code:s1") == ("e2", "h2")
    assert any_queue.watermark("bob", "claude-code:s1") == ("x", "y")
    assert any_queue.watermark("alice", "claude-code:s2") is None


def test_live_workers_are_counted_until_gone_or_silent(queue_backend: QueueBackend) -> None:
    q = queue_backend.open()
    a, b = new_owner(), new_owner()
    q.worker_alive(a)
    q.worker_alive(b)
    q.worker_alive(a)  # again: still one worker
    assert q.live_workers() == 2 and q.live_workers(host=this_host()) == 2
    assert q.live_workers(host="another-machine") == 0
    q.worker_gone(b)
    assert q.live_workers() == 1
    queue_backend.execute("UPDATE workers SET seen_at = 0 WHERE owner = ?", a)  # silent since long ago
    assert q.live_workers() == 0


def test_concurrent_claimers_never_get_the_same_job(queue_backend: QueueBackend) -> None:
    """Four claimers, each on a handle of its own (its own connections, as four processes would have),
    race through the queue: every job is claimed exactly once."""
    q = queue_backend.open()
    ids = {q.enqueue_content(f"user: job {i}\nassistant: ok", user_id="u")[0] for i in range(40)}
    handles = [queue_backend.open() for _ in range(4)]
    got: list[tuple[str, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(len(handles))

    def claimer(handle: JobQueue) -> None:
        owner = new_owner()
        try:
            start.wait(timeout=30)
            while (job := handle.claim(owner, lease=60)) is not None:
                with lock:
                    got.append((job.id, owner))
                assert handle.complete(job.id, owner, {"by": owner})
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(h,)) for h in handles]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(job_id for job_id, _ in got) == sorted(ids)  # each once: none twice, none left
    assert all(q.get(job_id).result == {"by": owner} for job_id, owner in got)
    assert q.counts()["done"] == len(ids)
