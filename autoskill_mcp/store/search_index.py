"""The store's search index (retrieval's HybridIndex): built on first use, kept current, saved for the next process.

The index is built from the snapshots the last process saved (snapshots.py) when they fit, replaying
only the changes made after them, else from the catalog's rows; `view.refresh` keeps it current from
then on. `save_index_snapshot` decides when a snapshot is worth writing, `rebuild_index` starts over
(`autoskill reindex`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import reconcile, view
from .catalog import CatalogRow
from .rows import RowTable
from .skill_rows import drop_texts, saved_tokens

if TYPE_CHECKING:
    from ..retrieval.embedder_contract import Embedder
    from ..retrieval.hybrid import HybridIndex
    from .base import Progress
    from .local import LocalSkillStore

log = logging.getLogger("autoskill_mcp.store.local")  # the store's messages keep the one logger name


def ensure_index(store: LocalSkillStore) -> HybridIndex:
    """The store's index, built on first use: from the snapshots when they fit, else from the catalog."""
    with store._lock:
        if store._index is None:
            from ..retrieval.hybrid import HybridIndex
            from . import snapshots

            embedder = _get_embedder(store)
            # A costly embedder's backlog is embedded only by a process that fills vectors for all
            # (start_filling_vectors), by import / reindex (embed_missing) or by a search that waits.
            index = HybridIndex(embedder, cache=store.catalog, background=store._background,
                                embed_backlog=embedder is None or bool(embedder.cheap))
            if embedder is not None:  # read before any vector is loaded, so none written meanwhile is missed
                store._vseq_seen = store.catalog.vector_seq(embedder.signature)
            rows = store._rows
            saved = snapshots.read_vectors(store.root, store.catalog.catalog_id)
            kept = 0
            if saved is not None:
                kept = index.restore_vectors(saved[0], rows.mapping("text_hash"))
                # an old-format snapshot (float32 rows) is rewritten at the next save, whatever changed
                store._vector_snapshot_n = kept if saved[1] else -1
            since = snapshots.restore_keywords(index, store.root, store.catalog.catalog_id, store._seen_seq)
            if since is None:
                _fill_texts(store, list(rows.values()))
                index.upsert_many((r.id, r.index_text, r.text_hash, saved_tokens(r)) for r in rows.values())
                store._snapshot_seq = -1
            else:
                # The snapshot holds the keyword index as of change `since`: replay what came after
                # (those rows come with their texts).
                changed = store.catalog.changed_since(since)
                for row in changed:
                    index.remove(row.id)
                fresh = [r for r in changed if r.id in rows and not r.deleted]
                index.upsert_many([(r.id, r.index_text, r.text_hash, saved_tokens(r)) for r in fresh])
                # Only a skill without a vector needs its text (to be embedded); when the snapshot
                # restored every skill's vector (the usual open), none does.
                lacking: list[CatalogRow] = []
                if kept < len(rows):
                    done = {r.id for r in fresh}
                    lacking = [r for r in rows.values()
                               if r.id not in done and not index.has_vector(r.id, r.text_hash)]
                _fill_texts(store, lacking)
                index.upsert_many([(r.id, r.index_text, r.text_hash) for r in lacking], keywords=False)
                store._snapshot_seq = since
            for row in rows.made():  # rows still in snapshot columns have no texts
                drop_texts(row)
            store._index = index
        return store._index


def _fill_texts(store: LocalSkillStore, rows: Sequence[CatalogRow]) -> None:
    """Give rows loaded without their texts (see refresh) their index text and tokens."""
    lean = [r for r in rows if not r.index_text and not r.tokens]
    found = store.catalog.texts([r.id for r in lean])
    for r in lean:
        r.index_text, r.tokens = found.get(r.id, ("", ""))


def _get_embedder(store: LocalSkillStore) -> Embedder | None:
    """The embedder this store's index uses, made once (None: keyword search only)."""
    with store._lock:
        if store._embedder is None and not store._embedder_made:
            from ..retrieval.embedder import make_embedder

            store._embedder = make_embedder(store._embeddings)
            store._embedder_made = True
        return store._embedder


def preload_model(store: LocalSkillStore) -> None:
    """Start loading a costly embedding model while the index is built: a fresh process's
    first search then waits for the longer of the two, not for both."""
    embedder = _get_embedder(store)
    if embedder is None or embedder.cheap or embedder.ready:
        return

    def load() -> None:
        try:
            embedder.load()
        except Exception as exc:  # noqa: BLE001 - the search's own load reports it
            log.debug("preloading the embedding model failed: %s", exc)

    threading.Thread(target=load, name="autoskill-model-load", daemon=True).start()


def save_index_snapshot(store: LocalSkillStore, *, force: bool = False) -> bool:
    from . import snapshots

    with store._lock:
        if store._index is None:
            return False
        seq, n = store._seen_seq, len(store._rows)
        slack = max(50, n // 50)
        keywords = force or (
            seq - store._snapshot_seq >= slack if store._snapshot_seq >= 0 else n >= 200
        )
        payload = store._index.keyword_snapshot() if keywords else None
        held = store._index.vector_count
        vectors = force or (
            abs(held - store._vector_snapshot_n) >= slack if store._vector_snapshot_n >= 0 else held >= 200
        ) or (keywords and held > 0)
        snap = store._index.vector_snapshot() if vectors else None
        rows_due = force or (
            seq - store._rows_snapshot_seq >= slack if store._rows_snapshot_seq >= 0 else n >= 200
        )
        columns = store._rows.columns() if rows_due else None  # a copy: written while the store goes on
    if columns is not None:
        snapshots.write_rows(store.root, store.catalog.catalog_id, seq, columns)
        store._rows_snapshot_seq = seq
    if payload is not None:
        snapshots.write_keywords(store.root, store.catalog.catalog_id, seq, payload)
        store._snapshot_seq = seq
    if snap is not None:
        snapshots.write_vectors(store.root, store.catalog.catalog_id, snap)
        store._vector_snapshot_n = len(snap.ids)
    return payload is not None or snap is not None or columns is not None


def rebuild_index(store: LocalSkillStore, on_progress: Progress | None = None) -> int:
    from . import snapshots

    report = on_progress or (lambda stage, d, n: None)
    reconcile.sync(store)
    with store._lock:
        old, store._index = store._index, None
        # Rows drop their text once indexed: read them all again from the catalog.
        store._rows, store._seen_seq = RowTable(), -1
        store._snapshot_seq = store._vector_snapshot_n = -1
        snapshots.keywords_path(store.root).unlink(missing_ok=True)
    if old is not None:
        old.close()
    view.refresh(store)
    report("indexing skills", 0, len(store._rows))
    index = ensure_index(store)
    report("indexing skills", len(index), len(index))
    save_index_snapshot(store, force=True)
    return len(index)


def warm_index(store: LocalSkillStore, on_progress: Progress | None = None) -> bool:
    view.refresh(store)
    total = len(store._rows)
    if on_progress is not None:
        on_progress("building the search index", 0, total)
    index = ensure_index(store)
    if on_progress is None:
        return bool(index.wait_until_ready())
    return bool(index.wait_until_ready(on_progress=lambda done, n: on_progress("embedding skills", done, n)))
