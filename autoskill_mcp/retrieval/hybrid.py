"""HybridIndex: the keyword + vector search the store calls.

The keyword side is updated synchronously on every upsert, so a new skill is
findable at once. Vectors come from the cache when the content hash matches,
are computed inline for cheap embedders, and otherwise are filled in by one
background thread, or (`embed_backlog=False`) by whoever calls `embed_pending`:
a store lets only the process that works the queue embed, so two processes never
embed the same backlog on a 2-core machine. A search never waits for a backlog
unless asked (`wait=True`): until every candidate has a vector it answers from
keywords alone and says so in `mode` and `note` (`vector: pending n of N`), which
keeps the first search of a large store fast and the answer honest.

A team store keeps every vector in its database too: an index may leave them there
(`keep_vectors=False`, or `upsert_many(load_vectors=False)` until `load_stored` brings them in),
knowing only which documents have one, and a search then takes its vector side from a
`VectorStage` (the database's HNSW index), fused with the keyword side as the in-memory one is.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .bm25 import BM25Index
from .embedder import Embedder
from .fusion import DEFAULT_ALPHA, Fused, fuse_arrays
from .quantize import dequantize, quantize
from .selection import top_rows
from .tokenizer import query_tokens, tokenize
from .vector_cache import VectorCache
from .vector_index import VectorIndex
from .vector_stage import VectorStage

__all__ = ["HybridIndex", "ScoredDoc", "Mode"]

log = logging.getLogger("autoskill_mcp.retrieval")

Mode = Literal["hybrid", "keyword", "vector"]
Allowed = Collection[str] | Callable[[str], bool] | None

_EMBED_CHUNK = 32
#: indexes whose background thread was started: stopped at exit (see `_stop_all_at_exit`)
_RUNNING: weakref.WeakSet[HybridIndex] = weakref.WeakSet()
_exit_hook = False
#: query vectors kept (1.5 MB at 384 dims): a server's working set of repeated requests, and
#: more than the 300 distinct queries `bench_store` cycles through (256 missed every one of them)
_QUERY_CACHE = 1024


@dataclass(frozen=True, slots=True)
class ScoredDoc:
    """One search hit.

    `score` is in 0..1 and comparable across queries (see fusion.py);
    `keyword`/`vector` are each method's min-max normalised score among this
    query's candidates, `*_raw` the BM25 score and cosine, and
    `keyword_part + vector_part == score`. `mode` says which methods ranked it.
    """

    doc_id: str
    score: float
    keyword: float | None
    vector: float | None
    keyword_raw: float | None
    vector_raw: float | None
    mode: Mode
    keyword_part: float = 0.0
    vector_part: float = 0.0
    #: why vectors did not serve this search (e.g. "vector: pending 12 of 5000"); None when they did
    note: str | None = None


@dataclass(frozen=True, slots=True)
class VectorSnapshot:
    """Vectors of one embedder with the content hash each was made from (int8 rows, see quantize.py)."""

    signature: str
    ids: list[str]
    hashes: list[str]
    codes: np.ndarray  # int8, one row per id
    scales: np.ndarray  # float32, one per id: codes * scale is the unit vector
    centroids: np.ndarray | None = None  # the coarse partition (coarse.py), when one was built
    lists: np.ndarray | None = None  # int32, the list of each row

    @classmethod
    def from_floats(cls, signature: str, ids: list[str], hashes: list[str], matrix: np.ndarray) -> VectorSnapshot:
        """A snapshot of float32 rows (the previous on-disk format), quantized."""
        codes, scales = quantize(matrix)
        return cls(signature, ids, hashes, codes, scales)

    @property
    def matrix(self) -> np.ndarray:
        """The rows decoded to float32."""
        return dequantize(self.codes, self.scales)


#: at most this many docs are embedded inline by a cheap embedder; more are queued
INLINE_EMBED_LIMIT = 256
#: a backlog this small is embedded inside a search that may load the model (`load_model`) when no
#: background thread of this index would embed it (a few tens of milliseconds), so a skill saved a
#: moment ago by an SDK script does not turn every later search keyword-only
SEARCH_EMBED_LIMIT = 4


class HybridIndex:
    """BM25 + embeddings over string doc ids; safe to search from many threads."""

    def __init__(
        self,
        embedder: Embedder | None,
        cache: VectorCache | None = None,
        *,
        alpha: float = DEFAULT_ALPHA,
        background: bool = True,
        depth: int = 100,
        method: str = "minmax",
        embed_backlog: bool = True,
        keep_vectors: bool = True,
    ) -> None:
        """`keep_vectors=False`: vectors stay in the cache (which must answer `present`), never in this
        process; searches then need a `vector_stage` for their vector side."""
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be within 0..1, got {alpha}")
        if not keep_vectors and getattr(cache, "present", None) is None:
            raise ValueError("an index that keeps no vectors needs a cache that says which it holds (present)")
        self.embedder = embedder
        self.cache = cache
        self.alpha = alpha
        self.background = background
        #: False: the background thread only loads the model; the backlog waits for `embed_pending`
        self.embed_backlog = embed_backlog
        self.depth = depth
        self.method = method
        self.keep_vectors = keep_vectors
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._bm25 = BM25Index()
        self._vectors: VectorIndex | None = None
        self._hashes: dict[str, str] = {}
        self._pending: dict[str, tuple[str, str]] = {}  # doc_id -> (text, content_hash)
        # docs whose vector (of their content hash in _hashes) the cache holds and this process does not
        self._stored_only: set[str] = set()
        self._worker: threading.Thread | None = None
        self._loading = False  # the background thread is in the embedder's load (not interruptible)
        self._stop = False
        self._load_error: BaseException | None = None
        self.last_error: BaseException | None = None
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()
        # Row masks of recently used allowed-id collections (see _mask); a few users' views at most.
        self._masks: deque[_MaskEntry] = deque(maxlen=8)
        self._seen_large: deque[Collection[str]] = deque(maxlen=8)

    # ----------------------------------------------------------------- state
    def __len__(self) -> int:
        with self._lock:
            return len(self._bm25)

    def __contains__(self, doc_id: object) -> bool:
        with self._lock:
            return doc_id in self._bm25

    @property
    def signature(self) -> str | None:
        """The embedder signature vectors are cached under (None: keyword only)."""
        return None if self.embedder is None else self.embedder.signature

    @property
    def vector_count(self) -> int:
        """Documents that have a vector now (in memory, or in the cache only)."""
        with self._lock:
            return (0 if self._vectors is None else len(self._vectors)) + len(self._stored_only)

    @property
    def stored_only(self) -> int:
        """Documents whose vector is in the cache but not in this process (a vector stage serves them)."""
        with self._lock:
            return len(self._stored_only)

    @property
    def pending(self) -> int:
        """Documents still waiting for a vector."""
        with self._lock:
            return len(self._pending)

    def vector_note(self, *, staged: bool = False) -> str | None:
        """Why a search now would not use vectors (None: it would); `staged`: with a vector stage."""
        if self.embedder is None or self.alpha <= 0.0:
            return None
        if self._load_error is not None:
            return f"vector: unavailable ({self._load_error})"
        with self._lock:
            if self._pending:
                return f"vector: pending {len(self._pending)} of {len(self._bm25)}"
            if self._stored_only and not staged:
                return f"vector: loading {len(self._stored_only)} of {len(self._bm25)}"
        if not self.embedder.ready:
            return "vector: model loading"
        return None

    def has_vector(self, doc_id: str, content_hash: str) -> bool:
        """True when the doc has a vector made from this content (restored or computed)."""
        with self._lock:
            return self._hashes.get(doc_id) == content_hash and (
                doc_id in self._stored_only or (self._vectors is not None and doc_id in self._vectors))

    def pending_ids(self) -> list[str]:
        """Documents waiting for a vector (a copy)."""
        with self._lock:
            return list(self._pending)

    @property
    def ready(self) -> bool:
        """True when searches are full hybrid: model loaded and every doc has a vector."""
        if self.embedder is None:
            return True
        with self._lock:
            return self._load_error is None and self.embedder.ready and not self._pending

    @property
    def error(self) -> BaseException | None:
        """Why the embedder could not load, if it failed (searches stay keyword-only)."""
        return self._load_error

    # --------------------------------------------------------------- updates
    def upsert(self, doc_id: str, text: str, content_hash: str) -> None:
        """Index or re-index one document."""
        self.upsert_many([(doc_id, text, content_hash)])

    def keyword_snapshot(self) -> bytes:
        """The keyword index as bytes, for `restore_keywords` in a later process."""
        with self._lock:
            return self._bm25.to_bytes()

    def restore_keywords(self, data: bytes) -> None:
        """Start from a saved keyword index (ValueError if unusable); vectors come via `upsert_many`."""
        bm25 = BM25Index.from_bytes(data)
        with self._lock:
            self._bm25 = bm25

    def vector_snapshot(self) -> VectorSnapshot | None:
        """The vectors held now, for `restore_vectors` in a later process (None: none yet)."""
        with self._lock:
            if self.embedder is None or self._vectors is None or not len(self._vectors):
                return None
            self._vectors.build_partition()  # once, when large enough: about a second at 100k, never in a search
            ids, codes, scales, centroids, lists = self._vectors.export()
            return VectorSnapshot(self.embedder.signature, ids, [self._hashes[d] for d in ids], codes, scales,
                                  centroids, lists)

    def restore_vectors(self, snap: VectorSnapshot, current: dict[str, str]) -> int:
        """Start from saved vectors, keeping those whose doc still has the same content hash.

        Call before `upsert_many`, which then skips the docs restored here (no cache
        lookup, no embedding). `current` maps doc id -> content hash. Returns how many
        vectors were kept; a snapshot of another embedder is ignored.
        """
        if self.embedder is None or snap.signature != self.embedder.signature or not self.keep_vectors:
            return 0
        now = list(map(current.get, snap.ids))
        keep = range(len(snap.ids)) if now == snap.hashes else [i for i, h in enumerate(snap.hashes) if now[i] == h]
        if not keep:
            return 0
        whole = len(keep) == len(snap.ids)
        ids = snap.ids if whole else [snap.ids[i] for i in keep]

        def pick(a: np.ndarray) -> np.ndarray:
            return a if whole else a[keep]

        lists = None if snap.lists is None else pick(snap.lists)
        with self._lock:
            self._vectors = VectorIndex.from_codes(ids, pick(snap.codes), pick(snap.scales), snap.centroids, lists)
            kept_hashes = snap.hashes if whole else [snap.hashes[i] for i in keep]  # the current ones
            self._hashes.update(zip(ids, kept_hashes, strict=True))
        return len(ids)

    def upsert_many(
        self,
        items: Iterable[tuple[str, str, str] | tuple[str, str, str, list[str] | None]],
        *,
        keywords: bool = True,
        load_vectors: bool = True,
    ) -> None:
        """Index many (doc_id, text, content_hash[, tokens]) at once (one cache lookup for all).

        Callers that kept `tokenize(text)` from an earlier run (the store does, in its
        catalog) pass it as the fourth item and save re-tokenizing at start-up.
        `keywords=False` leaves the keyword index alone (it came from a snapshot).
        `load_vectors=False` (with a cache that answers `present`) only notes which docs the cache
        has a vector for: `load_stored` brings them in later, a vector stage serves them meanwhile.
        """
        if not keywords:
            items = [(it[0], it[1], it[2], []) for it in items]  # no tokens: the keyword index is left alone
        prepared = [
            (it[0], it[1], it[2], it[3] if len(it) > 3 and it[3] is not None else tokenize(it[1]))
            for it in items
        ]
        if not prepared:
            return
        need: list[tuple[str, str, str]] = []
        with self._lock:
            if keywords:
                self._bm25.add_many((doc_id, tokens) for doc_id, _, _, tokens in prepared)
            for doc_id, text, content_hash, _tokens in prepared:
                if self.embedder is None:
                    self._hashes[doc_id] = content_hash
                    continue
                unchanged = self._hashes.get(doc_id) == content_hash and (
                    doc_id in self._pending or doc_id in self._stored_only
                    or (self._vectors is not None and doc_id in self._vectors)
                )
                if unchanged:
                    continue
                # Never leave a stale vector searchable while the new one is made.
                if self._vectors is not None:
                    self._vectors.remove(doc_id)
                self._pending.pop(doc_id, None)
                self._stored_only.discard(doc_id)
                self._hashes[doc_id] = content_hash
                need.append((doc_id, text, content_hash))
        if not need or self.embedder is None:
            return
        signature = self.embedder.signature
        cached: dict[str, np.ndarray] = {}
        stored: set[str] = set()
        present = getattr(self.cache, "present", None)
        if present is not None and not (load_vectors and self.keep_vectors):
            stored = set(present(signature, [(d, h) for d, _, h in need]))
        elif self.cache is not None:
            cached = self.cache.get_many(signature, [(d, h) for d, _, h in need])
        missing = [(d, t, h) for d, t, h in need if d not in cached and d not in stored]
        with self._lock:
            self._stored_only.update(d for d, _, h in need if d in stored and self._hashes.get(d) == h)
            fresh = [(d, cached[d]) for d, _, h in need if d in cached and self._hashes.get(d) == h]
            fits = self._add_vectors(fresh)
            # A cached vector of a foreign size is re-embedded.
            missing += [(d, t, h) for d, t, h in need if d in cached and d in fits and not fits[d]]
        if not missing:
            return
        # Even a cheap embedder takes seconds for thousands of docs (a bulk import):
        # those go to the background thread too, so keyword search is usable at once.
        if self.embedder.cheap and (len(missing) <= INLINE_EMBED_LIMIT or not self.background):
            vectors = self.embedder.embed([t for _, t, _ in missing])
            self._store_vectors([(d, h, v) for (d, _, h), v in zip(missing, vectors, strict=False)], from_pending=False)
            return
        with self._cond:
            for doc_id, text, content_hash in missing:
                self._pending[doc_id] = (text, content_hash)
            self._cond.notify_all()
        if self.background and self.embed_backlog:
            self.start_background()

    def remove(self, doc_id: str) -> None:
        """Forget a document everywhere (a no-op if unknown)."""
        with self._lock:
            self._bm25.remove(doc_id)
            if self._vectors is not None:
                self._vectors.remove(doc_id)
            self._pending.pop(doc_id, None)
            self._stored_only.discard(doc_id)
            self._hashes.pop(doc_id, None)
            self._cond.notify_all()

    def absorb_vectors(self, rows: Iterable[tuple[str, str, np.ndarray]]) -> int:
        """Take vectors another process computed: those whose doc still has that content hash
        and lacks its vector. Returns how many were taken (nothing is written to the cache)."""
        if not self.keep_vectors:
            return self.adopt_stored((d, h) for d, h, _ in rows)
        with self._cond:
            fresh = [(d, v) for d, h, v in rows
                     if self._hashes.get(d) == h
                     and (d in self._pending or self._vectors is None or d not in self._vectors)]
            fits = self._add_vectors(fresh)
            taken = [d for d, ok in fits.items() if ok]
            for d in taken:
                self._pending.pop(d, None)
                self._stored_only.discard(d)
            if taken:
                self._cond.notify_all()
        return len(taken)

    def adopt_stored(self, items: Iterable[tuple[str, str]]) -> int:
        """Note docs whose vector the cache holds for this content hash (another machine made it, or it
        was never loaded here), without loading it; how many were noted. A doc known here with other
        content is left alone."""
        taken = 0
        with self._cond:
            for doc_id, content_hash in items:
                known = self._hashes.get(doc_id)
                if known not in (None, content_hash) or (self._vectors is not None and doc_id in self._vectors):
                    continue
                self._hashes[doc_id] = content_hash
                self._pending.pop(doc_id, None)
                self._stored_only.add(doc_id)
                taken += 1
            if taken:
                self._cond.notify_all()
        return taken

    def load_stored(self, limit: int) -> tuple[int, list[str]]:
        """Bring up to `limit` of the vectors left in the cache into this process: (how many were
        loaded, the docs whose vector was no longer there, to be embedded again from their text)."""
        if not self.keep_vectors or self.cache is None or self.embedder is None:
            return 0, []
        with self._lock:
            batch = [(d, self._hashes[d]) for d in itertools.islice(self._stored_only, limit)]
        if not batch:
            return 0, []
        found = self.cache.get_many(self.embedder.signature, batch)
        with self._cond:
            current = [(d, h) for d, h in batch if d in self._stored_only and self._hashes.get(d) == h]
            fits = self._add_vectors([(d, found[d]) for d, _ in current if d in found])
            gone = [d for d, _ in current if not fits.get(d, False)]
            for d, _ in current:
                self._stored_only.discard(d)
            self._cond.notify_all()
        return sum(fits.values()), gone

    def embed_pending(self, limit: int = _EMBED_CHUNK) -> int:
        """Embed up to `limit` waiting documents here, in the caller's thread; how many got a vector.

        Loads the model first (EmbedderError if it cannot load). Vectors go to the cache too.
        """
        if self.embedder is None:
            return 0
        if not self.embedder.ready:
            self._load_here()
            if self._load_error is not None:
                raise self._load_error
        done = 0
        while done < limit:
            before = self.pending
            if not before or self._stop:
                break
            if not self._embed_some(min(_EMBED_CHUNK, limit - done)):
                if self.last_error is not None:
                    raise self.last_error
                break
            done += max(0, before - self.pending)
        return done

    def _add_vectors(self, items: list[tuple[str, np.ndarray]]) -> dict[str, bool]:
        """Caller holds the lock; adds in one batch, returns per doc whether its vector fit."""
        if not items:
            return {}
        if self._vectors is None:
            dims = np.asarray(items[0][1]).reshape(-1).shape[0]
            self._vectors = VectorIndex(dims, capacity=max(256, len(self._bm25)))
        dims = self._vectors.dims
        ok = [(d, v) for d, v in items if np.asarray(v).reshape(-1).shape[0] == dims]
        if ok:
            self._vectors.add_many([d for d, _ in ok],
                                   np.stack([np.asarray(v, dtype=np.float32).reshape(-1) for _, v in ok]))
        good = {d for d, _ in ok}
        for d, v in items:
            if d not in good:
                log.warning("vector for %s has %d dims, index has %d; re-embedding", d, np.asarray(v).size, dims)
        return {d: d in good for d, _ in items}

    def _add_vector(self, doc_id: str, vec: np.ndarray) -> bool:
        """Caller holds the lock; False if the vector does not fit (foreign dims)."""
        vec = np.asarray(vec, dtype=np.float32).reshape(-1)
        if self._vectors is None:
            self._vectors = VectorIndex(vec.shape[0], capacity=max(256, len(self._bm25)))
        if vec.shape[0] != self._vectors.dims:
            log.warning("vector for %s has %d dims, index has %d; re-embedding", doc_id, vec.shape[0],
                        self._vectors.dims)
            return False
        self._vectors.add(doc_id, vec)
        return True

    def _store_vectors(self, rows: list[tuple[str, str, np.ndarray]], *, from_pending: bool) -> None:
        """Add fresh vectors whose doc still has that content hash, then cache them."""
        kept: list[tuple[str, str, np.ndarray]] = []
        with self._cond:
            for doc_id, content_hash, vec in rows:
                if self._hashes.get(doc_id) != content_hash:
                    continue  # removed or edited meanwhile
                if from_pending:
                    entry = self._pending.get(doc_id)
                    if entry is None or entry[1] != content_hash:
                        continue
                    del self._pending[doc_id]
                if not self.keep_vectors:
                    self._stored_only.add(doc_id)  # in the cache once put_many below returns
                    kept.append((doc_id, content_hash, vec))
                elif self._add_vector(doc_id, vec):
                    kept.append((doc_id, content_hash, vec))
            self._cond.notify_all()
        if self.cache is not None and kept and self.embedder is not None:
            self.cache.put_many(self.embedder.signature, kept)

    # ------------------------------------------------------------ background
    def start_background(self) -> None:
        """Start loading the model and embedding the backlog in a daemon thread (idempotent)."""
        if self.embedder is None:
            return
        with self._lock:
            if self._stop or (self._worker is not None and self._worker.is_alive()):
                return
            if self._load_error is not None:
                return
            self._worker = threading.Thread(target=self._work, name="autoskill-embed", daemon=True)
            _stop_at_exit(self)
            self._worker.start()

    def _work(self) -> None:
        assert self.embedder is not None
        self._loading = True
        try:
            self.embedder.load()
        except Exception as exc:  # noqa: BLE001 - any load failure means keyword-only
            if not self._stop:
                log.error("embedder %s failed to load, searching by keywords only: %s", self.embedder.signature, exc)
            with self._cond:
                self._load_error = exc
                self._cond.notify_all()
            return
        finally:
            self._loading = False
        with self._cond:
            self._cond.notify_all()
        if not self.embed_backlog:
            return  # the backlog is the caller's to embed (embed_pending)
        backoff = 1.0
        while True:
            with self._cond:
                while not self._pending and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
            if self._embed_some():
                backoff = 1.0
            else:
                with self._cond:
                    self._cond.wait(timeout=backoff)
                backoff = min(backoff * 2, 60.0)

    def _embed_some(self, size: int = _EMBED_CHUNK) -> bool:
        """Embed one chunk of the backlog; False (and logged) if the embedder failed."""
        assert self.embedder is not None
        with self._lock:
            batch = list(itertools.islice(self._pending.items(), size))
        if not batch:
            return True
        try:
            vectors = self.embedder.embed([text for _, (text, _) in batch])
        except Exception as exc:  # noqa: BLE001 - keep serving keywords, retry later
            if self._stop:  # closing (the process may be exiting): the backlog stays pending
                return True
            self.last_error = exc
            log.warning("embedding %d documents failed (will retry): %s", len(batch), exc)
            return False
        self._store_vectors([(d, h, v) for (d, (_, h)), v in zip(batch, vectors, strict=False)], from_pending=True)
        return True

    def wait_until_ready(self, timeout: float | None = None,
                         on_progress: Callable[[int, int], None] | None = None) -> bool:
        """Block until the model is loaded and every document has a vector; True if so.

        Without a background thread the work is done here, in the caller's thread.
        `on_progress(with_vector, total)` is called as vectors arrive (for a progress bar).
        """
        if self.embedder is None:
            return True
        report = on_progress or (lambda done, total: None)
        if not self.background or not self.embed_backlog:
            try:
                self.embedder.load()
            except Exception as exc:  # noqa: BLE001
                self._load_error = exc
                log.error("embedder %s failed to load: %s", self.embedder.signature, exc)
                return False
            deadline = None if timeout is None else time.monotonic() + timeout
            report(self.vector_count, self.vector_count + self.pending)
            while self.pending:
                ok = self._embed_some()
                report(self.vector_count, self.vector_count + self.pending)
                if not ok or (deadline is not None and time.monotonic() > deadline):
                    break
            return self.ready
        self.start_background()

        def settled() -> bool:
            return self._load_error is not None or self._stop or (self.embedder.ready and not self._pending)  # type: ignore[union-attr]

        with self._cond:
            if on_progress is None:
                self._cond.wait_for(settled, timeout)
            else:
                deadline = None if timeout is None else time.monotonic() + timeout
                while not settled():
                    report(self.vector_count, self.vector_count + len(self._pending))
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        break
                    self._cond.wait(left)  # every stored batch notifies
                report(self.vector_count, self.vector_count + len(self._pending))
        return self.ready

    def close(self, timeout: float = 2.0) -> None:
        """Stop the background thread (pending documents stay pending).

        A thread still loading the model is not waited for: the load cannot be interrupted, it
        holds nothing to save, and the thread ends by itself when it returns (the interpreter's
        exit waits for it: see `_stop_all_at_exit` and minilm's exit hook).
        """
        with self._cond:
            self._stop = True
            self._cond.notify_all()
            worker = self._worker
        if worker is not None and worker is not threading.current_thread() and not self._loading:
            worker.join(timeout=timeout)

    def __enter__(self) -> HybridIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- search
    def search(
        self,
        query: str,
        top_k: int = 10,
        *,
        allowed: Allowed = None,
        min_score: float = 0.0,
        wait: bool = False,
        load_model: bool = False,
        vector_stage: VectorStage | None = None,
    ) -> list[ScoredDoc]:
        """The best `top_k` documents for `query` with score >= `min_score`, matches only.

        A candidate with no query word and a cosine at or below the embedder's "unrelated"
        level is never returned, however it ranks: a query nothing matches has no hits.

        `allowed` limits results to a set of ids or to ids a predicate accepts.
        Keyword-only (mode "keyword", with a `note` saying why) while the model loads or
        an allowed doc lacks its vector, unless `wait=True`, which first loads and embeds.
        `load_model=True` loads the model here if need be (a fraction of a second, once)
        so the query gets a vector, but never waits for a backlog.
        `vector_stage`: the vector side comes from it (the team store's HNSW index) instead of the
        vectors held here, and is fused with the keyword side the same way.
        """
        if top_k <= 0:
            return []
        if wait:
            self.wait_until_ready()
        elif self.embedder is not None and not self.embedder.ready and self._load_error is None:
            if load_model:
                self._load_here()
            elif self.background:
                self.start_background()  # warm up for the next search
        if load_model and not self.embed_backlog:
            self._embed_small_backlog()
        accept = _predicate(allowed)
        staged = vector_stage is not None
        qvec = self._query_vector(query, accept, staged=staged)
        tokens, plain = query_tokens(query)  # the query is tokenized once per search
        with self._lock:
            bm25 = self._bm25
            generation = bm25.generation
            mask = self._mask(allowed, bm25)
            kscores = bm25.score_rows(tokens)
            krows = top_rows(kscores, self.depth, mask=mask, accept=_row_accept(accept, mask, bm25.doc_id), floor=0.0,
                             with_ties=True)
            ids: list[str] = [bm25.doc_id(int(r)) for r in krows]  # type: ignore[misc]
            k_arr = kscores[krows].astype(np.float64)
            v_arr: np.ndarray | None = None
            vectors = None if staged else self._vectors
            if qvec is not None and vectors is not None and vectors.dims == qvec.shape[0]:
                vmask = self._mask(allowed, vectors)
                vrows, vbest = vectors.best_rows(qvec, self.depth, mask=vmask, approximate=True,  # see coarse.py
                                                 accept=_row_accept(accept, vmask, vectors.doc_id), with_ties=True)
                seen = set(ids)
                extra = [d for d in (vectors.doc_id(r) for r in vrows.tolist()) if d is not None and d not in seen]
                if extra:  # complete the keyword side over the union of candidates
                    erows = [bm25.row(d) for d in extra]
                    k_arr = np.concatenate(
                        [k_arr, np.array([0.0 if r is None else float(kscores[r]) for r in erows])]
                    )
                    ids.extend(extra)
                # every candidate's exact cosine: the vector side's own, the keyword side's computed here
                cosine = dict(zip(vrows.tolist(), vbest.tolist(), strict=True))
                vpos = [vectors.row(d) for d in ids]
                need = [r for r in vpos if r is not None and r not in cosine]
                if need:
                    exact = vectors.score_at(np.array(need, dtype=np.int64), qvec).tolist()
                    cosine.update(zip(need, exact, strict=True))
                v_arr = np.array([np.nan if r is None else cosine[r] for r in vpos])
            elif qvec is not None and vectors is None and len(bm25) == 0:
                v_arr = np.zeros(0)
            norm = bm25.coverage_norm(plain)
        if vector_stage is not None and qvec is not None and len(bm25):
            found = self._staged(vector_stage, qvec, ids, k_arr, (bm25, generation, kscores, tokens), accept)
            if found is not None:
                ids, k_arr, v_arr = found
        mode: Mode = "keyword" if v_arr is None else ("vector" if self.alpha >= 1.0 else "hybrid")
        note = self.vector_note(staged=staged) if v_arr is None else None
        if not ids:
            return []
        calibration = self.embedder.calibration if self.embedder is not None else (0.0, 1.0)
        fused = fuse_arrays(
            k_arr, v_arr, alpha=self.alpha, keyword_norm=norm, calibration=calibration, method=self.method
        )
        hits: list[ScoredDoc] = []
        for i in fused.order:
            if fused.score[i] < min_score:
                break  # scores never rise down the ranking (see fusion.py)
            if fused.matched is not None and not fused.matched[i]:
                continue  # no keyword and no real similarity: a filler, not a hit
            cosine_i = None if v_arr is None or np.isnan(v_arr[i]) else float(v_arr[i])
            f = fused.hit(ids[i], int(i), float(k_arr[i]), cosine_i)
            hits.append(_scored(f, mode, note))
            if len(hits) >= top_k:
                break
        return hits

    def _staged(
        self, stage: VectorStage, qvec: np.ndarray, ids: list[str], k_arr: np.ndarray,
        keyword: tuple[BM25Index, int, np.ndarray, list[str]], accept: Callable[[str], bool] | None,
    ) -> tuple[list[str], np.ndarray, np.ndarray] | None:
        """The candidates, keyword scores and cosines with the vector side from `stage`, as the in-memory
        side makes them: its `depth` nearest join the keyword candidates, each with its exact cosine
        (None when the stage failed: the keyword side answers). The stage is asked outside the lock."""
        try:
            found = stage.search(qvec, self.depth, ids)
        except Exception as exc:  # noqa: BLE001 - an unreachable stage must not break search
            self.last_error = exc
            log.warning("the vector stage failed, answering by keywords: %s", exc)
            return None
        bm25, generation, kscores, tokens = keyword
        with self._lock:
            if self._bm25 is not bm25 or bm25.generation != generation:  # rows moved meanwhile: score again
                bm25 = self._bm25
                kscores = bm25.score_rows(tokens)
            near = [(d, c) for d, c in found.nearest if d in bm25 and (accept is None or accept(d))]
            seen = set(ids)
            extra = [d for d, _ in near if d not in seen]
            if extra:  # complete the keyword side over the union of candidates
                erows = [bm25.row(d) for d in extra]
                k_arr = np.concatenate([k_arr, np.array([0.0 if r is None else float(kscores[r]) for r in erows])])
                ids = ids + extra
        cosine = {**found.cosines, **dict(near)}
        return ids, k_arr, np.array([cosine.get(d, np.nan) for d in ids], dtype=np.float64)

    def _load_here(self) -> None:
        """Load the model in this thread; a failure leaves searches keyword-only."""
        assert self.embedder is not None
        try:
            self.embedder.load()
        except Exception as exc:  # noqa: BLE001 - any load failure means keyword-only
            log.error("embedder %s failed to load, searching by keywords only: %s", self.embedder.signature, exc)
            with self._cond:
                self._load_error = exc
                self._cond.notify_all()

    def _embed_small_backlog(self) -> None:
        """Embed a backlog of a few docs inline, once the model is loaded (see SEARCH_EMBED_LIMIT)."""
        emb = self.embedder
        if emb is None or not emb.ready or self._load_error is not None or not 0 < self.pending <= SEARCH_EMBED_LIMIT:
            return
        try:
            self.embed_pending(SEARCH_EMBED_LIMIT)
        except Exception as exc:  # noqa: BLE001 - the search answers from keywords instead
            self.last_error = exc

    def _query_vector(self, query: str, accept: Callable[[str], bool] | None, *,
                      staged: bool = False) -> np.ndarray | None:
        """The query's vector, or None when vectors cannot serve this search yet."""
        emb = self.embedder
        if emb is None or self._load_error is not None or not emb.ready or self.alpha <= 0.0:
            return None
        with self._lock:
            if self._pending and (accept is None or any(accept(d) for d in self._pending)):
                return None
            if not staged and self._stored_only and (accept is None or any(accept(d) for d in self._stored_only)):
                return None  # not loaded here yet, and no stage to ask
            hit = self._qcache.get(query)
            if hit is not None:
                self._qcache.move_to_end(query)
                return hit
        try:
            qvec = np.asarray(emb.embed_query(query), dtype=np.float32)
        except Exception as exc:  # noqa: BLE001 - an unreachable embedder must not break search
            self.last_error = exc
            log.warning("query embedding failed, answering by keywords: %s", exc)
            return None
        with self._lock:
            self._qcache[query] = qvec
            if len(self._qcache) > _QUERY_CACHE:
                self._qcache.popitem(last=False)
        return qvec

    def _mask(self, allowed: Allowed, index: BM25Index | VectorIndex) -> np.ndarray | None:
        """A row mask for an allowed collection; None means "check ids lazily".

        A store passes the same frozenset of visible ids on every search until
        something changes, usually most of the index: its mask is built once
        (on the second sighting, so a one-off large set costs no O(n) build)
        and reused until the index assigns rows anew.
        """
        if allowed is None or callable(allowed):
            return None
        for entry in self._masks:
            if entry.allowed is allowed and entry.index is index:
                if entry.generation == index.generation:
                    return entry.mask
                entry.mask = _build_mask(allowed, index)
                entry.generation = index.generation
                return entry.mask
        small = len(allowed) * 4 <= index.capacity
        if not small and not any(seen is allowed for seen in self._seen_large):
            self._seen_large.append(allowed)
            return None
        entry = _MaskEntry(allowed, index, index.generation, _build_mask(allowed, index))
        self._masks.append(entry)
        return entry.mask


@dataclass(slots=True)
class _MaskEntry:
    allowed: Collection[str]
    index: BM25Index | VectorIndex
    generation: int
    mask: np.ndarray


def _build_mask(allowed: Collection[str], index: BM25Index | VectorIndex) -> np.ndarray:
    mask = np.zeros(index.capacity, dtype=bool)
    rows = [r for r in map(index.row, allowed) if r is not None]
    mask[rows] = True
    return mask


def _predicate(allowed: Allowed) -> Callable[[str], bool] | None:
    if allowed is None:
        return None
    if callable(allowed):
        return allowed
    allowed_set = allowed if isinstance(allowed, (set, frozenset, dict)) else set(allowed)
    return allowed_set.__contains__


def _row_accept(
    accept: Callable[[str], bool] | None, mask: np.ndarray | None, doc_id: Callable[[int], str | None]
) -> Callable[[int], bool] | None:
    """Row predicate for callables only (collections already became a mask)."""
    if accept is None or mask is not None:
        return None

    def check(row: int) -> bool:
        d = doc_id(row)
        return d is not None and accept(d)

    return check


def _scored(f: Fused, mode: Mode, note: str | None = None) -> ScoredDoc:
    return ScoredDoc(
        doc_id=f.doc_id,
        score=f.score,
        keyword=f.keyword,
        vector=f.vector if mode != "keyword" else None,
        keyword_raw=f.keyword_raw,
        vector_raw=f.vector_raw,
        mode=mode,
        keyword_part=f.keyword_part,
        vector_part=f.vector_part,
        note=note,
    )


def _stop_at_exit(index: HybridIndex) -> None:
    """Have the interpreter's exit stop `index`'s background thread before it finalises.

    Registered on first use, so it runs before the embedder's own exit hook (atexit is last in,
    first out): the thread ends between two chunks instead of failing in the middle of one.
    """
    global _exit_hook
    _RUNNING.add(index)
    if not _exit_hook:
        _exit_hook = True
        atexit.register(_stop_all_at_exit)


def _stop_all_at_exit() -> None:
    for index in list(_RUNNING):
        index.close(timeout=10.0)
        worker = index._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout=10.0)  # one still loading the model too: it must not outlive the interpreter
