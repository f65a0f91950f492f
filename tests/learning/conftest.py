"""The extraction queue on each backend: the SQLite queue in a home folder, and the team store's
queue in a real PostgreSQL (a fresh database per test, tests/conftest.py). The queue contract
(test_queue_contract.py) and the queue's secrets tests run on both through `queue_backend`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from autoskill_mcp.learning.queue import JobQueue
from autoskill_mcp.store import SkillStore

HASHING = {"provider": "hashing", "dims": 256}


@dataclass
class QueueBackend:
    """One test's queue: handles on it (as other processes would have), raw SQL for what only a test
    does (moving a lease or a backoff into the past), every byte its storage holds, and the skill
    store it belongs with. Everything opened is closed after the test."""

    name: str
    home: Path
    _open: Callable[[], JobQueue]
    _execute: Callable[[str, tuple[Any, ...]], int]
    _stored: Callable[[], bytes]
    _store: Callable[[], SkillStore]
    _opened: list[Any] = field(default_factory=list)

    def open(self) -> JobQueue:
        """Another handle on this test's queue (its own connections)."""
        self._opened.append(self._open())
        return self._opened[-1]  # type: ignore[no-any-return]

    def execute(self, sql: str, *args: Any) -> int:
        """One statement (`?` placeholders) straight on the queue's database; rows changed."""
        return self._execute(sql, args)

    def stored(self) -> bytes:
        """What the queue's storage holds, as bytes: the SQLite catalog's files (and the rest of the
        home folder) from disk, or every value of the queue's PostgreSQL tables."""
        return self._stored()

    def store(self) -> SkillStore:
        """The skill store whose queue this is (a worker learns into it)."""
        self._opened.append(self._store())
        return self._opened[-1]  # type: ignore[no-any-return]

    def close(self) -> None:
        for handle in reversed(self._opened):
            handle.close()


def _sqlite_backend(home: Path) -> QueueBackend:
    from autoskill_mcp import LocalSkillStore

    def execute(sql: str, args: tuple[Any, ...]) -> int:
        with sqlite3.connect(home / "catalog.sqlite3") as conn:
            return conn.execute(sql, args).rowcount

    def stored() -> bytes:
        return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file())

    return QueueBackend("sqlite", home, lambda: JobQueue(home), execute, stored,
                        lambda: LocalSkillStore(home, embeddings=HASHING, background=False))


def _postgres_backend(home: Path, dsn: str) -> QueueBackend:
    import psycopg

    from autoskill_mcp.learning.queue_pg import PgJobQueue
    from autoskill_mcp.store.postgres import PostgresSkillStore

    def execute(sql: str, args: tuple[Any, ...]) -> int:
        with psycopg.connect(dsn, autocommit=True) as conn:
            return conn.execute(sql.replace("?", "%s"), args).rowcount  # type: ignore[arg-type]

    def stored() -> bytes:
        out: list[bytes] = []
        with psycopg.connect(dsn) as conn:
            for table in ("jobs", "ingested", "workers"):
                for row in conn.execute(f"SELECT * FROM {table}"):  # type: ignore[arg-type]  # our table names
                    out += [v if isinstance(v, bytes) else str(v).encode() for v in row if v is not None]
        return b"\n".join(out)

    return QueueBackend("postgres", home, lambda: PgJobQueue.connect(dsn, home=home), execute, stored,
                        lambda: PostgresSkillStore(dsn, embeddings=HASHING, background=False))


@pytest.fixture(params=["sqlite", "postgres"])
def queue_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[QueueBackend]:
    """This test's queue, on each backend in turn."""
    home = tmp_path / "home"
    if request.param == "postgres":
        backend = _postgres_backend(home, request.getfixturevalue("pg_dsn"))
    else:
        backend = _sqlite_backend(home)
    yield backend
    backend.close()


@pytest.fixture
def any_queue(queue_backend: QueueBackend) -> JobQueue:
    """A handle on this test's queue, on each backend in turn."""
    return queue_backend.open()
