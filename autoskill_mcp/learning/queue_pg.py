"""The extraction queue in the team store's PostgreSQL: one queue for every machine of a team.

The same jobs, leases, watermarks and workers as `queue.JobQueue`, with the same Job and the
same redaction (it reuses JobQueue's enqueue checks), so a job enqueued on one machine is
worked by any machine's worker, and a worker killed mid-job leaves a lease that expires and
another machine's worker takes. `claim` picks with `FOR UPDATE SKIP LOCKED`: two claimers never
wait on, nor take, the same row.

One exception: a path job (a hook's, `autoskill ingest FILE`) names a file on the machine that
queued it, so it records that machine (`host`) and only that machine's workers claim it; the
transcript never leaves its machine, only what is learned from it does. Inline content (the
MCP tool's, `autoskill serve`'s conversations) is redacted before it is stored and runs anywhere.

It lives in learning (not store) because it reuses the learning queue's redaction and Job;
store stays ignorant of learning, learning uses the store's connection pool.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ConfigError
from ..store.postgres.pool import ConnectionPool, redacted_dsn
from .queue import (
    _PURGE_EVERY,
    DEFAULT_LEASE,
    FAILED_PAYLOAD_TTL,
    MAX_ATTEMPTS,
    STATES,
    Job,
    JobQueue,
    _job,
    _redacted,
    after_failure,
    listing_sql,
    this_host,
)

T = TypeVar("T")


class PgJobQueue(JobQueue):
    """Jobs and ingest watermarks in the team store's database (migration 2)."""

    def __init__(self, pool: ConnectionPool, *, home: str | os.PathLike[str], host: str | None = None,
                 owns_pool: bool = False) -> None:
        """`home`: this machine's home (its settings); `host`: the machine this handle works for (its
        path jobs, the workers it counts; default this one); `owns_pool`: close the pool with the queue
        (a queue opened from a DSN), else the pool is the store's and outlives it."""
        self.pool = pool
        self.home = Path(home)
        self.host = host or this_host()
        self._owns_pool = owns_pool
        self._purged_at = 0.0

    @classmethod
    def connect(cls, dsn: str, *, home: str | os.PathLike[str]) -> PgJobQueue:
        """A queue with connections of its own, for a process that does not open the store (a hook)."""
        return cls(ConnectionPool(dsn), home=home, owns_pool=True)

    def close(self) -> None:
        if self._owns_pool:
            self.pool.close()

    def reopen(self) -> PgJobQueue:
        """Another handle for another thread: the pool is thread-safe, so it shares it (and never closes it)."""
        return PgJobQueue(self.pool, home=self.home, host=self.host)

    def _run(self, work: Callable[[Any], T], *, transaction: bool = True) -> T:
        """`work` on the pool; a database the queue's migration has not reached yet is said plainly
        (a hook may be the first of a newer release to reach it: the store migrates when it opens)."""
        from psycopg import errors

        try:
            return self.pool.run(work, transaction=transaction)
        except errors.UndefinedTable as exc:
            raise ConfigError(f"the team store at {redacted_dsn(self.pool.dsn)} has no extraction queue yet "
                              f"({' '.join(str(exc).split())}): run `autoskill store migrate --url …` once, "
                              "or open the store (it migrates)") from exc

    def _path_key(self, user_id: str, real: str, st: os.stat_result) -> str:
        """One job per (user, machine, file, file state): two machines' files at one path are two jobs."""
        return f"path:{user_id}:{self.host}:{real}:{st.st_size}:{st.st_mtime_ns}"

    def _enqueue(self, kind: str, source: str, payload: bytes | None, format: str | None, user_id: str,
                 hint: str | None, key: str) -> tuple[str, bool]:
        job_id = os.urandom(8).hex()

        def work(c: Any) -> tuple[str, bool]:
            inserted = c.execute(
                "INSERT INTO jobs (id, kind, source, payload, format, user_id, hint, dedupe_key, state, created_at, "
                "host) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,'queued',%s,%s) "
                "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                (job_id, kind, source, payload, format, user_id, hint, key, time.time(),
                 self.host if kind == "path" else None)).fetchone()
            if inserted is not None:
                return job_id, True
            row = c.execute("SELECT id, state, payload IS NULL FROM jobs WHERE dedupe_key = %s FOR UPDATE",
                            (key,)).fetchone()
            if payload is not None and row[1] == "failed" and row[2]:
                c.execute("UPDATE jobs SET payload = %s, state = 'queued', attempts = 0, not_before = 0, "
                          "error = NULL, finished_at = NULL WHERE id = %s", (payload, row[0]))
            return str(row[0]), False

        return self._run(work)

    def claim(self, owner: str, *, lease: float = DEFAULT_LEASE) -> Job | None:
        """Take the oldest runnable job (queued, or running under an expired lease) that this machine
        can run (path jobs only on their own machine), skipping rows another claimer holds."""
        now = time.time()
        if now - self._purged_at >= _PURGE_EVERY:
            self.drop_stale_payloads(now=now)

        def work(c: Any) -> str | None:
            c.execute(
                "UPDATE jobs SET state = 'failed', finished_at = %s, lease_owner = NULL, "
                "error = COALESCE(error, '') || 'its worker stopped ' || attempts || ' times mid-job' "
                "WHERE state = 'running' AND lease_until < %s AND attempts >= %s", (now, now, MAX_ATTEMPTS))
            row = c.execute(
                "SELECT id FROM jobs WHERE ((state = 'queued' AND not_before <= %s) "
                "OR (state = 'running' AND lease_until < %s)) AND (host IS NULL OR host = %s) "
                "ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED",
                (now, now, self.host)).fetchone()
            if row is None:
                return None
            c.execute(
                "UPDATE jobs SET state = 'running', lease_owner = %s, lease_until = %s, attempts = attempts + 1, "
                "started_at = %s, progress = NULL WHERE id = %s", (owner, now + lease, now, row[0]))
            return str(row[0])

        job_id = self._run(work)
        return None if job_id is None else self.get(job_id)

    def payload(self, job_id: str) -> bytes | None:
        row = self._run(lambda c: c.execute("SELECT payload FROM jobs WHERE id = %s", (job_id,)).fetchone(),
                            transaction=False)
        return None if row is None or row[0] is None else bytes(row[0])

    def heartbeat(self, job_id: str, owner: str, *, lease: float = DEFAULT_LEASE, progress: str | None = None) -> bool:
        return self._changed(
            "UPDATE jobs SET lease_until = %s, progress = COALESCE(%s, progress) "
            "WHERE id = %s AND lease_owner = %s AND state = 'running'",
            (time.time() + lease, progress, job_id, owner)) == 1

    def complete(self, job_id: str, owner: str, result: dict[str, Any]) -> bool:
        result = dict(result, sessions=[dict(s, error=_redacted(s.get("error"))) if s.get("error") else s
                                        for s in result.get("sessions", [])]) if "sessions" in result else result
        return self._changed(
            "UPDATE jobs SET state = 'done', result = %s, error = NULL, finished_at = %s, lease_owner = NULL, "
            "payload = NULL WHERE id = %s AND lease_owner = %s AND state = 'running'",
            (json.dumps(result, ensure_ascii=False), time.time(), job_id, owner)) == 1

    def fail(self, job_id: str, owner: str, error: str, *, retry: bool) -> bool:
        error = _redacted(error) or ""
        now = time.time()

        def work(c: Any) -> bool:
            row = c.execute("SELECT attempts FROM jobs WHERE id = %s AND lease_owner = %s FOR UPDATE",
                            (job_id, owner)).fetchone()
            if row is None:
                return False
            c.execute("UPDATE jobs SET state = %s, error = %s, not_before = %s, finished_at = %s, lease_owner = NULL "
                      "WHERE id = %s", (*after_failure(int(row[0]), error, retry=retry, now=now), job_id))
            return True

        return self._run(work)

    def retry(self, job_id: str) -> bool:
        return self._changed(
            "UPDATE jobs SET state = 'queued', attempts = 0, not_before = 0, error = NULL, finished_at = NULL "
            "WHERE id = %s AND state = 'failed' AND (kind != 'content' OR payload IS NOT NULL)", (job_id,)) == 1

    def drop_stale_payloads(self, *, now: float | None = None) -> int:
        now = time.time() if now is None else now
        self._purged_at = now
        return self._changed(
            "UPDATE jobs SET payload = NULL WHERE payload IS NOT NULL AND "
            "(state = 'done' OR (state = 'failed' AND COALESCE(finished_at, 0) < %s))", (now - FAILED_PAYLOAD_TTL,))

    def get(self, job_id: str) -> Job | None:
        row = self._run(lambda c: c.execute(f"SELECT {self._COLUMNS} FROM jobs WHERE id = %s",
                                                (job_id,)).fetchone(), transaction=False)
        return None if row is None else _job(row)

    def list(self, *, state: str | None = None, user_id: str | None = None, limit: int = 50,
             offset: int = 0) -> list[Job]:
        sql, args = listing_sql(self._COLUMNS, state=state, user_id=user_id, limit=limit, offset=offset, mark="%s")
        rows = self._run(lambda c: c.execute(sql, args).fetchall(), transaction=False)
        return [_job(r) for r in rows]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(STATES, 0)
        rows = self._run(lambda c: c.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetchall(),
                             transaction=False)
        for state, n in rows:
            out[str(state)] = int(n)
        return out

    def watermark(self, user_id: str, session_key: str) -> tuple[str, str] | None:
        row = self._run(lambda c: c.execute(
            "SELECT last_uid, content_hash FROM ingested WHERE user_id = %s AND session_key = %s",
            (user_id, session_key)).fetchone(), transaction=False)
        return None if row is None else (str(row[0]), str(row[1]))

    def set_watermark(self, user_id: str, session_key: str, last_uid: str, content_hash: str) -> None:
        self._changed(
            "INSERT INTO ingested (user_id, session_key, last_uid, content_hash, updated_at) VALUES (%s,%s,%s,%s,%s) "
            "ON CONFLICT (user_id, session_key) DO UPDATE SET last_uid = EXCLUDED.last_uid, "
            "content_hash = EXCLUDED.content_hash, updated_at = EXCLUDED.updated_at",
            (user_id, session_key, last_uid, content_hash, time.time()))

    def worker_alive(self, owner: str) -> None:
        self._changed(
            "INSERT INTO workers (owner, pid, host, seen_at) VALUES (%s,%s,%s,%s) ON CONFLICT (owner) DO UPDATE "
            "SET pid = EXCLUDED.pid, host = EXCLUDED.host, seen_at = EXCLUDED.seen_at",
            (owner, os.getpid(), self.host, time.time()))

    def worker_gone(self, owner: str) -> None:
        self._changed("DELETE FROM workers WHERE owner = %s", (owner,))

    def live_workers(self, *, within: float = 3 * DEFAULT_LEASE / 4, host: str | None = None) -> int:
        """Workers seen within `within` seconds on any machine (only on `host`, when given)."""
        row = self._run(lambda c: c.execute(
            "SELECT COUNT(*) FROM workers WHERE seen_at > %s AND (%s::text IS NULL OR host = %s)",
            (time.time() - within, host, host)).fetchone(), transaction=False)
        return int(row[0])

    def _changed(self, sql: str, args: tuple[Any, ...]) -> int:
        """Run one write in its own transaction; how many rows it touched."""
        return int(self._run(lambda c: c.execute(sql, args).rowcount))
