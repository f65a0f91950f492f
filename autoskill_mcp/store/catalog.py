"""The SQLite catalog beside the skill folders.

It holds what the folders cannot: stable ids, owners and scopes, the full
version history (so rollback survives a restart), content hashes for cheap
change detection, usage counters, cached vectors per embedding signature, and
a change sequence that lets every process see every other process's writes.

Several processes open it at once: WAL mode, a busy timeout, and `BEGIN
IMMEDIATE` for every write so writers queue instead of failing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import may_see, one_per_name
from .layout import LIBRARY_PREFIX

if TYPE_CHECKING:
    import numpy as np


SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS skills (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    scope TEXT NOT NULL,
    name TEXT NOT NULL,
    folder TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    description TEXT NOT NULL,
    tags TEXT NOT NULL,
    index_text TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    seq INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    tokens TEXT NOT NULL DEFAULT '',
    name_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS skills_seq ON skills(seq);
CREATE INDEX IF NOT EXISTS skills_owner_name ON skills(owner, name);
CREATE INDEX IF NOT EXISTS skills_folder ON skills(folder);
CREATE TABLE IF NOT EXISTS versions (
    skill_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    version TEXT NOT NULL,
    reason TEXT NOT NULL,
    skill_md TEXT NOT NULL,
    files TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (skill_id, n)
);
CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS user_usage (
    skill_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    retrieved INTEGER NOT NULL DEFAULT 0,
    used INTEGER NOT NULL DEFAULT 0,
    last_retrieved_at TEXT,
    last_used_at TEXT,
    PRIMARY KEY (skill_id, user_id)
);
CREATE TABLE IF NOT EXISTS vectors (
    signature TEXT NOT NULL,
    skill_id TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vec BLOB NOT NULL,
    PRIMARY KEY (signature, skill_id)
);
CREATE TABLE IF NOT EXISTS embed_lease (signature TEXT PRIMARY KEY, owner TEXT NOT NULL, expires REAL NOT NULL);
"""

#: columns added after the first schema, with their DDL (for `Catalog._migrate`)
_ADDED_COLUMNS = {"tokens": "TEXT NOT NULL DEFAULT ''", "name_key": "TEXT NOT NULL DEFAULT ''"}

_SKILL_COLUMNS = (
    "id, owner, scope, name, folder, version, status, description, tags, index_text, "
    "text_hash, content_hash, mtime_ns, size, created_at, updated_at, seq, deleted, tokens"
)


#: the columns without the two big text ones (what a process holds in memory per skill)
_LEAN_COLUMNS = _SKILL_COLUMNS.replace("index_text,", "'' AS index_text,").replace(", tokens", ", ''")


@functools.lru_cache(maxsize=4096)
def _tags(text: str) -> list[str]:
    """Parsed tags, shared between rows with the same ones (rows never change their list in place)."""
    return json.loads(text)


@functools.lru_cache(maxsize=256)
def _shared(text: str) -> str:
    """One string object for a value many rows repeat (owner, scope, status, version)."""
    return text


@dataclass(slots=True)
class CatalogRow:
    """What the catalog knows about one skill without reading its folder."""

    id: str
    owner: str
    scope: str
    name: str
    folder: str
    version: str
    status: str
    description: str
    tags: list[str]
    index_text: str
    text_hash: str
    content_hash: str
    mtime_ns: int
    size: int
    created_at: str
    updated_at: str
    seq: int = 0
    deleted: bool = False
    tokens: str = ""  # "<tokenizer version>|tok tok ..." so start-up need not re-tokenize

    @classmethod
    def from_sql(cls, row: tuple[Any, ...]) -> CatalogRow:
        values = list(row)
        values[8] = _tags(values[8])
        values[17] = bool(values[17])
        for i in (1, 2, 5, 6):  # owner, scope, version, status: a few distinct values at 100k rows
            values[i] = _shared(values[i])
        return cls(*values)

    def to_sql(self) -> tuple[Any, ...]:
        return (
            self.id, self.owner, self.scope, self.name, self.folder, self.version, self.status,
            self.description, json.dumps(self.tags, ensure_ascii=False), self.index_text,
            self.text_hash, self.content_hash, self.mtime_ns, self.size, self.created_at,
            self.updated_at, self.seq, int(self.deleted), self.tokens,
        )


@dataclass
class VersionRow:
    """One entry of a skill's history: the SKILL.md text and its resource manifest."""

    skill_id: str
    n: int
    version: str
    reason: str
    skill_md: str
    files: dict[str, str]  # relative path -> sha256 of the blob
    created_at: str


@dataclass(frozen=True)
class ListedSkill:
    """A catalog row as a listing needs it, read without opening the store."""

    name: str
    description: str
    scope: str
    owner: str
    folder: str


def read_listing(path: Path, user_id: str, libraries: Sequence[str]) -> tuple[int, list[ListedSkill]]:
    """(change number, the active skills `user_id` sees, one per name, by name) straight from the file.

    For answers that must not wait for the store to open (a server's first `tools/list`):
    no scan, no index, no write. (-1, []) when there is no catalog yet. The store's own rules
    decide (`may_see`, `one_per_name`); library rows count only under one of `libraries` (resolved
    folders): a catalog keeps the rows of folders served before until the store's rescan drops them.
    """
    seq, rows = _read_all_listed(path)
    shown = [r for r in rows if may_see(r.scope, r.owner, user_id)
             and (r.scope != "library" or _under_library(r.folder, libraries))]
    return seq, one_per_name(shown, name=lambda r: r.name, scope=lambda r: r.scope)


def _under_library(folder: str, libraries: Sequence[str]) -> bool:
    root = folder[len(LIBRARY_PREFIX):]
    return any(root == lib or root.startswith(lib + os.sep) for lib in libraries)


def _read_all_listed(path: Path) -> tuple[int, list[ListedSkill]]:
    """(change number, every active skill of every owner) from the catalog file, read-only."""
    if not path.is_file():
        return -1, []
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error:
        return -1, []
    try:
        seq_row = conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        rows = conn.execute(
            "SELECT name, description, scope, owner, folder FROM skills WHERE deleted = 0 AND status = 'active'"
        ).fetchall()
    except sqlite3.Error:  # a catalog being created right now: nothing to list yet
        return -1, []
    finally:
        conn.close()
    return (int(seq_row[0]) if seq_row else -1), [ListedSkill(*r) for r in rows]


def _name_key(name: str) -> str:
    """The look-alike key kept beside each name, so a clash is one indexed lookup."""
    from ..skillmd.lookalike import skeleton  # the format layer; only writers need it

    return skeleton(name)


def read_seq(path: Path) -> int:
    """The catalog's change number straight from the file, read-only; -1 when there is none yet."""
    if not path.is_file():
        return -1
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error:
        return -1
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
    except sqlite3.Error:
        return -1
    finally:
        conn.close()
    return int(row[0]) if row else -1


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Catalog:
    """A thread-safe handle on the catalog database of one store."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            str(path), timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        self._conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        with self.write():
            for statement in _SCHEMA.strip().split(";"):
                if statement.strip():
                    self._conn.execute(statement)
            self._conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            self._conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('seq', '0')")
            self._conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('catalog_id', ?)", (uuid.uuid4().hex,)
            )
            self._migrate(self._conn)

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        """Bring a catalog written by an older version up to this schema (add-only changes)."""
        have = {row[1] for row in conn.execute("PRAGMA table_info(skills)")}
        for column, ddl in _ADDED_COLUMNS.items():
            if column not in have:
                conn.execute(f"ALTER TABLE skills ADD COLUMN {column} {ddl}")
        conn.execute("CREATE INDEX IF NOT EXISTS skills_owner_key ON skills(owner, name_key)")
        # Each batch of vectors gets a number, so other processes fetch only what is new (see vectors_since).
        if "vseq" not in {row[1] for row in conn.execute("PRAGMA table_info(vectors)")}:
            conn.execute("ALTER TABLE vectors ADD COLUMN vseq INTEGER NOT NULL DEFAULT 0")
        conn.execute("CREATE INDEX IF NOT EXISTS vectors_by_seq ON vectors(signature, vseq)")
        # Rows written before look-alike keys existed (or by an older version since): give them theirs.
        missing = conn.execute("SELECT id, name FROM skills WHERE name_key = ''").fetchall()
        if missing:
            conn.executemany("UPDATE skills SET name_key = ? WHERE id = ?", [(_name_key(n), i) for i, n in missing])
        # Usage was counted per skill before it was counted per user: keep those counts, user unknown ("").
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'usage'").fetchone():
            conn.execute("INSERT OR IGNORE INTO user_usage(skill_id, user_id, retrieved, used, last_retrieved_at, "
                         "last_used_at) SELECT skill_id, '', retrieved, used, last_retrieved_at, last_used_at "
                         "FROM usage")
            conn.execute("DROP TABLE usage")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; `BEGIN IMMEDIATE` makes it the store-wide write lock."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent read snapshot."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    def next_seq(self, conn: sqlite3.Connection) -> int:
        """Take the next change number; call inside `write()`."""
        (value,) = conn.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq' RETURNING value"
        ).fetchone()
        return int(value)

    @property
    def catalog_id(self) -> str:
        """A random id fixed when the catalog was created (files derived from it carry it)."""
        with self._lock:
            (value,) = self._conn.execute("SELECT value FROM meta WHERE key = 'catalog_id'").fetchone()
        return str(value)

    def current_seq(self) -> int:
        with self._lock:
            (value,) = self._conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        return int(value)

    def data_version(self) -> int:
        """Changes whenever another connection commits: a cheap 'anything new?' probe."""
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    # -- skills -------------------------------------------------------------------------------

    def put_skill(self, conn: sqlite3.Connection, row: CatalogRow) -> None:
        placeholders = ", ".join("?" * 20)
        conn.execute(f"INSERT OR REPLACE INTO skills ({_SKILL_COLUMNS}, name_key) VALUES ({placeholders})",
                     (*row.to_sql(), _name_key(row.name)))

    def get_skill(self, skill_id: str, *, conn: sqlite3.Connection | None = None) -> CatalogRow | None:
        with self._lock:
            c = conn or self._conn
            row = c.execute(f"SELECT {_SKILL_COLUMNS} FROM skills WHERE id = ?", (skill_id,)).fetchone()
        return CatalogRow.from_sql(row) if row else None

    def find_by_name(self, owner: str, name: str, *, conn: sqlite3.Connection | None = None) -> CatalogRow | None:
        with self._lock:
            c = conn or self._conn
            row = c.execute(
                f"SELECT {_SKILL_COLUMNS} FROM skills WHERE owner = ? AND name = ? AND deleted = 0",
                (owner, name),
            ).fetchone()
        return CatalogRow.from_sql(row) if row else None

    def find_lookalike(self, owner: str, name: str, *, other_than: str,
                       conn: sqlite3.Connection | None = None) -> CatalogRow | None:
        """A live skill of `owner` whose name a reader could not tell from `name` (same look-alike key)."""
        with self._lock:
            c = conn or self._conn
            row = c.execute(
                f"SELECT {_SKILL_COLUMNS} FROM skills INDEXED BY skills_owner_key "
                "WHERE owner = ? AND name_key = ? AND id != ? AND deleted = 0 LIMIT 1",
                (owner, _name_key(name), other_than),
            ).fetchone()
        return CatalogRow.from_sql(row) if row else None

    def find_by_folder(self, folder: str, *, conn: sqlite3.Connection | None = None) -> CatalogRow | None:
        with self._lock:
            c = conn or self._conn
            row = c.execute(
                f"SELECT {_SKILL_COLUMNS} FROM skills WHERE folder = ? AND deleted = 0", (folder,)
            ).fetchone()
        return CatalogRow.from_sql(row) if row else None

    def changed_since(self, seq: int, *, texts: bool = True) -> list[CatalogRow]:
        """Every row (deleted ones as tombstones) written after change number `seq`.

        `texts=False` leaves `index_text` and `tokens` empty: a store opening holds every row,
        and most of what those two columns hold is already in its index snapshots.
        """
        columns = _SKILL_COLUMNS if texts else _LEAN_COLUMNS
        with self._lock:
            rows = self._conn.execute(f"SELECT {columns} FROM skills WHERE seq > ? ORDER BY seq", (seq,)).fetchall()
        return [CatalogRow.from_sql(r) for r in rows]

    def texts(self, ids: list[str]) -> dict[str, tuple[str, str]]:
        """skill id -> (index_text, tokens) for these ids (one scan when they are most of the table)."""
        out: dict[str, tuple[str, str]] = {}
        if not ids:
            return out
        with self._lock:
            if len(ids) > 2000:
                wanted = set(ids)
                for skill_id, text, tokens in self._conn.execute(
                        "SELECT id, index_text, tokens FROM skills WHERE deleted = 0"):
                    if skill_id in wanted:
                        out[skill_id] = (text, tokens)
                return out
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for skill_id, text, tokens in self._conn.execute(
                        f"SELECT id, index_text, tokens FROM skills WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                    out[skill_id] = (text, tokens)
        return out

    def live_rows(self) -> list[CatalogRow]:
        with self._lock:
            rows = self._conn.execute(f"SELECT {_SKILL_COLUMNS} FROM skills WHERE deleted = 0").fetchall()
        return [CatalogRow.from_sql(r) for r in rows]

    # -- versions and blobs -----------------------------------------------------------------------

    def put_blob(self, conn: sqlite3.Connection, data: bytes) -> str:
        digest = sha256_hex(data)
        conn.execute("INSERT OR IGNORE INTO blobs(sha256, data) VALUES (?, ?)", (digest, data))
        return digest

    def get_blob(self, digest: str) -> bytes | None:
        with self._lock:
            row = self._conn.execute("SELECT data FROM blobs WHERE sha256 = ?", (digest,)).fetchone()
        return bytes(row[0]) if row else None

    def add_version(
        self, conn: sqlite3.Connection, skill_id: str, version: str, reason: str, skill_md: str,
        files: dict[str, str], created_at: str,
    ) -> int:
        (last,) = conn.execute("SELECT COALESCE(MAX(n), 0) FROM versions WHERE skill_id = ?", (skill_id,)).fetchone()
        n = int(last) + 1
        conn.execute(
            "INSERT INTO versions(skill_id, n, version, reason, skill_md, files, created_at) VALUES (?,?,?,?,?,?,?)",
            (skill_id, n, version, reason, skill_md, json.dumps(files, sort_keys=True), created_at),
        )
        return n

    def versions(self, skill_id: str) -> list[VersionRow]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT skill_id, n, version, reason, skill_md, files, created_at FROM versions "
                "WHERE skill_id = ? ORDER BY n",
                (skill_id,),
            ).fetchall()
        return [VersionRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6]) for r in rows]

    # -- usage --------------------------------------------------------------------------------

    def bump_usage(self, counts: list[tuple[str, str, int, int]], *, at: str) -> None:
        """Add (skill_id, user_id, retrieved, used) counts, all in one transaction."""
        if not counts:
            return
        with self.write() as conn:
            conn.executemany(
                "INSERT INTO user_usage(skill_id, user_id, retrieved, used, last_retrieved_at, last_used_at) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT(skill_id, user_id) DO UPDATE SET "
                "retrieved = retrieved + excluded.retrieved, used = used + excluded.used, "
                "last_retrieved_at = COALESCE(excluded.last_retrieved_at, last_retrieved_at), "
                "last_used_at = COALESCE(excluded.last_used_at, last_used_at)",
                [(sid, uid, r, u, at if r else None, at if u else None) for sid, uid, r, u in counts],
            )

    def usage(self, skill_id: str, user_id: str | None = None) -> dict[str, Any]:
        """One user's counters for a skill, or (user None) the totals with a per-user breakdown."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT user_id, retrieved, used, last_retrieved_at, last_used_at FROM user_usage WHERE skill_id = ?"
                + ("" if user_id is None else " AND user_id = ?"),
                (skill_id,) if user_id is None else (skill_id, user_id),
            ).fetchall()
        out: dict[str, Any] = {
            "retrieved": sum(r[1] for r in rows), "used": sum(r[2] for r in rows),
            "last_retrieved_at": max((r[3] for r in rows if r[3]), default=None),
            "last_used_at": max((r[4] for r in rows if r[4]), default=None),
        }
        if user_id is None:
            out["by_user"] = {r[0]: {"retrieved": r[1], "used": r[2]} for r in rows}
        return out

    # -- vector cache (the retrieval layer's VectorCache protocol) ----------------------------------

    def get_many(self, signature: str, items: list[tuple[str, str]]) -> dict[str, np.ndarray]:
        import numpy as np  # only searches need it; opening a store must not pay for it

        wanted = dict(items)
        out: dict[str, np.ndarray] = {}
        ids = list(wanted)
        rows: list[tuple[str, str, bytes]] = []
        with self._lock:
            if len(ids) > 2000:  # most of the table: one scan beats thousands of lookups
                rows = self._conn.execute(
                    "SELECT skill_id, text_hash, vec FROM vectors WHERE signature = ?", (signature,)
                ).fetchall()
            else:
                for start in range(0, len(ids), 500):
                    chunk = ids[start:start + 500]
                    rows += self._conn.execute(
                        "SELECT skill_id, text_hash, vec FROM vectors WHERE signature = ? AND skill_id IN "
                        f"({','.join('?' * len(chunk))})",
                        (signature, *chunk),
                    ).fetchall()
        for skill_id, text_hash, blob in rows:
            if wanted.get(skill_id) == text_hash:
                out[skill_id] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_many(self, signature: str, rows: list[tuple[str, str, np.ndarray]]) -> None:
        import numpy as np

        if not rows:
            return
        with self.write() as conn:
            (top,) = conn.execute("SELECT COALESCE(MAX(vseq), 0) FROM vectors WHERE signature = ?",
                                  (signature,)).fetchone()
            conn.executemany(
                "INSERT OR REPLACE INTO vectors(signature, skill_id, text_hash, vec, vseq) VALUES (?,?,?,?,?)",
                [(signature, i, h, np.asarray(v, dtype=np.float32).tobytes(), top + 1) for i, h, v in rows],
            )

    def vector_seq(self, signature: str) -> int:
        """The number of the last batch of vectors written for this embedder (0: none)."""
        with self._lock:
            (top,) = self._conn.execute("SELECT COALESCE(MAX(vseq), 0) FROM vectors WHERE signature = ?",
                                        (signature,)).fetchone()
        return int(top)

    def vectors_since(self, signature: str, after: int) -> tuple[list[tuple[str, str, np.ndarray]], int]:
        """(skill_id, text_hash, vector) rows written after batch `after`, and the last batch number.

        How a process picks up vectors another one computed without rereading the table.
        """
        import numpy as np

        with self._lock:
            rows = self._conn.execute(
                "SELECT skill_id, text_hash, vec, vseq FROM vectors WHERE signature = ? AND vseq > ?",
                (signature, after),
            ).fetchall()
        top = max((int(r[3]) for r in rows), default=after)
        return [(str(r[0]), str(r[1]), np.frombuffer(r[2], dtype=np.float32)) for r in rows], top

    def take_embed_lease(self, signature: str, owner: str, seconds: float, *, now: float, force: bool = False) -> bool:
        """Hold (or renew) the right to embed this embedder's backlog; False while another owner holds it.

        Two processes embedding the same skills on a 2-core machine each run at half speed.
        """
        with self.write() as conn:
            row = conn.execute("SELECT owner, expires FROM embed_lease WHERE signature = ?", (signature,)).fetchone()
            if row is not None and row[0] != owner and float(row[1]) > now and not force:
                return False
            conn.execute("INSERT OR REPLACE INTO embed_lease(signature, owner, expires) VALUES (?,?,?)",
                         (signature, owner, now + seconds))
        return True

    def drop_embed_lease(self, signature: str, owner: str) -> None:
        """Give the lease up (another process may take over at once)."""
        with self.write() as conn:
            conn.execute("DELETE FROM embed_lease WHERE signature = ? AND owner = ?", (signature, owner))
