"""An incremental BM25 index: dict postings, numpy scoring.

bm25s and friends build a frozen sparse matrix, so every skill edit would mean
a full re-index. Here postings are `term -> {row: tf}` and IDF / avgdl are
computed at query time, so adding or removing one document costs O(its length)
(tens of microseconds) and the result always equals a fresh rebuild.
"""

from __future__ import annotations

import marshal
import math
from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np

from .selection import top_rows
from .tokenizer import tokenize

__all__ = ["BM25Index"]


class BM25Index:
    """Okapi BM25 (Lucene IDF, k1=1.2, b=0.75) over string doc ids. Not thread-safe."""

    def __init__(self, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._postings: dict[str, dict[int, int]] = {}
        # Per-term numpy views of the postings, rebuilt lazily after a change.
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._doc_terms: list[tuple[str, ...] | None] = []
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
        postings = self._postings
        arrays = self._arrays
        for doc_id, tokens in items:
            if doc_id in self._row_of:
                self.remove(doc_id)
            counts = Counter(tokens)
            if self._free:
                row = self._free.pop()
            else:
                row = len(self._ids)
                self._ids.append(None)
                self._doc_terms.append(None)
                if row >= self._doc_len.shape[0]:
                    grown = np.zeros(self._doc_len.shape[0] * 2, dtype=np.float32)
                    grown[: self._doc_len.shape[0]] = self._doc_len
                    self._doc_len = grown
            self._ids[row] = doc_id
            self._row_of[doc_id] = row
            self.generation += 1
            self._doc_terms[row] = tuple(counts)
            length = sum(counts.values())
            self._doc_len[row] = length
            self._total_len += length
            for term, tf in counts.items():
                posting = postings.get(term)
                if posting is None:
                    postings[term] = {row: tf}
                else:
                    posting[row] = tf
                    arrays.pop(term, None)  # its numpy view is stale now

    _SNAPSHOT_FORMAT = 1

    def to_bytes(self) -> bytes:
        """The whole index as bytes (marshal: plain data only, nothing runs on load)."""
        return marshal.dumps((
            self._SNAPSHOT_FORMAT, self.k1, self.b, self._ids, self._doc_terms,
            self._doc_len[: len(self._ids)].tobytes(), self._postings, self._free, self._total_len,
        ))

    @classmethod
    def from_bytes(cls, data: bytes) -> "BM25Index":
        """Rebuild an index saved by `to_bytes`; ValueError if the data is not one."""
        try:
            fmt, k1, b, ids, doc_terms, doc_len, postings, free, total_len = marshal.loads(data)
        except (EOFError, ValueError, TypeError) as exc:
            raise ValueError(f"not a BM25 snapshot: {exc}") from exc
        if fmt != cls._SNAPSHOT_FORMAT or len(ids) != len(doc_terms) or len(doc_len) != 4 * len(ids):
            raise ValueError("BM25 snapshot of another format or inconsistent")
        index = cls(k1=k1, b=b)
        index._ids = list(ids)
        index._doc_terms = list(doc_terms)
        index._doc_len = np.zeros(max(64, len(ids)), dtype=np.float32)
        index._doc_len[: len(ids)] = np.frombuffer(doc_len, dtype=np.float32)
        index._postings = postings
        index._free = list(free)
        index._total_len = total_len
        index._row_of = {doc_id: row for row, doc_id in enumerate(ids) if doc_id is not None}
        return index

    def remove(self, doc_id: str) -> bool:
        """Drop a document; False if it was not indexed."""
        row = self._row_of.pop(doc_id, None)
        if row is None:
            return False
        for term in self._doc_terms[row] or ():
            posting = self._postings[term]
            del posting[row]
            if not posting:
                del self._postings[term]
            self._arrays.pop(term, None)
        self._total_len -= int(self._doc_len[row])
        self._doc_len[row] = 0.0
        self._doc_terms[row] = None
        self._ids[row] = None
        self._free.append(row)
        self.generation += 1
        return True

    def idf(self, term: str) -> float:
        """Lucene's non-negative BM25 IDF; an unseen term gets the df=0 value."""
        n = len(self._row_of)
        df = len(self._postings.get(term, ()))
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def score_rows(self, query_tokens: Iterable[str]) -> np.ndarray:
        """BM25 of every row for these query tokens (unique terms; 0 = no match)."""
        scores = np.zeros(len(self._ids), dtype=np.float32)
        n = len(self._row_of)
        if n == 0:
            return scores
        avgdl = max(self._total_len / n, 1e-9)
        k1, b = self.k1, self.b
        for term in dict.fromkeys(query_tokens):
            posting = self._postings.get(term)
            if not posting:
                continue
            arr = self._arrays.get(term)
            if arr is None:
                rows = np.fromiter(posting.keys(), dtype=np.int64, count=len(posting))
                tfs = np.fromiter(posting.values(), dtype=np.float32, count=len(posting))
                arr = self._arrays[term] = (rows, tfs)
            rows, tfs = arr
            idf = math.log(1.0 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
            norm = k1 * (1.0 - b + b * self._doc_len[rows] / avgdl)
            scores[rows] += np.float32(idf * (k1 + 1.0)) * tfs / (tfs + norm)
        return scores

    def coverage_norm(self, query: str) -> float:
        """Score a document would get for containing each query word once at average length.

        Dividing BM25 by this gives how much of the query a document covers,
        comparable across queries (unseen words count, so a query about
        something the store lacks scores low).
        """
        return sum(self.idf(t) for t in dict.fromkeys(tokenize(query, compounds=False)))

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
        return [(ids[r], float(scores[r])) for r in rows]  # type: ignore[misc]

    def doc_id(self, row: int) -> str | None:
        """The doc id stored in a row (None for a free row)."""
        return self._ids[row]

    def row(self, doc_id: str) -> int | None:
        """The row of a doc id, if indexed."""
        return self._row_of.get(doc_id)

    def doc_ids(self) -> list[str]:
        """All indexed doc ids."""
        return list(self._row_of)
