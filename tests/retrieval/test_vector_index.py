"""VectorIndex: add/replace/remove keep it equal to brute force over the live set."""

from __future__ import annotations

import numpy as np
import pytest

from autoskill_mcp.retrieval import VectorIndex


def _unit(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    m = rng.normal(size=(n, d)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_top_k_equals_brute_force_after_adds_replaces_and_removes():
    rng = np.random.default_rng(0)
    index = VectorIndex(32, capacity=4)  # force several growths
    truth: dict[str, np.ndarray] = {}
    for _step in range(600):
        doc_id = f"d{rng.integers(0, 200)}"
        if rng.random() < 0.25:
            index.remove(doc_id)
            truth.pop(doc_id, None)
        else:
            vec = _unit(rng, 1, 32)[0]
            index.add(doc_id, vec)
            truth[doc_id] = vec
    assert len(index) == len(truth)
    ids = sorted(truth)
    matrix = np.stack([truth[d] for d in ids])
    # rows are kept as int8 (quantize.py): each decodes to a unit vector within ~1e-3 of the original
    stored = np.stack([index.get(d) for d in ids])
    assert np.allclose(np.linalg.norm(stored, axis=1), 1.0, atol=1e-5)
    assert np.einsum("ij,ij->i", stored, matrix).min() > 0.999
    for q in _unit(rng, 20, 32):
        want = [ids[i] for i in np.argsort(-(stored @ q), kind="stable")[:10]]
        got = index.search(q, 10)
        assert [d for d, _ in got] == want  # exact over what is stored
        assert got[0][1] == pytest.approx(float(np.max(stored @ q)), abs=1e-5)
        assert got[0][1] == pytest.approx(float(np.max(matrix @ q)), abs=5e-3)


def test_replace_overwrites_in_place_and_remove_frees_the_row():
    index = VectorIndex(3)
    index.add("a", np.array([1, 0, 0]))
    index.add("a", np.array([0, 1, 0]))
    assert len(index) == 1 and index.capacity == 1
    assert index.search(np.array([0, 1, 0], dtype=np.float32), 1)[0] == ("a", pytest.approx(1.0))
    index.remove("a")
    assert index.search(np.array([0, 1, 0], dtype=np.float32), 5) == []
    index.add("b", np.array([0, 0, 2]))  # normalised on the way in
    assert index.capacity == 1
    assert float(np.linalg.norm(index.get("b"))) == pytest.approx(1.0)


def test_accept_filter_and_wrong_dims():
    rng = np.random.default_rng(1)
    index = VectorIndex(8)
    for i, v in enumerate(_unit(rng, 500, 8)):
        index.add(f"d{i}", v)
    hits = index.search(_unit(rng, 1, 8)[0], 7, accept=lambda d: d.endswith("3"))
    assert len(hits) == 7 and all(d.endswith("3") for d, _ in hits)
    with pytest.raises(ValueError, match="dims"):
        index.add("x", np.ones(9))


def test_candidates_with_ties_do_not_depend_on_row_layout():
    from autoskill_mcp.retrieval.selection import top_rows

    rng = np.random.default_rng(3)
    scores = np.array([5.0, 3.0, 3.0, 3.0, 3.0, 1.0, 0.5], dtype=np.float32)
    for _ in range(20):
        perm = rng.permutation(len(scores))
        shuffled = scores[perm]
        rows = top_rows(shuffled, 2, with_ties=True)
        assert sorted(float(shuffled[r]) for r in rows) == [3.0, 3.0, 3.0, 3.0, 5.0]
        assert len(top_rows(shuffled, 2)) == 2
        picked = top_rows(shuffled, 2, accept=lambda r: True, with_ties=True)
        assert sorted(perm[picked].tolist()) == [0, 1, 2, 3, 4]
