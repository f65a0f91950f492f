"""One connection on the store's catalog file, opened the way every process opens it.

The job queue and the pending candidates live in `catalog.sqlite3` beside the catalog: WAL so
readers never wait, a busy timeout so writers queue, `BEGIN IMMEDIATE` so a write takes the
lock up front. Standard library only: a hook opens the queue and must exit in milliseconds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .layout import CATALOG_FILE


def open_catalog(home: Path, schema: str) -> sqlite3.Connection:
    """A connection on `<home>/catalog.sqlite3` with `schema` (`;`-separated CREATE ... IF NOT EXISTS) applied."""
    home.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(home / CATALOG_FILE, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    with immediate(conn) as c:  # one statement at a time: executescript would commit on its own
        for statement in filter(None, (s.strip() for s in schema.split(";"))):
            c.execute(statement)
    return conn


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that holds the file's write lock from its first statement."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
