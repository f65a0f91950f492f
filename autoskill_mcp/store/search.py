"""A search: the skills a user may see, ranked by the index, each checked against its folder before it is served.

The visible set (scope, owner, status, tags; the rules are base.py's) is computed once per catalog
change and cached; the index ranks within it (keyword-only, with a note, while vectors are missing).
A search itself writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..errors import InvalidInputError
from ..skill import SkillStatus
from . import reads, reconcile, search_index, vectors, view
from .base import SkillHit, may_see

if TYPE_CHECKING:
    from .local import LocalSkillStore


def search(
    store: LocalSkillStore, query: str, *, user_id: str, scope: str = "all", top_k: int = 5, min_score: float = 0.0,
    tags: Iterable[str] | None = None, wait: bool = False, load_model: bool = False,
) -> list[SkillHit]:
    scopes = check_request(query, top_k, scope)
    wanted_tags = {t.lower() for t in tags or ()}
    reconcile.maybe_sync(store)
    view.refresh(store)
    if load_model and store._index is None:
        search_index.preload_model(store)
    index = search_index.ensure_index(store)
    if index.pending:
        vectors.pick_up_vectors(store)
        if store._filler is not None:
            store._filler.wake()
    allowed = _visible_ids(store, user_id, scopes, frozenset(wanted_tags))
    hits = []
    for doc in index.search(query, top_k, allowed=allowed, min_score=min_score, wait=wait, load_model=load_model):
        row = reads.fresh_row(store, doc.doc_id, user_id)  # one stat per hit: a hand edit is never served stale
        if row is not None:
            hits.append(SkillHit(reads.load_skill(store, row), doc.score, doc.keyword, doc.vector, doc.mode, doc.note))
    store._answered.set()
    return hits


def check_request(query: str, top_k: int, scope: str) -> tuple[str, ...]:
    """Every store's checks of a search request; the stored scopes `scope` covers."""
    if not isinstance(query, str):
        raise InvalidInputError("query must be a string")
    if not query.strip():
        raise InvalidInputError("the query is empty: say what the task is, e.g. 'write a commit message'")
    if not isinstance(top_k, int) or top_k < 1:
        raise InvalidInputError("top_k must be a positive integer")
    return reads.stored_scopes(scope)


def _visible_ids(
    store: LocalSkillStore, user_id: str, scopes: tuple[str, ...], tags: frozenset[str],
) -> frozenset[str] | None:
    """Ids a search may return, None meaning all of them; cached until the catalog changes."""
    key = (user_id, scopes, tags)
    with store._lock:
        if store._visible_seq != store._seen_seq:
            store._visible_cache.clear()
            store._visible_seq = store._seen_seq
        if key in store._visible_cache:
            return store._visible_cache[key]
        active = SkillStatus.ACTIVE.value  # once, not an enum lookup per skill
        cached: frozenset[str] | None = None
        # Every skill visible (one user's store, the usual case): no filter to build or apply.
        everyone = not tags and all(status == active for (status,) in store._rows.distinct("status")) and all(
            scope in scopes and may_see(scope, owner, user_id)
            for scope, owner in store._rows.distinct("scope", "owner"))
        if not everyone:
            cached = frozenset([
                skill_id for skill_id, status, scope, owner, row_tags
                in store._rows.project("status", "scope", "owner", "tags")
                if status == active
                and scope in scopes and may_see(scope, owner, user_id)
                and (not tags or bool(tags & {t.lower() for t in row_tags}))
            ])
        if len(store._visible_cache) > 64:
            store._visible_cache.clear()
        store._visible_cache[key] = cached
        return cached
