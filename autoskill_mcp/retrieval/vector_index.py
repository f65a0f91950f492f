"""Vector search: a growable int8 matrix (see quantize.py), exact scan or coarse lists.

Up to APPROX_MIN_ROWS vectors one product over every row is a few milliseconds,
exact, and needs no build, so adds, replacements and removals are O(d). Above
it, once a coarse partition is built (coarse.py; on saving a snapshot), a query
scores only the rows of its nearest lists; new rows join their nearest list as
they are added, so the partition never misses a row. Rows are reused after
removal; capacity doubles.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import coarse
from .quantize import dequantize, quantize, scores
from .selection import top_rows

__all__ = ["VectorIndex"]


class VectorIndex:
    """Cosine search over unit vectors stored as int8 codes, keyed by doc id. Not thread-safe."""

    def __init__(self, dims: int, *, capacity: int = 256) -> None:
        if dims <= 0:
            raise ValueError(f"dims must be positive, got {dims}")
        self.dims = dims
        cap = max(capacity, 1)
        self._codes = np.zeros((cap, dims), dtype=np.int8)
        self._scales = np.zeros(cap, dtype=np.float32)
        self._live = np.zeros(cap, dtype=bool)
        self._lists = np.full(cap, -1, dtype=np.int32)  # coarse list of each row (-1: free / none)
        self._centroids: np.ndarray | None = None
        self._built_n = 0  # vectors when the partition was built
        self._order: np.ndarray | None = None  # rows sorted by list, with _starts: each list's slice of it
        self._starts: np.ndarray | None = None
        self._ids: list[str | None] = []
        self._row_of: dict[str, int] = {}
        self._free: list[int] = []
        #: bumped whenever a doc id gains or loses a row, so row masks built from ids can be reused until then
        self.generation = 0

    @classmethod
    def from_matrix(cls, ids: list[str], matrix: np.ndarray) -> VectorIndex:
        """An index over float rows that are already unit length (an old float32 snapshot), quantized."""
        mat = np.asarray(matrix, dtype=np.float32)
        if mat.ndim != 2 or mat.shape[0] != len(ids):
            raise ValueError("a vector matrix needs one row per distinct id")
        codes, scales = quantize(mat)
        return cls.from_codes(ids, codes, scales)

    @classmethod
    def from_codes(cls, ids: list[str], codes: np.ndarray, scales: np.ndarray,
                   centroids: np.ndarray | None = None, lists: np.ndarray | None = None) -> VectorIndex:
        """An index over saved int8 rows (and their coarse partition, if one was saved), adopted as is."""
        if codes.ndim != 2 or codes.shape[0] != len(ids) or scales.shape != (len(ids),) or len(set(ids)) != len(ids):
            raise ValueError("a vector matrix needs one row per distinct id")
        index = cls(codes.shape[1], capacity=1)
        index._codes = codes if codes.flags.writeable else codes.copy()
        index._scales = np.array(scales, dtype=np.float32)
        index._live = np.ones(len(ids), dtype=bool)
        index._lists = np.full(len(ids), -1, dtype=np.int32)
        if centroids is not None and lists is not None and centroids.shape[1:] == (codes.shape[1],) \
                and lists.shape == (len(ids),) and (len(ids) == 0 or 0 <= int(lists.min()) <= int(lists.max())
                                                    < centroids.shape[0]):
            index._centroids = np.array(centroids, dtype=np.float32)
            index._lists = np.array(lists, dtype=np.int32)
            index._built_n = len(ids)
        index._ids = list(ids)
        index._row_of = {doc_id: row for row, doc_id in enumerate(ids)}
        return index

    def export(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
        """(ids, codes, scales, centroids, lists) of the live rows: copies, safe to write out meanwhile."""
        rows = np.array([r for r, d in enumerate(self._ids) if d is not None], dtype=np.int64)
        ids = [self._ids[r] for r in rows]
        partitioned = self._centroids is not None
        return (ids, self._codes[rows], self._scales[rows],
                self._centroids.copy() if partitioned else None,  # type: ignore[union-attr]
                self._lists[rows] if partitioned else None)

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row_of

    @property
    def capacity(self) -> int:
        """Rows in use or free (the length of `score_rows`)."""
        return len(self._ids)

    @property
    def partitioned(self) -> bool:
        """True when searches of this size score only the probed lists (see `candidates`)."""
        return self._centroids is not None and len(self) >= coarse.APPROX_MIN_ROWS

    def add(self, doc_id: str, vector: np.ndarray) -> None:
        """Store or replace the vector of `doc_id` (normalised here if it is not)."""
        vec = np.asarray(vector, dtype=np.float32).reshape(-1)
        if vec.shape[0] != self.dims:
            raise ValueError(f"vector for {doc_id!r} has {vec.shape[0]} dims, index has {self.dims}")
        self.add_many([doc_id], vec.reshape(1, -1))

    def add_many(self, doc_ids: list[str], vectors: np.ndarray) -> None:
        """Store or replace many vectors at once (one quantization, one matrix write)."""
        mat = np.asarray(vectors, dtype=np.float32).reshape(len(doc_ids), -1)
        if mat.shape[1] != self.dims:
            raise ValueError(f"vectors have {mat.shape[1]} dims, index has {self.dims}")
        rows = np.empty(len(doc_ids), dtype=np.int64)
        for i, doc_id in enumerate(doc_ids):
            row = self._row_of.get(doc_id)
            if row is None:
                row = self._free.pop() if self._free else self._append_row()
                self._ids[row] = doc_id
                self._row_of[doc_id] = row
                self.generation += 1
            rows[i] = row
        codes, scales = quantize(mat)  # scale 1/||codes||: every stored row is unit length, however it came
        self._codes[rows] = codes
        self._scales[rows] = scales
        self._live[rows] = True
        if self._centroids is not None:
            self._lists[rows] = coarse.assign(mat, self._centroids)
            self._order = None

    def _append_row(self) -> int:
        row = len(self._ids)
        self._ids.append(None)
        if row >= self._codes.shape[0]:
            cap = self._codes.shape[0] * 2
            self._codes = _grown(self._codes, cap, 0)
            self._scales = _grown(self._scales, cap, 0)
            self._live = _grown(self._live, cap, False)
            self._lists = _grown(self._lists, cap, -1)
        return row

    def remove(self, doc_id: str) -> bool:
        """Drop a vector; False if absent."""
        row = self._row_of.pop(doc_id, None)
        if row is None:
            return False
        self._codes[row] = 0
        self._scales[row] = 0.0
        self._live[row] = False
        self._lists[row] = -1
        self._order = None
        self._ids[row] = None
        self._free.append(row)
        self.generation += 1
        return True

    def get(self, doc_id: str) -> np.ndarray | None:
        """The stored vector, decoded to float32."""
        row = self._row_of.get(doc_id)
        return None if row is None else dequantize(self._codes[row:row + 1], self._scales[row:row + 1])[0]

    # -------------------------------------------------------------- partition
    def build_partition(self, *, force: bool = False) -> bool:
        """Group rows into coarse lists when the index is large enough; True if (re)built.

        Costs about a second at 100k, so it runs when vectors are saved, not in a search;
        rebuilt once the index has doubled since (new rows join lists as they come).
        """
        n = len(self)
        if not force and (n < coarse.APPROX_MIN_ROWS or (self._centroids is not None and n < 2 * self._built_n)):
            return False
        if n == 0:
            return False
        cap = len(self._ids)
        live = np.flatnonzero(self._live[:cap])
        sample = coarse.sample_rows(live)
        self._centroids = coarse.train_centroids(_decoded_rows(self._codes, self._scales, sample),
                                                 coarse.list_count(n))
        lists = np.full(self._codes.shape[0], -1, dtype=np.int32)
        for start in range(0, len(live), 16384):  # decoded a chunk at a time: never the whole matrix in float32
            part = live[start:start + 16384]
            lists[part] = coarse.assign(_decoded_rows(self._codes, self._scales, part), self._centroids)
        self._lists = lists
        self._order = None
        self._built_n = n
        return True

    def candidates(self, query: np.ndarray) -> np.ndarray | None:
        """Rows in the lists nearest `query` (ascending), or None when this index is scanned exactly."""
        if not self.partitioned:
            return None
        assert self._centroids is not None
        k = self._centroids.shape[0]
        if self._order is None or self._starts is None:  # after a change: one sort, ~5 ms at 100k
            lists = self._lists[:len(self._ids)]
            self._order = np.argsort(lists, kind="stable")
            self._starts = np.searchsorted(lists[self._order], np.arange(k + 1))  # free rows (-1) come first
        near = np.argsort(-(self._centroids @ query), kind="stable")[:coarse.probe_count(k)]
        order, starts = self._order, self._starts
        return np.sort(np.concatenate([order[starts[j]:starts[j + 1]] for j in near.tolist()]))

    # ----------------------------------------------------------------- search
    def score_rows(self, query: np.ndarray) -> np.ndarray:
        """Exact cosine of every row with `query` (free rows get -inf)."""
        n = len(self._ids)
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        out = scores(self._codes[:n], self._scales[:n], q)
        if len(self._free):
            out[~self._live[:n]] = -np.inf
        return out

    def score_at(self, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Exact cosines of some rows with `query` (free rows get -inf)."""
        rows = np.asarray(rows, dtype=np.int64)
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        out = scores(self._codes[rows], self._scales[rows], q)
        out[~self._live[rows]] = -np.inf
        return out

    def best_rows(
        self,
        query: np.ndarray,
        k: int,
        *,
        mask: np.ndarray | None = None,
        accept: Callable[[int], bool] | None = None,
        approximate: bool = False,
        with_ties: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cosines) of the k best rows, best first (see `top_rows` for mask, accept, with_ties).

        `approximate=True` on a partitioned index ranks only the probed lists' rows; their
        cosines are still exact.
        """
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        cand = self.candidates(q) if approximate else None
        if cand is None:
            all_scores = self.score_rows(q)
            rows = top_rows(all_scores, k, mask=mask, accept=accept, with_ties=with_ties)
            return rows, all_scores[rows]
        sub = scores(self._codes[cand], self._scales[cand], q)
        sub_accept = None if accept is None else (lambda i: accept(int(cand[i])))
        picked = top_rows(sub, k, mask=None if mask is None else mask[cand], accept=sub_accept, with_ties=with_ties)
        return cand[picked], sub[picked]

    def search(
        self,
        query: np.ndarray,
        top_k: int = 10,
        *,
        accept: Callable[[str], bool] | None = None,
        approximate: bool = False,
    ) -> list[tuple[str, float]]:
        """The `top_k` (doc_id, cosine) pairs, best first."""
        ids = self._ids
        keep = None if accept is None else (lambda r: accept(ids[r]))  # type: ignore[arg-type]
        rows, cosines = self.best_rows(query, top_k, accept=keep, approximate=approximate)
        return [(ids[r], float(c)) for r, c in zip(rows.tolist(), cosines.tolist(), strict=True)]

    def doc_id(self, row: int) -> str | None:
        """The doc id stored in a row (None for a free row)."""
        return self._ids[row]

    def row(self, doc_id: str) -> int | None:
        """The row of a doc id, if stored."""
        return self._row_of.get(doc_id)


def _grown(arr: np.ndarray, cap: int, fill: object) -> np.ndarray:
    grown = np.full((cap, *arr.shape[1:]), fill, dtype=arr.dtype)
    grown[:arr.shape[0]] = arr
    return grown


def _decoded_rows(codes: np.ndarray, scales: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """float32 copies of some rows."""
    return dequantize(codes[rows], scales[rows])
