"""Each process's in-memory view of the catalog, and how it is kept current.

A LocalSkillStore holds the catalog's live rows (`_rows`, a RowTable, see rows.py) and the change
number they reflect (`_seen_seq`). At open they come from the rows snapshot (snapshots.py); `refresh`
then replays, in order, every change any process has committed since, into the rows and into the
search index once it exists. That is how a write by one process is seen by the others without a
restart. Before a write (or a reconcile) trusts the folders, `recover` undoes what a writer killed
mid-write left in them (recovery.py).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from . import recovery
from .catalog import CatalogRow
from .skill_rows import drop_texts, saved_tokens

if TYPE_CHECKING:
    from .local import LocalSkillStore


def restore_rows(store: LocalSkillStore) -> None:
    """Start from the saved rows (see snapshots.py), so `refresh` replays only later changes."""
    from . import snapshots

    saved = snapshots.read_rows(store.root, store.catalog.catalog_id, store.catalog.current_seq())
    if saved is not None:
        with store._lock:
            store._rows_snapshot_seq, store._rows = saved
            store._seen_seq = saved[0]


def refresh(store: LocalSkillStore) -> None:
    with store._lock:
        if store.catalog.current_seq() == store._seen_seq:
            return
        # Until the index exists no row's text is needed: search_index.ensure_index fetches the few it needs.
        for row in store.catalog.changed_since(store._seen_seq, texts=store._index is not None):
            _apply(store, row)


def recover(store: LocalSkillStore, conn: sqlite3.Connection | None = None) -> None:
    """Undo what writers killed mid-write left in the folders (see recovery.py); cheap when nothing is."""
    if not recovery.needed(store.root):
        return
    if conn is not None:
        recovery.recover(store.root, store.catalog, conn)
        return
    with store.catalog.write() as own:
        recovery.recover(store.root, store.catalog, own)


def _apply(store: LocalSkillStore, row: CatalogRow) -> None:
    # Only `refresh` calls this, in seq order: jumping ahead would skip others' commits.
    with store._lock:
        store._seen_seq = max(store._seen_seq, row.seq)
        if row.deleted:
            store._rows.pop(row.id, None)
            if store._index is not None:
                store._index.remove(row.id)
            return
        store._rows[row.id] = row
        if store._index is not None:
            store._index.upsert_many([(row.id, row.index_text, row.text_hash, saved_tokens(row))])
            drop_texts(row)
