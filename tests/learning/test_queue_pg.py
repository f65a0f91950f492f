"""The team store's queue on a real PostgreSQL: leases, SKIP LOCKED claims, owner-only writes."""

from __future__ import annotations

import threading

from autoskill_mcp.learning.queue import JobQueue, new_owner, open_queue
from autoskill_mcp.learning.queue_pg import PgJobQueue
from autoskill_mcp.store.postgres import PostgresSkillStore


def test_jobs_lease_expire_and_are_finished_by_another_owner(pg_dsn: str, tmp_path) -> None:
    store = PostgresSkillStore(pg_dsn, background=False)
    try:
        q = open_queue(store)
        assert isinstance(q, PgJobQueue)
        job_id, created = q.enqueue_content("user: hi\nassistant: token sk-ABCDEFGHIJKLMNOPQRSTUVWX1234", user_id="u")
        assert created and q.enqueue_content("user: hi\nassistant: token sk-ABCDEFGHIJKLMNOPQRSTUVWX1234",
                                             user_id="u") == (job_id, False)
        assert b"sk-ABCDEFGHIJKLMNOPQRSTUVWX1234" not in (q.payload(job_id) or b"")
        a, b = new_owner(), new_owner()
        job = q.claim(a, lease=-1.0)  # a lease already expired: the worker "died"
        assert job is not None and job.id == job_id and job.lease_owner == a
        taken = q.claim(b)
        assert taken is not None and taken.id == job_id and taken.lease_owner == b
        assert not q.heartbeat(job_id, a) and q.heartbeat(job_id, b)
        assert not q.complete(job_id, a, {"created": 1})
        assert q.complete(job_id, b, {"created": 1})
        done = q.get(job_id)
        assert done is not None and done.state == "done" and done.attempts == 2 and q.payload(job_id) is None
        assert q.counts()["done"] == 1
        q.set_watermark("u", "s", "e1", "h1")
        q.set_watermark("u", "s", "e2", "h2")
        assert q.watermark("u", "s") == ("e2", "h2")
        q.worker_alive(a)
        assert q.live_workers() == 1
        q.worker_gone(a)
        assert q.live_workers() == 0
    finally:
        store.close()


def test_two_claimers_never_get_the_same_job(pg_dsn: str) -> None:
    store = PostgresSkillStore(pg_dsn, background=False)
    try:
        q = open_queue(store)
        ids = {q.enqueue_content(f"user: job {i}\nassistant: ok", user_id="u")[0] for i in range(20)}
        got: list[str] = []
        lock = threading.Lock()

        def claimer() -> None:
            owner = new_owner()
            while (job := q.claim(owner)) is not None:
                with lock:
                    got.append(job.id)

        threads = [threading.Thread(target=claimer) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(got) == sorted(ids)
    finally:
        store.close()


def test_a_local_store_gets_the_sqlite_queue(tmp_path) -> None:
    with open_queue(tmp_path) as q:
        assert type(q) is JobQueue
