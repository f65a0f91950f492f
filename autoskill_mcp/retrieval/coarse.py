"""A coarse partition of vectors (IVF): search a few lists instead of every row.

An exact scan reads every vector for every query: at 100k x 384 about 15 ms
here in float32, and more in int8 (the cast costs more than the bandwidth it
saves; see quantize.py). From a size threshold the vector index
groups rows by their nearest of ~sqrt(n) centroids (spherical k-means on a
sample, built once when vectors are saved and kept in the snapshot) and scores
only the rows of the lists nearest the query; those candidates are then scored
exactly. The bench prints the recall@10 of this stage against the exact scan.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["train_centroids", "sample_rows", "assign", "list_count", "probe_count", "APPROX_MIN_ROWS", "PROBE_SHARE"]

#: below this many vectors the exact scan is a few milliseconds (~4 ms at 20k): no partition is built or used
APPROX_MIN_ROWS = 20_000
#: share of the lists probed per query (at least MIN_PROBES); recall@10 vs exact is printed by the bench
PROBE_SHARE = 0.12
MIN_PROBES = 8
#: rows k-means trains on: enough for ~300 lists, a fraction of a second per iteration
SAMPLE = 32_768
_ITERATIONS = 10
_CHUNK = 8192


def list_count(n: int) -> int:
    """Lists for n vectors: ~sqrt(n), so a list and the centroid table are both small."""
    return max(1, int(math.sqrt(max(n, 1))))


def probe_count(lists: int) -> int:
    """How many of `lists` a query probes."""
    return min(lists, max(MIN_PROBES, math.ceil(lists * PROBE_SHARE)))


def sample_rows(rows: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """The rows k-means trains on: all of them up to SAMPLE, else a fixed random SAMPLE (sorted)."""
    if len(rows) <= SAMPLE:
        return rows
    return np.sort(np.random.default_rng(seed).choice(rows, SAMPLE, replace=False))


def train_centroids(sample: np.ndarray, lists: int, *, seed: int = 0) -> np.ndarray:
    """Unit-length centroids (lists, d) by spherical k-means over `sample` rows (deterministic)."""
    rng = np.random.default_rng(seed)
    sample = np.asarray(sample, dtype=np.float32)
    k = min(lists, sample.shape[0])
    centroids = sample[rng.choice(sample.shape[0], k, replace=False)].copy()
    for _ in range(_ITERATIONS):
        owner = assign(sample, centroids)
        sums = _sums_by_owner(sample, owner, k)
        empty = ~sums.any(axis=1)
        if empty.any():  # an emptied list restarts on a random sample row
            sums[empty] = sample[rng.choice(sample.shape[0], int(empty.sum()), replace=False)]
        centroids = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    return centroids.astype(np.float32)


def assign(matrix: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The nearest centroid (by cosine) of each row, as int32; in chunks to bound memory."""
    out = np.empty(matrix.shape[0], dtype=np.int32)
    cent_t = np.ascontiguousarray(centroids.T)
    for start in range(0, matrix.shape[0], _CHUNK):
        block = np.asarray(matrix[start:start + _CHUNK], dtype=np.float32)
        out[start:start + len(block)] = np.argmax(block @ cent_t, axis=1)
    return out


def _sums_by_owner(rows: np.ndarray, owner: np.ndarray, k: int) -> np.ndarray:
    """Per-list sums of rows (sorted once and reduced by segment: np.add.at is far slower)."""
    order = np.argsort(owner, kind="stable")
    sorted_owner = owner[order]
    starts = np.searchsorted(sorted_owner, np.arange(k))
    ends = np.searchsorted(sorted_owner, np.arange(k), side="right")
    sums = np.zeros((k, rows.shape[1]), dtype=np.float32)
    present = ends > starts
    if present.any():
        reduced = np.add.reduceat(rows[order], starts[present], axis=0)
        sums[present] = reduced
    return sums
