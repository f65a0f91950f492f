"""Exact vector search: a growable float32 matrix and one matrix-vector product.

Up to ~100k skills brute force is a few milliseconds (research §2: 5.8 ms at
100k x 384), exact, and needs no index build, so adds, replacements and
removals are O(d). Rows are reused after removal; capacity doubles.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .selection import top_rows

__all__ = ["VectorIndex"]

# Below this many rows a single-threaded product beats waking BLAS threads.
_BLAS_MIN_ROWS = 32768


class VectorIndex:
    """Cosine search over L2-normalised float32 vectors keyed by doc id. Not thread-safe."""

    def __init__(self, dims: int, *, capacity: int = 256) -> None:
        if dims <= 0:
            raise ValueError(f"dims must be positive, got {dims}")
        self.dims = dims
        self._matrix = np.zeros((max(capacity, 1), dims), dtype=np.float32)
        self._live = np.zeros(max(capacity, 1), dtype=bool)
        self._ids: list[str | None] = []
        self._row_of: dict[str, int] = {}
        self._free: list[int] = []
        #: bumped whenever a doc id gains or loses a row, so row masks built from ids can be reused until then
        self.generation = 0

    @classmethod
    def from_matrix(cls, ids: list[str], matrix: np.ndarray) -> "VectorIndex":
        """An index over rows that are already unit length (a saved snapshot), adopted as is."""
        mat = np.ascontiguousarray(matrix, dtype=np.float32)
        if mat.ndim != 2 or mat.shape[0] != len(ids) or len(set(ids)) != len(ids):
            raise ValueError("a vector matrix needs one row per distinct id")
        index = cls(mat.shape[1], capacity=1)
        index._matrix = mat if mat.flags.writeable else mat.copy()
        index._live = np.ones(len(ids), dtype=bool)
        index._ids = list(ids)
        index._row_of = {doc_id: row for row, doc_id in enumerate(ids)}
        return index

    def export(self) -> tuple[list[str], np.ndarray]:
        """(ids, matrix) of the live rows: a copy, safe to write out while the index changes."""
        rows = [r for r, d in enumerate(self._ids) if d is not None]
        return [self._ids[r] for r in rows], self._matrix[rows]  # type: ignore[misc]

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row_of

    @property
    def capacity(self) -> int:
        """Rows in use or free (the length of `score_rows`)."""
        return len(self._ids)

    def add(self, doc_id: str, vector: np.ndarray) -> None:
        """Store or replace the vector of `doc_id` (normalised here if it is not)."""
        vec = np.asarray(vector, dtype=np.float32).reshape(-1)
        if vec.shape[0] != self.dims:
            raise ValueError(f"vector for {doc_id!r} has {vec.shape[0]} dims, index has {self.dims}")
        norm = float(np.linalg.norm(vec))
        if norm > 0 and abs(norm - 1.0) > 1e-3:
            vec = vec / norm
        row = self._row_of.get(doc_id)
        if row is None:
            row = self._free.pop() if self._free else self._append_row()
            self._ids[row] = doc_id
            self._row_of[doc_id] = row
            self.generation += 1
        self._matrix[row] = vec
        self._live[row] = True

    def add_many(self, doc_ids: list[str], vectors: np.ndarray) -> None:
        """Store or replace many vectors at once (one normalisation, one matrix write)."""
        mat = np.asarray(vectors, dtype=np.float32).reshape(len(doc_ids), -1)
        if mat.shape[1] != self.dims:
            raise ValueError(f"vectors have {mat.shape[1]} dims, index has {self.dims}")
        norms = np.sqrt(np.einsum("ij,ij->i", mat, mat))[:, None]
        off = (norms > 0) & (np.abs(norms - 1.0) > 1e-3)
        if off.any():  # cached vectors are already unit length: usually nothing to do
            mat = np.where(off, mat / np.maximum(norms, 1e-12), mat)
        rows = np.empty(len(doc_ids), dtype=np.int64)
        for i, doc_id in enumerate(doc_ids):
            row = self._row_of.get(doc_id)
            if row is None:
                row = self._free.pop() if self._free else self._append_row()
                self._ids[row] = doc_id
                self._row_of[doc_id] = row
                self.generation += 1
            rows[i] = row
        self._matrix[rows] = mat
        self._live[rows] = True

    def _append_row(self) -> int:
        row = len(self._ids)
        self._ids.append(None)
        if row >= self._matrix.shape[0]:
            cap = self._matrix.shape[0] * 2
            grown = np.zeros((cap, self.dims), dtype=np.float32)
            grown[:row] = self._matrix[:row]
            live = np.zeros(cap, dtype=bool)
            live[:row] = self._live[:row]
            self._matrix, self._live = grown, live
        return row

    def remove(self, doc_id: str) -> bool:
        """Drop a vector; False if absent."""
        row = self._row_of.pop(doc_id, None)
        if row is None:
            return False
        self._matrix[row] = 0.0
        self._live[row] = False
        self._ids[row] = None
        self._free.append(row)
        self.generation += 1
        return True

    def get(self, doc_id: str) -> np.ndarray | None:
        """A copy of the stored vector."""
        row = self._row_of.get(doc_id)
        return None if row is None else self._matrix[row].copy()

    def score_rows(self, query: np.ndarray) -> np.ndarray:
        """Cosine of every row with `query` (free rows get -inf)."""
        n = len(self._ids)
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        if n < _BLAS_MIN_ROWS:
            # einsum's own loop: no BLAS worker threads to wake, which on a busy
            # 2-core box costs milliseconds per call (p95 4-12 ms vs 0.4 ms).
            scores = np.einsum("ij,j->i", self._matrix[:n], q)
        else:
            scores = self._matrix[:n] @ q
        if len(self._free):
            scores[~self._live[:n]] = -np.inf
        return scores

    def search(
        self,
        query: np.ndarray,
        top_k: int = 10,
        *,
        accept: Callable[[str], bool] | None = None,
    ) -> list[tuple[str, float]]:
        """The `top_k` (doc_id, cosine) pairs, best first."""
        scores = self.score_rows(query)
        ids = self._ids
        keep = None if accept is None else (lambda r: accept(ids[r]))  # type: ignore[arg-type]
        rows = top_rows(scores, top_k, accept=keep)
        return [(ids[r], float(scores[r])) for r in rows]  # type: ignore[misc]

    def doc_id(self, row: int) -> str | None:
        """The doc id stored in a row (None for a free row)."""
        return self._ids[row]

    def row(self, doc_id: str) -> int | None:
        """The row of a doc id, if stored."""
        return self._row_of.get(doc_id)
