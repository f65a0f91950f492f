"""int8 rows and the coarse partition: round trips, and the approximate stage finds the exact top hits."""

from __future__ import annotations

import numpy as np
import pytest

from autoskill_mcp.retrieval import VectorIndex, coarse
from autoskill_mcp.retrieval.quantize import dequantize, quantize


def _unit(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    m = rng.normal(size=(n, d)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_int8_rows_decode_to_unit_vectors_close_to_the_original() -> None:
    m = _unit(np.random.default_rng(0), 200, 384)
    m[3] = 0.0  # a zero row stays zero
    codes, scales = quantize(m)
    assert codes.dtype == np.int8 and scales.dtype == np.float32 and codes.shape == m.shape
    back = dequantize(codes, scales)
    live = np.arange(200) != 3
    assert np.allclose(np.linalg.norm(back[live], axis=1), 1.0, atol=1e-5)
    assert np.einsum("ij,ij->i", back[live], m[live]).min() > 0.9995
    assert not back[3].any() and scales[3] == 0.0


def _clustered(rng: np.random.Generator, n: int, d: int, groups: int) -> np.ndarray:
    """Rows around a few directions, as skill vectors are (topics), not uniform noise."""
    centres = _unit(rng, groups, d)
    rows = centres[rng.integers(0, groups, n)] + 0.35 * rng.normal(size=(n, d)).astype(np.float32) / np.sqrt(d)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_approximate_stage_returns_the_exact_top_hits_above_a_lowered_threshold(monkeypatch) -> None:
    monkeypatch.setattr(coarse, "APPROX_MIN_ROWS", 1000)
    monkeypatch.setattr(coarse, "PROBE_SHARE", 0.25)
    rng = np.random.default_rng(1)
    m = _clustered(rng, 3000, 64, 40)
    ids = [f"d{i}" for i in range(len(m))]
    index = VectorIndex.from_matrix(ids, m)
    assert not index.partitioned  # nothing is built until asked (a snapshot save)
    assert index.build_partition()
    assert index.partitioned and not index.build_partition()  # built once, until the index doubles
    for q in m[rng.choice(len(m), 30, replace=False)] + 0.05 * rng.normal(size=(30, 64)).astype(np.float32):
        exact = index.search(q, 10)
        approx = index.search(q, 10, approximate=True)
        assert [d for d, _ in approx] == [d for d, _ in exact]
        assert len(index.candidates(q)) < len(m) // 2  # it really scored only part of the rows
    # rows added later join their nearest list, so they are found without a rebuild
    index.add("new", m[5])
    assert index.search(m[5], 2, approximate=True)[0][1] == pytest.approx(1.0, abs=1e-3)
    assert "new" in {d for d, _ in index.search(m[5], 2, approximate=True)}
    index.remove("new")
    assert "new" not in {d for d, _ in index.search(m[5], 5, approximate=True)}


def test_partition_survives_export_and_restore(monkeypatch) -> None:
    monkeypatch.setattr(coarse, "APPROX_MIN_ROWS", 500)
    rng = np.random.default_rng(2)
    m = _clustered(rng, 800, 32, 10)
    index = VectorIndex.from_matrix([f"d{i}" for i in range(800)], m)
    index.build_partition()
    index.remove("d7")
    ids, codes, scales, centroids, lists = index.export()
    assert len(ids) == 799 and centroids is not None and lists is not None
    again = VectorIndex.from_codes(ids, codes, scales, centroids, lists)
    assert again.partitioned
    q = m[11]
    assert again.search(q, 10, approximate=True) == index.search(q, 10, approximate=True)
    # a partition that does not fit the rows is dropped: the index is then scanned exactly
    broken = VectorIndex.from_codes(ids, codes, scales, centroids, np.full(len(ids), 99, dtype=np.int32))
    assert not broken.partitioned and broken.search(q, 10) == index.search(q, 10)
