"""The pgvector column as the search index's vector cache (retrieval's `VectorCache` protocol).

Vectors are keyed by (embedder signature, skill id) and valid while the skill's text hash matches,
so an edited skill or a model switch never serves a stale or foreign vector, and a vector one
machine computed is reused by every other instead of being embedded again. Each dimension count
gets its own HNSW index over cosine distance (pgvector indexes need a fixed dimension).
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

    def get_many(self, signature: str, items: list[tuple[str, str]]) -> dict[str, np.ndarray]:
        want = dict(items)
        out: dict[str, np.ndarray] = {}
        ids = list(want)
        def read(chunk: list[str]) -> list[tuple[Any, ...]]:
            return self._pool.run(lambda c: c.execute(
                "SELECT skill_id, text_hash, embedding FROM skill_vectors WHERE signature = %s AND skill_id = ANY(%s)",
                (signature, chunk)).fetchall(), transaction=False)

        for start in range(0, len(ids), _CHUNK):
            for skill_id, text_hash, embedding in read(ids[start:start + _CHUNK]):
                if want.get(skill_id) == text_hash:
                    out[skill_id] = _array(embedding)
        return out

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
            self._ensure_hnsw(dims)

    def _ensure_hnsw(self, dims: int) -> None:
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

    def nearest(self, signature: str, query: np.ndarray, k: int) -> list[tuple[str, str, float]]:
        """The `k` nearest (skill id, text hash, cosine) by the HNSW index (approximate)."""
        from pgvector import Vector

        dims = int(query.size)
        q = Vector(np.asarray(query, dtype=np.float32).reshape(-1))
        rows = self._pool.run(lambda c: c.execute(
            f"SELECT skill_id, text_hash, 1 - (embedding::vector({dims}) <=> %s::vector({dims})) FROM skill_vectors "
            f"WHERE signature = %s AND dims = {dims} ORDER BY embedding::vector({dims}) <=> %s::vector({dims}) "
            "LIMIT %s", (q, signature, q, k)).fetchall(), transaction=False)
        return [(r[0], r[1], float(r[2])) for r in rows]
