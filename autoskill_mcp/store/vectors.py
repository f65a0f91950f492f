"""Vectors across processes: who embeds a store's backlog, and how the other processes get the vectors.

Embedding is costly, so one process at a time embeds for all: the one holding the catalog's embed
lease for the current embedder (the processes working the learning queue run a VectorFiller, see
vector_filler.py). The vectors it writes to the catalog are picked up by every other process
(`pick_up_vectors`). `embed_missing` embeds everything missing here and now (import, reindex).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from . import search_index

if TYPE_CHECKING:
    from .base import Progress
    from .local import LocalSkillStore
    from .vector_filler import VectorFiller

log = logging.getLogger("autoskill_mcp.store.local")  # the store's messages keep the one logger name


def vector_status(store: LocalSkillStore) -> tuple[int, int]:
    index = search_index.ensure_index(store)
    return index.pending, len(index)


def vector_note(store: LocalSkillStore) -> str | None:
    return search_index.ensure_index(store).vector_note()


def pick_up_vectors(store: LocalSkillStore) -> int:
    index = search_index.ensure_index(store)
    if index.embedder is None or not index.pending:
        return 0
    signature = index.embedder.signature
    if store.catalog.vector_seq(signature) <= store._vseq_seen:
        return 0
    rows, top = store.catalog.vectors_since(signature, store._vseq_seen)
    store._vseq_seen = max(store._vseq_seen, top)
    return int(index.absorb_vectors(rows))


def take_embed_lease(store: LocalSkillStore, owner: str, seconds: float) -> bool:
    index = search_index.ensure_index(store)
    if index.embedder is None:
        return False
    return store.catalog.take_embed_lease(index.embedder.signature, owner, seconds, now=time.time())


def release_embed_lease(store: LocalSkillStore, owner: str) -> None:
    index = store._index
    if index is None or index.embedder is None or store._closed:
        return
    try:
        store.catalog.drop_embed_lease(index.embedder.signature, owner)
    except Exception as exc:  # noqa: BLE001 - a lease left behind expires by itself
        log.debug("could not drop the embedding lease: %s", exc)


def start_filling_vectors(store: LocalSkillStore, *, poll: float = 1.0) -> VectorFiller | None:
    from .vector_filler import VectorFiller

    with store._lock:
        if store._filler is None and not store._closed:
            store._filler = VectorFiller(store, poll=poll)
            store._filler.start()
        return store._filler


def embed_missing(store: LocalSkillStore, on_progress: Progress | None = None, *, chunk: int = 64) -> int:
    from .vector_filler import LEASE_SECONDS, new_owner

    index = search_index.ensure_index(store)
    if index.embedder is None or not index.pending:
        return 0
    owner = new_owner()
    signature = index.embedder.signature
    total, done = index.pending, 0
    report = on_progress or (lambda stage, d, n: None)
    try:
        while index.pending:
            store.catalog.take_embed_lease(signature, owner, LEASE_SECONDS, now=time.time(), force=True)
            report("embedding skills", done, total)
            pick_up_vectors(store)
            done += index.embed_pending(chunk)
        report("embedding skills", total, total)
    finally:
        release_embed_lease(store, owner)
    search_index.save_index_snapshot(store, force=True)
    return done
