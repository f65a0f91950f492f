"""The pgvector column as the search index's vector cache (retrieval's `VectorCache` protocol).

Vectors are keyed by (embedder signature, skill id) and valid while the skill's text hash matches,
so an edited skill or a model switch never serves a stale or foreign vector, and a vector one
machine computed is reused by every other instead of being embedded again. Each dimension count
gets its own HNSW index over cosine distance (pgvector indexes need a fixed dimension), which
serves the vector side of a search whose process does not hold the vectors (hnsw.py).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import numpy as np

from ...errors import DatabaseUnavailableError
from .pool import ConnectionPool, require_psycopg

log = logging.getLogger("autoskill_mcp.store.postgres")

#: at most this many ids a query (a bound array of 100k ids is fine for the server; this keeps
#: each round trip's memory small)
_CHUNK = 20_000


def _array(value: Any) -> np.ndarray:
    """A vector column's value as float32 (pgvector hands back numpy, or its `Vector` type for some reads)."""
    to_numpy = getattr(value, "to_numpy", None)
    return np.asarray(to_numpy() if to_numpy is not None else value, dtype=np.float32)


class PgVectorCache:
    """Vectors in `skill_vectors`, read and written through the store's pool."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool
        self._indexed: set[int] = set()
        self._lock = threading.Lock()

    @property
    def pool(self) -> ConnectionPool:
        """The store's connections (the HNSW stage's queries go through them too)."""
        return self._pool

    def get_many(self, signature: str, items: list[tuple[str, str]]) -> dict[str, np.ndarray]:
        want = dict(items)
        out: dict[str, np.ndarray] = {}
        ids = list(want)
        def read(chunk: list[str]) -> list[tuple[Any, ...]]:
            def work(conn: Any) -> list[tuple[Any, ...]]:
                with conn.cursor(binary=True) as cur:  # floats as text would take 4x the time to parse
                    cur.execute("SELECT skill_id, text_hash, embedding FROM skill_vectors "
                                "WHERE signature = %s AND skill_id = ANY(%s)", (signature, chunk))
                    return list(cur.fetchall())

            return self._pool.run(work, transaction=False)

        for start in range(0, len(ids), _CHUNK):
            for skill_id, text_hash, embedding in read(ids[start:start + _CHUNK]):
                if want.get(skill_id) == text_hash:
                    out[skill_id] = _array(embedding)
        return out

    def present(self, signature: str, items: list[tuple[str, str]]) -> set[str]:
        """The ids among (id, text hash) whose vector is here for that hash, without reading a vector:
        what an index that leaves its vectors in the database (or loads them later) needs to know."""
        want = dict(items)
        if not want:
            return set()
        if len(want) > _CHUNK:  # most of the store: one pass over the signature beats many id lists
            rows = self._pool.run(lambda c: c.execute(
                "SELECT skill_id, text_hash FROM skill_vectors WHERE signature = %s", (signature,)).fetchall(),
                transaction=False)
        else:
            rows = self._pool.run(lambda c: c.execute(
                "SELECT skill_id, text_hash FROM skill_vectors WHERE signature = %s AND skill_id = ANY(%s)",
                (signature, list(want))).fetchall(), transaction=False)
        return {d for d, h in rows if want.get(d) == h}

    def put_many(self, signature: str, rows: list[tuple[str, str, np.ndarray]]) -> None:
        if not rows:
            return
        from pgvector import Vector

        params = [(signature, d, h, int(np.asarray(v).size), Vector(np.asarray(v, dtype=np.float32).reshape(-1)))
                  for d, h, v in rows]

        def write(conn: Any) -> None:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO skill_vectors (signature, skill_id, text_hash, dims, embedding) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (signature, skill_id) DO UPDATE SET "
                    "text_hash = excluded.text_hash, dims = excluded.dims, embedding = excluded.embedding",
                    params,
                )

        try:
            self._pool.run(write)
        except DatabaseUnavailableError as exc:  # a cache: a vector not kept is computed again later
            log.warning("could not keep %d vectors in the team store: %s", len(params), exc)
            return
        for dims in {p[3] for p in params}:
            self.ensure_hnsw(dims)

    def ensure_hnsw(self, dims: int) -> None:
        """Make the HNSW index of vectors of `dims` dimensions unless this handle already did."""
        with self._lock:
            if dims in self._indexed:
                return
            self._indexed.add(dims)
        psycopg = require_psycopg()
        try:
            self._pool.run(lambda c: c.execute(
                f"CREATE INDEX IF NOT EXISTS skill_vectors_hnsw_{dims} ON skill_vectors "
                f"USING hnsw ((embedding::vector({dims})) vector_cosine_ops) WHERE dims = {dims}"), transaction=False)
        except psycopg.errors.DatabaseError as exc:  # another machine made it at the same moment: it exists
            log.debug("HNSW index for %d dims: %s", dims, exc)
