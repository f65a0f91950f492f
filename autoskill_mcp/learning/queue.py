"""The durable extraction queue: jobs in the store's SQLite, worked by any process.

A hook, the CLI, the MCP server or the SDK enqueue; whichever process runs a
worker (the MCP server, the language server, `autoskill worker`) claims a job
under a lease. On a team store the same queue lives in its PostgreSQL
(`queue_pg.PgJobQueue`), shared by every machine: `open_queue` (a process with the
store open) and `configured_queue` (a hook, deciding from the settings alone) pick
the one that belongs with the store. A worker killed mid-job (even `kill -9`) leaves
a lease that expires, and the next claim runs the job again; maintenance makes that
rerun harmless (an unchanged re-ingest changes nothing). One job exists per
(source, content): the same transcript enqueued by PreCompact and again by
SessionEnd without a change in between is one job.

No secret is written here in plain text: an inline transcript is redacted before it
is stored (a path job stores only the path), and so are hints and errors. A payload
lives only as long as a job may still need it: it is dropped when the job is done,
and `FAILED_PAYLOAD_TTL` after it failed for good (a retry needs it until then).

This module imports only the standard library at import time: a hook must enqueue and
exit in milliseconds (the redaction rules load when inline content is enqueued).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..store.wal import immediate, open_catalog

if TYPE_CHECKING:
    from ..config import AutoSkillConfig
    from ..store.base import SkillStore

State = Literal["queued", "running", "done", "failed"]
STATES: tuple[State, ...] = ("queued", "running", "done", "failed")

#: a claimed job is someone else's again this long after its worker's last sign of life
DEFAULT_LEASE = 60.0
#: a job that failed this many times (or whose worker died this many times) stays failed
MAX_ATTEMPTS = 3
#: inline content larger than this is refused (a transcript file is read from disk instead)
MAX_INLINE_BYTES = 16 * 1024 * 1024
#: a failed job's inline content is kept this long (seconds) for `autoskill jobs --retry`, then dropped
FAILED_PAYLOAD_TTL = 24 * 3600.0
#: stale payloads are looked for at most this often (seconds) by one queue
_PURGE_EVERY = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    payload BLOB,
    format TEXT,
    user_id TEXT NOT NULL,
    hint TEXT,
    dedupe_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until REAL,
    not_before REAL NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    progress TEXT,
    result TEXT,
    error TEXT
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, not_before, created_at);
CREATE TABLE IF NOT EXISTS ingested (
    user_id TEXT NOT NULL,
    session_key TEXT NOT NULL,
    last_uid TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (user_id, session_key)
);
CREATE TABLE IF NOT EXISTS workers (
    owner TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    seen_at REAL NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    kind: str                  # path | content
    source: str                # the transcript path, or a label for inline content
    format: str | None
    user_id: str
    hint: str | None
    state: State
    attempts: int
    created_at: float
    started_at: float | None
    finished_at: float | None
    progress: str | None
    result: dict[str, Any] | None
    error: str | None
    lease_owner: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "source": self.source, "format": self.format,
            "user_id": self.user_id, "state": self.state, "attempts": self.attempts,
            "created_at": _iso(self.created_at), "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at), "progress": self.progress,
            "result": self.result, "error": self.error,
        }


class JobQueue:
    """Jobs and ingest watermarks in `<home>/catalog.sqlite3` (shared with the store's catalog)."""

    def __init__(self, home: str | Path) -> None:
        self.home = Path(home)
        self._conn = open_catalog(self.home, _SCHEMA)
        self._purged_at = 0.0

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> JobQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate(self._conn)

    def reopen(self) -> JobQueue:
        """Another handle on this queue, for another thread (a SQLite connection is one thread's);
        the caller closes it."""
        return JobQueue(self.home)

    # -- enqueue -----------------------------------------------------------------------------------------

    def enqueue_path(self, path: str | Path, *, user_id: str, format: str | None = None,
                     hint: str | None = None) -> tuple[str, bool]:
        """(job id, created): one job per file state; an unchanged file maps to its existing job."""
        real = os.path.realpath(path)
        try:
            st = os.stat(real)
        except OSError as exc:
            raise FileNotFoundError(f"cannot read transcript {path}: {exc.strerror or exc}") from exc
        key = self._path_key(user_id, real, st)
        return self._enqueue("path", real, None, format, user_id, _redacted(hint), key)

    def _path_key(self, user_id: str, real: str, st: os.stat_result) -> str:
        """One job per (user, file, file state)."""
        return f"path:{user_id}:{real}:{st.st_size}:{st.st_mtime_ns}"

    def enqueue_content(self, content: str | bytes, *, user_id: str, format: str | None = None,
                        label: str = "inline", hint: str | None = None) -> tuple[str, bool]:
        """(job id, created) for a transcript given as text (identical content maps to one job).

        The text is redacted before it is stored: a job that fails keeps no secret in the catalog.
        Sent again after its job failed and its content was dropped, it queues that job again.
        """
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        if len(data) > MAX_INLINE_BYTES:
            raise ValueError(f"inline transcript is {len(data):,} bytes; the limit is {MAX_INLINE_BYTES:,}: "
                             "pass a file path instead")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("an inline transcript must be UTF-8 text: pass a file path instead") from None
        import hashlib

        from .redaction import redact_transcript

        data = redact_transcript(text)[0].encode("utf-8")
        key = f"content:{user_id}:{hashlib.sha256(data).hexdigest()}"
        return self._enqueue("content", label, data, format, user_id, _redacted(hint), key)

    def _enqueue(self, kind: str, source: str, payload: bytes | None, format: str | None, user_id: str,
                 hint: str | None, key: str) -> tuple[str, bool]:
        job_id = os.urandom(8).hex()
        with self._write() as c:
            row = c.execute("SELECT id, state, payload IS NULL FROM jobs WHERE dedupe_key = ?", (key,)).fetchone()
            if row:
                if payload is not None and row[1] == "failed" and row[2]:
                    c.execute("UPDATE jobs SET payload = ?, state = 'queued', attempts = 0, not_before = 0, "
                              "error = NULL, finished_at = NULL WHERE id = ?", (payload, row[0]))
                return str(row[0]), False
            c.execute(
                "INSERT INTO jobs (id, kind, source, payload, format, user_id, hint, dedupe_key, state, created_at) "
                "VALUES (?,?,?,?,?,?,?,?, 'queued', ?)",
                (job_id, kind, source, payload, format, user_id, hint, key, time.time()),
            )
        return job_id, True

    # -- work --------------------------------------------------------------------------------------------

    def claim(self, owner: str, *, lease: float = DEFAULT_LEASE) -> Job | None:
        """Take the oldest runnable job (queued, or running under an expired lease)."""
        now = time.time()
        if now - self._purged_at >= _PURGE_EVERY:
            self.drop_stale_payloads(now=now)
        with self._write() as c:
            # Jobs whose workers died too often stop here instead of looping forever.
            c.execute(
                "UPDATE jobs SET state = 'failed', finished_at = ?, lease_owner = NULL, "
                "error = COALESCE(error, '') || 'its worker stopped ' || attempts || ' times mid-job' "
                "WHERE state = 'running' AND lease_until < ? AND attempts >= ?",
                (now, now, MAX_ATTEMPTS),
            )
            row = c.execute(
                "SELECT id FROM jobs WHERE (state = 'queued' AND not_before <= ?) "
                "OR (state = 'running' AND lease_until < ?) ORDER BY created_at LIMIT 1",
                (now, now),
            ).fetchone()
            if row is None:
                return None
            c.execute(
                "UPDATE jobs SET state = 'running', lease_owner = ?, lease_until = ?, attempts = attempts + 1, "
                "started_at = ?, progress = NULL WHERE id = ?",
                (owner, now + lease, now, row[0]),
            )
        return self.get(str(row[0]))

    def payload(self, job_id: str) -> bytes | None:
        row = self._conn.execute("SELECT payload FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def heartbeat(self, job_id: str, owner: str, *, lease: float = DEFAULT_LEASE, progress: str | None = None) -> bool:
        """Extend our lease; False if the job is no longer ours (it expired and was taken)."""
        with self._write() as c:
            cur = c.execute(
                "UPDATE jobs SET lease_until = ?, progress = COALESCE(?, progress) "
                "WHERE id = ? AND lease_owner = ? AND state = 'running'",
                (time.time() + lease, progress, job_id, owner),
            )
            return cur.rowcount == 1

    def complete(self, job_id: str, owner: str, result: dict[str, Any]) -> bool:
        result = dict(result, sessions=[dict(s, error=_redacted(s.get("error"))) if s.get("error") else s
                                        for s in result.get("sessions", [])]) if "sessions" in result else result
        with self._write() as c:
            cur = c.execute(
                "UPDATE jobs SET state = 'done', result = ?, error = NULL, finished_at = ?, lease_owner = NULL, "
                "payload = NULL WHERE id = ? AND lease_owner = ? AND state = 'running'",
                (json.dumps(result, ensure_ascii=False), time.time(), job_id, owner),
            )
            return cur.rowcount == 1

    def fail(self, job_id: str, owner: str, error: str, *, retry: bool) -> bool:
        """Record a failure (its message redacted: an error may quote the input); a retryable one runs
        again later (backoff) until MAX_ATTEMPTS."""
        error = _redacted(error) or ""
        now = time.time()
        with self._write() as c:
            row = c.execute("SELECT attempts FROM jobs WHERE id = ? AND lease_owner = ?", (job_id, owner)).fetchone()
            if row is None:
                return False
            c.execute("UPDATE jobs SET state = ?, error = ?, not_before = ?, finished_at = ?, lease_owner = NULL "
                      "WHERE id = ?", (*after_failure(int(row[0]), error, retry=retry, now=now), job_id))
        return True

    def retry(self, job_id: str) -> bool:
        """Put a failed job back in the queue (`autoskill jobs --retry`); False for an inline job whose
        content was dropped (send it again instead)."""
        with self._write() as c:
            cur = c.execute(
                "UPDATE jobs SET state = 'queued', attempts = 0, not_before = 0, error = NULL, finished_at = NULL "
                "WHERE id = ? AND state = 'failed' AND (kind != 'content' OR payload IS NOT NULL)", (job_id,))
            return cur.rowcount == 1

    def drop_stale_payloads(self, *, now: float | None = None) -> int:
        """Drop the inline content of jobs that can no longer need it: done (none is kept), or failed
        more than FAILED_PAYLOAD_TTL ago. How many were dropped."""
        now = time.time() if now is None else now
        self._purged_at = now
        with self._write() as c:
            cur = c.execute(
                "UPDATE jobs SET payload = NULL WHERE payload IS NOT NULL AND "
                "(state = 'done' OR (state = 'failed' AND COALESCE(finished_at, 0) < ?))",
                (now - FAILED_PAYLOAD_TTL,))
            return cur.rowcount

    # -- reading -----------------------------------------------------------------------------------------

    _COLUMNS = ("id, kind, source, format, user_id, hint, state, attempts, created_at, started_at, finished_at, "
                "progress, result, error, lease_owner")

    def get(self, job_id: str) -> Job | None:
        row = self._conn.execute(f"SELECT {self._COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else _job(row)

    def get_for(self, job_id: str, user_id: str) -> Job | None:
        """A job as its user sees it: None for an unknown id and for anyone else's job alike."""
        job = self.get(job_id)
        return job if job is not None and job.user_id == user_id else None

    def list(self, *, state: str | None = None, user_id: str | None = None, limit: int = 50,
             offset: int = 0) -> list[Job]:
        """Jobs newest first; `offset` skips that many (a page of a listing)."""
        sql, args = listing_sql(self._COLUMNS, state=state, user_id=user_id, limit=limit, offset=offset, mark="?")
        return [_job(r) for r in self._conn.execute(sql, args).fetchall()]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(STATES, 0)
        for state, n in self._conn.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state"):
            out[str(state)] = int(n)
        return out

    # -- incremental ingest ------------------------------------------------------------------------------

    def watermark(self, user_id: str, session_key: str) -> tuple[str, str] | None:
        """(last event uid learned from, content hash then) for a session, if any."""
        row = self._conn.execute(
            "SELECT last_uid, content_hash FROM ingested WHERE user_id = ? AND session_key = ?",
            (user_id, session_key),
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def set_watermark(self, user_id: str, session_key: str, last_uid: str, content_hash: str) -> None:
        with self._write() as c:
            c.execute(
                "INSERT OR REPLACE INTO ingested (user_id, session_key, last_uid, content_hash, updated_at) "
                "VALUES (?,?,?,?,?)", (user_id, session_key, last_uid, content_hash, time.time()))

    # -- workers -----------------------------------------------------------------------------------------

    def worker_alive(self, owner: str) -> None:
        with self._write() as c:
            c.execute("INSERT OR REPLACE INTO workers (owner, pid, host, seen_at) VALUES (?,?,?,?)",
                      (owner, os.getpid(), this_host(), time.time()))

    def worker_gone(self, owner: str) -> None:
        with self._write() as c:
            c.execute("DELETE FROM workers WHERE owner = ?", (owner,))

    def live_workers(self, *, within: float = 3 * DEFAULT_LEASE / 4, host: str | None = None) -> int:
        """Workers seen within `within` seconds (only those on `host`, when given)."""
        sql = "SELECT COUNT(*) FROM workers WHERE seen_at > ?"
        args: list[Any] = [time.time() - within]
        if host is not None:
            sql += " AND host = ?"
            args.append(host)
        (n,) = self._conn.execute(sql, args).fetchone()
        return int(n)


def after_failure(attempts: int, error: str, *, retry: bool, now: float) -> tuple[str, str, float, float | None]:
    """(state, error, not_before, finished_at) of a job that failed on its `attempts`-th run: queued
    again after a backoff while a retry may help and attempts are left, else failed for good."""
    again = retry and attempts < MAX_ATTEMPTS
    if again:
        return "queued", error[:2000], now + 5.0 * 2 ** attempts, None
    return "failed", error[:2000], 0.0, now


def listing_sql(columns: str, *, state: str | None, user_id: str | None, limit: int, offset: int,
                mark: str) -> tuple[str, list[Any]]:
    """A page of jobs, newest first, as (SQL, arguments); `mark` is the driver's placeholder."""
    sql = f"SELECT {columns} FROM jobs WHERE 1=1"
    args: list[Any] = []
    if state:
        sql += f" AND state = {mark}"
        args.append(state)
    if user_id:
        sql += f" AND user_id = {mark}"
        args.append(user_id)
    sql += f" ORDER BY created_at DESC, id LIMIT {mark} OFFSET {mark}"
    return sql, [*args, limit, offset]


def _redacted(text: str | None) -> str | None:
    """`text` with its secrets replaced (hints and errors are stored, and may quote a transcript)."""
    if not text:
        return text
    from .redaction import redact

    return redact(text).text


def new_owner() -> str:
    """A worker identity that is unique across processes and hosts."""
    return f"{this_host()}:{os.getpid()}:{os.urandom(4).hex()}"


def this_host() -> str:
    """This machine's name, as workers record it (a team queue keeps a path job for the machine with the file)."""
    return os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "localhost")


def _job(row: tuple[Any, ...]) -> Job:
    (job_id, kind, source, fmt, user_id, hint, state, attempts, created, started, finished, progress, result,
     error, owner) = row
    return Job(str(job_id), str(kind), str(source), fmt, str(user_id), hint, state, int(attempts), float(created),
               started, finished, progress, None if result is None else _current_words(json.loads(result)), error,
               owner)


#: Results stored before the outcomes had one vocabulary (`maintenance.SaveOutcome`) said add / merge /
#: discard per decision and counted "added"; the learned path never overwrites, so "merge" was a merge.
_OLD_OUTCOMES = {"add": "created", "merge": "merged", "discard": "discarded"}


def _current_words(result: Any) -> Any:
    """A stored job result in today's outcome words: the one place old results are translated, on read."""
    if not isinstance(result, dict) or "added" not in result:
        return result
    result = dict(result)
    result["created"] = result.pop("added")
    result.setdefault("updated", 0)
    decisions = [*result.get("skills", []), *(d for s in result.get("sessions", []) for d in s.get("decisions", []))]
    for decision in decisions:
        if isinstance(decision, dict) and decision.get("action") in _OLD_OUTCOMES:
            decision["action"] = _OLD_OUTCOMES[decision["action"]]
    return result


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def open_queue(store: SkillStore | str | Path, home: str | Path | None = None) -> JobQueue:
    """The queue that belongs with an open `store`: the team store's PostgreSQL queue when the store
    lives in a team database (`store.team_pool()`, one queue for every machine), else the SQLite
    queue in `home` (default: the store's root; a path is a local store's root). `home` is also
    where a worker reads this machine's settings ([sync]). psycopg is imported only for a team store."""
    pool = None if isinstance(store, (str, Path)) else store.team_pool()
    root = home if home is not None else store if isinstance(store, (str, Path)) else getattr(store, "root", None)
    if root is None:
        raise ValueError("open_queue needs a home for a store without a root folder")
    if pool is not None:
        from .queue_pg import PgJobQueue

        return PgJobQueue(pool, home=root)
    return JobQueue(root)


def configured_queue(config: AutoSkillConfig) -> JobQueue:
    """The queue `config`'s store keeps its jobs in, decided from the settings alone (the `[store] url`
    of `<home>/config.toml`, `AUTOSKILL_STORE_URL`): for a process that must not open the store (a
    hook, the serve proxy's extraction). A local store's queue imports nothing beyond the standard
    library; the team store's connects to its database (psycopg), and its handle owns that pool."""
    dsn = config.team_store_dsn()
    if dsn is None:
        return JobQueue(config.home)
    from .queue_pg import PgJobQueue

    return PgJobQueue.connect(dsn, home=config.home)
