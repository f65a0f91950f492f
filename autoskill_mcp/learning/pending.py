"""Pending candidates: a requirement said once, kept aside with its evidence until it comes back.

One mild "can you use dataclasses here" is not yet a standing rule; the same request in
a later session of the same user is. The gate's borderline sessions leave their
requirement sentences here (per user, in the store's catalog file, beside the job
queue), a later session that states one of them again promotes it into a skill, and
`autoskill candidates` lists, accepts or rejects what waits.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any, Literal

from ..store.wal import immediate, open_catalog

Status = Literal["pending", "promoted", "accepted", "rejected"]
STATUSES: tuple[Status, ...] = ("pending", "promoted", "accepted", "rejected")
#: a user's oldest pending candidates are dropped past this many (they never came back)
MAX_PER_USER = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending_candidates (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    summary TEXT NOT NULL,
    evidence TEXT NOT NULL,
    sessions TEXT NOT NULL,
    status TEXT NOT NULL,
    skill_id TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS pending_by_user ON pending_candidates(user_id, status, updated_at)
"""


@dataclass(frozen=True, slots=True)
class Said:
    """One requirement sentence of the user's, with where it was said."""

    text: str
    kind: str                 # requirement | correction | directive | procedure
    session_id: str
    turn: int
    agent: str = ""


@dataclass(slots=True)
class Pending:
    """A candidate kept aside: what would be learned, and the user's words it rests on."""

    id: str
    user_id: str
    name: str
    summary: str
    evidence: list[Said] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)
    status: Status = "pending"
    skill_id: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["created_at"] = _iso(self.created_at)
        out["updated_at"] = _iso(self.updated_at)
        return out


class PendingCandidates:
    """The pending candidates of every user on one store (several processes at once: SQLite WAL)."""

    def __init__(self, home: str | Path) -> None:
        self.home = Path(home)
        self._conn = open_catalog(self.home, _SCHEMA)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> PendingCandidates:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate(self._conn)

    def keep(self, user_id: str, name: str, summary: str, evidence: list[Said]) -> Pending:
        """Keep a candidate aside; the same session kept again replaces its earlier entry."""
        sessions = list(dict.fromkeys(s.session_id for s in evidence))
        now = time.time()
        with self._write() as c:
            rows = c.execute("SELECT id, sessions FROM pending_candidates WHERE user_id = ? AND status = 'pending'",
                             (user_id,)).fetchall()
            same = next((r[0] for r in rows if json.loads(r[1]) == sessions), None)
            pid = same or uuid.uuid4().hex[:12]
            c.execute("INSERT OR REPLACE INTO pending_candidates(id, user_id, name, summary, evidence, sessions, "
                      "status, skill_id, created_at, updated_at) VALUES (?,?,?,?,?,?, 'pending', NULL, "
                      "COALESCE((SELECT created_at FROM pending_candidates WHERE id = ?), ?), ?)",
                      (pid, user_id, name, summary, _dump(evidence), json.dumps(sessions), pid, now, now))
            c.execute("DELETE FROM pending_candidates WHERE user_id = ? AND status = 'pending' AND id NOT IN "
                      "(SELECT id FROM pending_candidates WHERE user_id = ? AND status = 'pending' "
                      "ORDER BY updated_at DESC LIMIT ?)", (user_id, user_id, MAX_PER_USER))
        found = self.get(pid)
        assert found is not None
        return found

    def get(self, pid: str) -> Pending | None:
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM pending_candidates WHERE id = ?", (pid,)).fetchone()
        return _row(row) if row else None

    def list(self, user_id: str | None = None, *, status: str | None = "pending", limit: int = 200) -> list[Pending]:
        """Newest first; `user_id` None lists every user's, `status` None every status."""
        where, args = [], []
        if user_id is not None:
            where.append("user_id = ?")
            args.append(user_id)
        if status is not None:
            where.append("status = ?")
            args.append(status)
        sql = f"SELECT {_COLUMNS} FROM pending_candidates" + (f" WHERE {' AND '.join(where)}" if where else "")
        rows = self._conn.execute(sql + " ORDER BY updated_at DESC LIMIT ?", (*args, limit)).fetchall()
        return [_row(r) for r in rows]

    def resolve(self, pid: str, status: Status, *, skill_id: str | None = None) -> Pending | None:
        """Mark a pending candidate promoted, accepted or rejected (it is kept, for the record)."""
        with self._write() as c:
            c.execute("UPDATE pending_candidates SET status = ?, skill_id = ?, updated_at = ? WHERE id = ?",
                      (status, skill_id, time.time(), pid))
        return self.get(pid)


_COLUMNS = "id, user_id, name, summary, evidence, sessions, status, skill_id, created_at, updated_at"


def _row(r: tuple[Any, ...]) -> Pending:
    evidence = [Said(**x) for x in json.loads(r[4])]
    return Pending(r[0], r[1], r[2], r[3], evidence, json.loads(r[5]), r[6], r[7], r[8], r[9])


def _dump(evidence: list[Said]) -> str:
    return json.dumps([asdict(s) for s in evidence], ensure_ascii=False)


def _iso(ts: float) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")
