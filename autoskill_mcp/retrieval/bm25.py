"""An incremental BM25 index: compact postings, numpy scoring.

bm25s and friends build a frozen sparse matrix, so every skill edit would mean
a full re-index. Here IDF / avgdl are computed at query time, so adding or removing
one document costs O(its length) and the result always equals a fresh rebuild.

Postings live in two tiers. The base is compressed-sparse: per term a slice of one
int32 row array and one uint16 term-frequency array (6 bytes a posting, against ~100
in Python dicts: 100k skills fit in tens of MB, and a snapshot loads with no parsing).
Documents added since are in small dict postings, merged into a new base once they
grow; a removed document's base postings are masked until that merge, and its row
is reused only after it.
"""

from __future__ import annotations

import marshal
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from .selection import top_rows
from .tokenizer import tokenize

__all__ = ["BM25Index"]

#: dict postings held before they are merged into the compact base (or a quarter of the base, if more)
MERGE_AT = 200_000


class BM25Index:
    """Okapi BM25 (Lucene IDF, k1=1.2, b=0.75) over string doc ids. Not thread-safe."""

    def __init__(self, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        # The compact base: term -> term id; term id -> postings[indptr[t]:indptr[t + 1]].
        self._vocab: dict[str, int] = {}
        self._indptr = np.zeros(1, dtype=np.int64)
        self._post_rows = np.zeros(0, dtype=np.int32)
        self._post_tf = np.zeros(0, dtype=np.uint16)
        self._in_base = np.zeros(64, dtype=bool)  # rows whose postings are in the base
        self._dead_in_base = 0  # removed rows whose base postings are still there (masked)
        # Row -> its base terms, derived from the postings when a removal first needs it (_base_terms).
        self._doc_ptr: np.ndarray | None = None
        self._doc_tids: np.ndarray | None = None
        self._terms: list[str] | None = None
        # Documents added since the last merge: term -> {row: tf}, and each such row's terms.
        self._postings: dict[str, dict[int, int]] = {}
        self._delta_terms: dict[int, tuple[str, ...]] = {}
        self._delta_size = 0
        # Live document frequency of every term (base and delta), the only per-term Python object.
        self._df: dict[str, int] = {}
        self._doc_len = np.zeros(64, dtype=np.float32)
        self._ids: list[str | None] = []
        self._row_of: dict[str, int] = {}
        self._free: list[int] = []
        self._total_len = 0
        #: bumped whenever a doc id gains or loses a row, so row masks built from ids can be reused until then
        self.generation = 0

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row_of

    @property
    def capacity(self) -> int:
        """Number of rows the score arrays span (live and free)."""
        return len(self._ids)

    def add(self, doc_id: str, text: str | None = None, *, tokens: Iterable[str] | None = None) -> None:
        """Index a document (replacing any previous version of `doc_id`)."""
        self.add_many([(doc_id, tokenize(text or "") if tokens is None else tokens)])

    def add_many(self, items: Iterable[tuple[str, Iterable[str]]]) -> None:
        """Index many (doc_id, tokens) at once (replacing earlier versions of those ids)."""
        postings, df = self._postings, self._df
        for doc_id, tokens in items:
            if doc_id in self._row_of:
                self.remove(doc_id)
            counts = Counter(tokens)
            if self._free:
                row = self._free.pop()
            else:
                row = len(self._ids)
                self._ids.append(None)
                if row >= self._doc_len.shape[0]:
                    self._grow(self._doc_len.shape[0] * 2)
            self._ids[row] = doc_id
            self._row_of[doc_id] = row
            self.generation += 1
            self._delta_terms[row] = tuple(counts)
            length = sum(counts.values())
            self._doc_len[row] = length
            self._total_len += length
            for term, tf in counts.items():
                posting = postings.get(term)
                if posting is None:
                    postings[term] = {row: tf}
                else:
                    posting[row] = tf
                df[term] = df.get(term, 0) + 1
            self._delta_size += len(counts)
            # Merge when the dict postings reach a share of the base: a bulk build merges a
            # logarithmic number of times, and the dicts never outgrow a fraction of the base.
            if self._delta_size >= max(MERGE_AT, len(self._post_rows) // 4):
                self._merge()
                postings = self._postings  # the merge started new dict postings

    def _grow(self, size: int) -> None:
        grown = np.zeros(size, dtype=np.float32)
        grown[: self._doc_len.shape[0]] = self._doc_len
        self._doc_len = grown
        in_base = np.zeros(size, dtype=bool)
        in_base[: self._in_base.shape[0]] = self._in_base
        self._in_base = in_base

    def _merge(self) -> None:
        """Fold the dict postings into a new compact base, dropping removed rows' postings.

        All in numpy: both tiers sorted by term id, then one stable sort, which finds the two
        sorted runs and merges them in linear time.
        """
        if not self._postings and not self._dead_in_base:
            return
        vocab = self._vocab
        tids: list[int] = []
        rows: list[int] = []
        tfs: list[int] = []
        for term, posting in self._postings.items():
            tid = vocab.get(term)
            if tid is None:
                tid = vocab[term] = len(vocab)
            tids += [tid] * len(posting)
            rows += posting.keys()
            tfs += posting.values()
        base_tids = np.repeat(np.arange(len(self._indptr) - 1, dtype=np.int32), np.diff(self._indptr))
        base_rows, base_tf = self._post_rows, self._post_tf
        if self._dead_in_base:
            live = np.zeros(len(self._ids), dtype=bool)
            live[list(self._row_of.values())] = True
            keep = live[base_rows] & self._in_base[base_rows]
            base_tids, base_rows, base_tf = base_tids[keep], base_rows[keep], base_tf[keep]
        d_tids = np.asarray(tids, dtype=np.int32)
        d_order = np.argsort(d_tids, kind="stable")
        all_tids = np.concatenate([base_tids, d_tids[d_order]])
        order = np.argsort(all_tids, kind="stable")
        self._post_rows = np.concatenate([base_rows, np.asarray(rows, dtype=np.int32)[d_order]])[order]
        self._post_tf = np.concatenate([base_tf, np.minimum(np.asarray(tfs, dtype=np.int64), 65535)
                                        .astype(np.uint16)[d_order]])[order]
        self._indptr = np.concatenate([[0], np.cumsum(np.bincount(all_tids, minlength=len(vocab)))]).astype(np.int64)
        n = len(self._ids)
        in_base = np.zeros(n, dtype=bool)
        in_base[list(self._row_of.values())] = True
        self._in_base[:n] = in_base
        # Rows removed while their postings were in the base can be reused now.
        held = set(self._free)
        self._free += [r for r, d in enumerate(self._ids) if d is None and r not in held]
        self._dead_in_base = 0
        self._doc_ptr = self._doc_tids = self._terms = None
        self._postings, self._delta_terms, self._delta_size = {}, {}, 0

    _SNAPSHOT_FORMAT = 3

    def to_bytes(self) -> bytes:
        """The whole index as bytes (marshal: plain data only, nothing runs on load)."""
        self._merge()
        n = len(self._ids)
        return marshal.dumps((
            self._SNAPSHOT_FORMAT, self.k1, self.b, self._ids, list(self._vocab),
            self._indptr.tobytes(), self._post_rows.tobytes(), self._post_tf.tobytes(),
            self._doc_len[:n].tobytes(), self._free, self._total_len,
        ))

    @classmethod
    def from_bytes(cls, data: bytes) -> BM25Index:
        """Rebuild an index saved by `to_bytes`; ValueError if the data is not one."""
        try:
            fmt, k1, b, ids, vocab, indptr, post_rows, post_tf, doc_len, free, total_len = marshal.loads(data)
        except (EOFError, ValueError, TypeError) as exc:
            raise ValueError(f"not a BM25 snapshot: {exc}") from exc
        if fmt != cls._SNAPSHOT_FORMAT or len(doc_len) != 4 * len(ids) or len(indptr) != 8 * (len(vocab) + 1) \
                or 2 * len(post_rows) != 4 * len(post_tf):
            raise ValueError("BM25 snapshot of another format or inconsistent")
        index = cls(k1=k1, b=b)
        index._ids = list(ids)
        n = len(ids)
        index._grow(max(64, n))
        index._doc_len[:n] = np.frombuffer(doc_len, dtype=np.float32)
        index._vocab = {t: i for i, t in enumerate(vocab)}
        index._indptr = np.frombuffer(indptr, dtype=np.int64)
        index._post_rows = np.frombuffer(post_rows, dtype=np.int32)
        index._post_tf = np.frombuffer(post_tf, dtype=np.uint16)
        if index._indptr[-1] != len(index._post_rows):
            raise ValueError("BM25 snapshot postings do not match their offsets")
        counts = np.diff(index._indptr)
        index._df = dict(zip(vocab, counts.tolist(), strict=False))
        index._free = list(free)
        index._total_len = total_len
        index._row_of = {doc_id: row for row, doc_id in enumerate(ids) if doc_id is not None}
        index._in_base[:n] = [d is not None for d in ids]
        return index

    def _base_terms(self, row: int) -> list[str]:
        """The terms of a row whose postings are in the base.

        Only a removal needs this: the per-row term lists are derived from the postings on
        the first removal after a merge or a load (about a second at 100k skills), not kept
        in snapshots nor built at start-up.
        """
        if self._doc_ptr is None:
            order = np.argsort(self._post_rows, kind="stable")
            tid_of = np.repeat(np.arange(len(self._vocab), dtype=np.int32), np.diff(self._indptr))
            self._doc_tids = tid_of[order]
            counts = np.bincount(self._post_rows, minlength=len(self._ids))
            self._doc_ptr = np.concatenate([[0], np.cumsum(counts)])
            self._terms = list(self._vocab)
        assert self._doc_tids is not None and self._terms is not None
        if row + 1 >= len(self._doc_ptr):
            return []
        tids = self._doc_tids[self._doc_ptr[row]:self._doc_ptr[row + 1]]
        return [self._terms[t] for t in tids.tolist()]

    def remove(self, doc_id: str) -> bool:
        """Drop a document; False if it was not indexed."""
        row = self._row_of.pop(doc_id, None)
        if row is None:
            return False
        if self._in_base[row]:
            terms: Iterable[str] = self._base_terms(row)
            self._dead_in_base += 1
        else:
            terms = self._delta_terms.pop(row, ())
            for term in terms:
                posting = self._postings[term]
                del posting[row]
                if not posting:
                    del self._postings[term]
            self._delta_size -= len(terms)
        for term in terms:
            left = self._df[term] - 1
            if left:
                self._df[term] = left
            else:
                del self._df[term]
        self._total_len -= int(self._doc_len[row])
        self._doc_len[row] = 0.0
        self._ids[row] = None
        if not self._in_base[row]:
            self._free.append(row)  # a base row is reused only once a merge dropped its postings
        self.generation += 1
        if self._dead_in_base > max(1000, len(self._row_of) // 4):
            self._merge()
        return True

    def idf(self, term: str) -> float:
        """Lucene's non-negative BM25 IDF; an unseen term gets the df=0 value."""
        n = len(self._row_of)
        df = self._df.get(term, 0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def score_rows(self, query_tokens: Iterable[str]) -> np.ndarray:
        """BM25 of every row for these query tokens (unique terms; 0 = no match)."""
        scores = np.zeros(len(self._ids), dtype=np.float32)
        n = len(self._row_of)
        if n == 0:
            return scores
        avgdl = max(self._total_len / n, 1e-9)
        k1, b = self.k1, self.b
        dead = self._dead_in_base > 0
        for term in dict.fromkeys(query_tokens):
            df = self._df.get(term)
            if not df:
                continue
            idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            weight = np.float32(idf * (k1 + 1.0))
            for rows, tfs in self._term_postings(term):
                if dead:  # a removed row keeps its base postings until the next merge
                    alive = self._doc_len[rows] > 0
                    rows, tfs = rows[alive], tfs[alive]
                norm = k1 * (1.0 - b + b * self._doc_len[rows] / avgdl)
                scores[rows] += weight * tfs / (tfs + norm)
        return scores

    def _term_postings(self, term: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """(rows, tf as float32) of a term: its base slice and its dict postings."""
        out = []
        tid = self._vocab.get(term)
        if tid is not None:
            a, b = self._indptr[tid], self._indptr[tid + 1]
            out.append((self._post_rows[a:b], self._post_tf[a:b].astype(np.float32)))
        extra = self._postings.get(term)
        if extra:
            out.append((np.fromiter(extra.keys(), dtype=np.int64, count=len(extra)),
                        np.fromiter(extra.values(), dtype=np.float32, count=len(extra))))
        return out

    def coverage_norm(self, query: str | Sequence[str]) -> float:
        """Score a document would get for containing each query word once at average length.

        Dividing BM25 by this gives how much of the query a document covers,
        comparable across queries (unseen words count, so a query about
        something the store lacks scores low). `query` is the text, or its
        `tokenize(query, compounds=False)` when the caller already has it.
        """
        words = tokenize(query, compounds=False) if isinstance(query, str) else query
        return sum(self.idf(t) for t in dict.fromkeys(words))

    def search(
        self,
        query: str,
        top_k: int = 10,
        *,
        accept: Callable[[str], bool] | None = None,
    ) -> list[tuple[str, float]]:
        """The best `top_k` (doc_id, bm25) pairs with a positive score."""
        scores = self.score_rows(tokenize(query))
        ids = self._ids
        keep = None if accept is None else (lambda r: accept(ids[r]))  # type: ignore[arg-type]
        rows = top_rows(scores, top_k, accept=keep, floor=0.0)
        return [(ids[r], float(scores[r])) for r in rows]

    def doc_id(self, row: int) -> str | None:
        """The doc id stored in a row (None for a free row)."""
        return self._ids[row]

    def row(self, doc_id: str) -> int | None:
        """The row of a doc id, if indexed."""
        return self._row_of.get(doc_id)

    def doc_ids(self) -> list[str]:
        """All indexed doc ids."""
        return list(self._row_of)
