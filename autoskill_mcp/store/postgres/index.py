"""The team store's search index in one process: built from the skills table, or from the snapshots
this machine saved last time (store/snapshots.py, the local store's format) plus the changes since.

Building from the table reads every skill's tokens (about a second at 5k skills); a snapshot of the
keyword index and of the vectors, kept in the member's home and keyed by the database's store id and
change number, lets the next process read only the rows (no texts) and the changes made after it.
A snapshot of another database, or a damaged one, is ignored.

Vectors are read from the database only when this process keeps them ("memory") and builds in the
caller's thread (`background=False`); otherwise the index only learns which skills have one
(`present`, no vector read), and searches ask the HNSW index for them until the store's loader has
brought them in ("memory") or for good ("database").
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import snapshots
from ..catalog import CatalogRow
from ..skill_rows import tokens_from
from .rows import INDEXED, ROW, from_db

if TYPE_CHECKING:
    from .store import PostgresSkillStore

log = logging.getLogger("autoskill_mcp.store.postgres")

#: fewer skills than this rebuild faster than a snapshot is worth writing
SNAPSHOT_FROM = 200


def build(store: PostgresSkillStore) -> tuple[Any, dict[str, CatalogRow], int, int]:
    """(the index, the live rows without texts, the change number they reflect, the snapshot's or -1)."""
    from ...retrieval import HybridIndex

    embedder = store._get_embedder()
    in_memory = store.vector_mode == "memory"
    index = HybridIndex(embedder, cache=store.vectors, background=store._background, keep_vectors=in_memory)
    load = in_memory and not store._background  # else the loader, after the first search (or never)
    seq = store.change_seq()
    cache, store_id = store.cache_dir, store.store_id
    since: int | None = None
    if cache is not None:
        kept = _restore_vectors(index, cache, store_id, store) if embedder is not None and in_memory else 0
        since = snapshots.restore_keywords(index, cache, store_id, seq)
        log.debug("team store index: %d vectors and keywords as of %s from the snapshots", kept, since)
    if since is None:
        found = store.pool.run(lambda c: c.execute(
            f"SELECT {INDEXED} FROM skills WHERE NOT deleted ORDER BY seq").fetchall(), transaction=False)
        rows = {r.id: r for r in map(from_db, found)}
        index.upsert_many([(r.id, r.index_text, r.text_hash, tokens_from(r.tokens)) for r in rows.values()],
                          load_vectors=load)
    else:
        lean = store.pool.run(lambda c: c.execute(
            f"SELECT {ROW} FROM skills WHERE NOT deleted").fetchall(), transaction=False)
        rows = {r.id: r for r in map(from_db, lean)}
        changed = store.pool.run(lambda c: c.execute(
            f"SELECT {INDEXED} FROM skills WHERE seq > %s ORDER BY seq", (since,)).fetchall(), transaction=False)
        fresh: list[CatalogRow] = []
        for r in map(from_db, changed):
            index.remove(r.id)
            rows.pop(r.id, None)
            if not r.deleted:
                fresh.append(r)
                rows[r.id] = r
        index.upsert_many([(r.id, r.index_text, r.text_hash, tokens_from(r.tokens)) for r in fresh],
                          load_vectors=load)
        done = {r.id for r in fresh}
        lacking = [r.id for r in rows.values() if r.id not in done and not index.has_vector(r.id, r.text_hash)]
        if lacking and embedder is not None and not load:  # in the database: noted, not read
            wanted = [(i, rows[i].text_hash) for i in lacking]
            stored = store.vectors.present(embedder.signature, wanted)
            index.adopt_stored((i, h) for i, h in wanted if i in stored)
            lacking = [i for i in lacking if i not in stored]
        if lacking and embedder is not None:  # only a skill without a vector needs its text (to be embedded)
            index.upsert_many(store._texts(lacking), keywords=False)
    for r in rows.values():
        r.index_text = r.tokens = ""  # kept by the index; the row keeps what visibility needs
    seen = max([seq, *(r.seq for r in rows.values())])
    return index, rows, seen, -1 if since is None else since


def _restore_vectors(index: Any, cache: Path, store_id: str, store: PostgresSkillStore) -> int:
    saved = snapshots.read_vectors(cache, store_id)
    if saved is None:
        return 0
    hashes = dict(store.pool.run(lambda c: c.execute(
        "SELECT id, text_hash FROM skills WHERE NOT deleted").fetchall(), transaction=False))
    return int(index.restore_vectors(saved[0], hashes))


def save_snapshot(store: PostgresSkillStore, index: Any, seen: int, rows: int) -> bool:
    """Write the keyword index and the vectors for the next process here (small stores: never)."""
    cache = store.cache_dir
    if cache is None or rows < SNAPSHOT_FROM:
        return False
    try:
        snapshots.write_keywords(cache, store.store_id, seen, index.keyword_snapshot())
        vectors = index.vector_snapshot()
        if vectors is not None:
            snapshots.write_vectors(cache, store.store_id, vectors)
    except OSError as exc:
        log.warning("could not save the team store's index snapshot in %s: %s", cache, exc)
        return False
    return True
