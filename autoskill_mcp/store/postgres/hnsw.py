"""The vector side of a team-store search served by pgvector's HNSW index (cosine), in one round trip.

Used whenever this process does not hold the vectors itself: configured not to (`[store] vectors =
"database"`), or not yet (a fresh process before they are loaded from the database or its snapshot
caught up). The keyword side stays in the process's BM25 index, and `HybridIndex.search` fuses
the two exactly as it fuses its in-memory vectors (retrieval/fusion.py).

One statement answers both halves of the vector side: the `depth` nearest vectors among the skills
this user may see (an HNSW index scan; iterative, so a filter that drops candidates makes it look
further rather than return fewer), and the exact cosine of each keyword candidate. A vector counts
only while its skill's text hash matches (an edited skill's old vector is never served), and only a
live, active skill the user may see is returned: the visibility rule is base.py's `may_see` with
the status, scope and tag filters of the store's `_visible_ids`, and the caller still checks each
id against its own visible set.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...retrieval.vector_stage import StageResult
from ...skill import SkillStatus
from .pool import ConnectionPool, require_psycopg
from .vectors import PgVectorCache

log = logging.getLogger("autoskill_mcp.store.postgres")

#: candidates an HNSW scan keeps per pass (`hnsw.ef_search`): the search's depth (HybridIndex.depth,
#: 100), so one pass usually fills it; a filter that drops candidates makes the scan go on
#: (iterative). Measured (50 queries, ties counted): MiniLM at 20k skills, recall of the exact
#: nearest 10 is 0.996 at 100 and 1.000 at 200 for twice the scan time (1.9 vs 3.8 ms); hashing's
#: 1024-d vectors at 100k, 0.85 at 100, 0.86 at 200, 0.93 at 400 (4.7, 6.7, 10.8 ms).
#: bench/bench_pg.py prints the recall at each size it runs.
EF_SEARCH = 100
#: at most this many index tuples one iterative scan visits before it gives up (pgvector's default)
MAX_SCAN_TUPLES = 20_000

# The settings of every connection of the stage's own pool (it runs nothing else). The planner may
# not scan and sort: for a small table it would rather (exact, but the index would then go unused
# and untested), so only the HNSW index can order by distance.
_SETTINGS = (f"SET hnsw.ef_search = {EF_SEARCH}", "SET enable_seqscan = off", "SET enable_bitmapscan = off",
             "SET enable_sort = off")
#: pgvector 0.8 and later; an older one scans one pass (a filter may then leave fewer candidates)
_ITERATIVE = ("SET hnsw.iterative_scan = relaxed_order", f"SET hnsw.max_scan_tuples = {MAX_SCAN_TUPLES}")


def stage_pool(dsn: str) -> ConnectionPool:
    """Connections for the stage's statements, each set up once with `_SETTINGS` (a search is then one
    round trip, outside any transaction, and the store's other connections keep the planner's defaults)."""
    from pgvector.psycopg import register_vector

    psycopg = require_psycopg()

    def setup(conn: Any) -> None:
        register_vector(conn)
        conn.execute("; ".join(_SETTINGS))
        try:
            conn.execute("; ".join(_ITERATIVE))
        except psycopg.errors.DatabaseError as exc:  # autocommit: the connection stays usable
            log.warning("pgvector before 0.8 (%s): HNSW searches scan one pass; upgrade for filtered scans",
                        " ".join(str(exc).split()))

    return ConnectionPool(dsn, on_connect=setup)


@dataclass(frozen=True, slots=True)
class Visibility:
    """Who searches and within what: the filter of the nearest half, in SQL."""

    user_id: str
    scopes: tuple[str, ...]
    tags: frozenset[str] = frozenset()


def statement(dims: int, *, tags: bool) -> str:
    """The search's SQL for vectors of `dims` dimensions (an int, so the f-string is safe: it names the
    partial HNSW index `skill_vectors_hnsw_<dims>` by its expression and predicate)."""
    vec = f"v.embedding::vector({dims})"
    query = f"%(q)b::vector({dims})"  # sent binary: 1024 floats as text cost a third of a millisecond
    tag_filter = " AND EXISTS (SELECT 1 FROM unnest(s.tags) t WHERE lower(t) = ANY(%(tags)s))" if tags else ""
    return (
        f"WITH near AS MATERIALIZED (SELECT v.skill_id, {vec} <=> {query} AS distance FROM skill_vectors v "
        "JOIN skills s ON s.id = v.skill_id AND s.text_hash = v.text_hash "
        f"WHERE v.dims = {dims} AND v.signature = %(sig)s AND NOT s.deleted AND s.status = %(active)s "
        "AND s.scope = ANY(%(scopes)s) AND (s.scope <> 'user' OR s.owner = %(user)s)"
        f"{tag_filter} ORDER BY {vec} <=> {query} LIMIT %(k)s) "
        "SELECT skill_id, 1 - distance, true FROM near UNION ALL "
        f"SELECT v.skill_id, 1 - ({vec} <=> {query}), false FROM skill_vectors v "
        "JOIN skills s ON s.id = v.skill_id AND s.text_hash = v.text_hash "
        f"WHERE v.signature = %(sig)s AND v.dims = {dims} AND v.skill_id = ANY(%(also)s) AND NOT s.deleted"
    )


class HnswStage:
    """One search's vector stage (retrieval's `VectorStage`) over the team store's `skill_vectors`."""

    def __init__(self, vectors: PgVectorCache, pool: ConnectionPool, signature: str, visibility: Visibility) -> None:
        """`pool`: a `stage_pool`'s connections."""
        self._vectors = vectors
        self._pool = pool
        self._signature = signature
        self._visibility = visibility

    def params(self, query: np.ndarray, depth: int, also: Sequence[str]) -> dict[str, Any]:
        from pgvector import Vector

        seen = self._visibility
        return {"q": Vector(np.asarray(query, dtype=np.float32).reshape(-1)), "sig": self._signature,
                "active": SkillStatus.ACTIVE.value, "scopes": list(seen.scopes), "user": seen.user_id,
                "tags": sorted(seen.tags), "k": depth, "also": list(also)}

    def search(self, query: np.ndarray, depth: int, also: Sequence[str]) -> StageResult:
        dims = int(np.asarray(query).size)
        self._vectors.ensure_hnsw(dims)
        sql = statement(dims, tags=bool(self._visibility.tags))
        params = self.params(query, depth, also)
        rows = self._pool.run(lambda c: c.execute(sql, params).fetchall(), transaction=False)
        nearest = [(str(d), float(c)) for d, c, near in rows if near]
        return StageResult(nearest, {str(d): float(c) for d, c, near in rows if not near})
