"""Fusion: contributions add up, scores compare across queries, never much worse than the better method."""

from __future__ import annotations

import numpy as np
import pytest

from autoskill_mcp.retrieval import fuse
from autoskill_mcp.retrieval.evaluation import ndcg_at_k


def test_parts_add_up_to_the_score_and_report_raw_and_normalised_values():
    fused = fuse({"a": 6.0, "b": 3.0, "c": 0.0}, {"a": 0.5, "b": 0.7, "c": 0.1}, alpha=0.7, keyword_norm=6.0)
    for f in fused:
        assert f.keyword_part + f.vector_part == pytest.approx(f.score)
        assert 0.0 <= f.keyword <= 1.0 and 0.0 <= f.vector <= 1.0
    by_id = {f.doc_id: f for f in fused}
    assert by_id["a"].keyword == 1.0 and by_id["c"].keyword == 0.0
    assert by_id["b"].vector == 1.0 and by_id["b"].vector_raw == 0.7 and by_id["a"].keyword_raw == 6.0


def test_scores_never_increase_down_the_ranking():
    rng = np.random.default_rng(3)
    for _ in range(50):
        ids = [f"d{i}" for i in range(30)]
        fused = fuse(
            {d: float(rng.exponential()) for d in ids},
            {d: float(rng.uniform(-0.1, 0.9)) for d in ids},
            keyword_norm=3.0,
        )
        scores = [f.score for f in fused]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= s <= 1.0 for s in scores)


def test_a_query_that_matches_nothing_well_does_not_score_one():
    # Min-max alone would give the best of these weak candidates 1.0 on both sides.
    weak = fuse({"a": 0.4, "b": 0.2}, {"a": 0.22, "b": 0.18}, keyword_norm=12.0, calibration=(0.2, 0.65))
    strong = fuse({"a": 11.0, "b": 2.0}, {"a": 0.72, "b": 0.3}, keyword_norm=12.0, calibration=(0.2, 0.65))
    assert weak[0].keyword == 1.0 and weak[0].vector == 1.0
    assert weak[0].score < 0.1
    assert strong[0].score > 0.8


def test_single_method_scores_are_its_absolute_strength():
    kw_only = fuse({"a": 5.0, "b": 2.5}, None, keyword_norm=10.0)
    assert [f.score for f in kw_only] == pytest.approx([0.5, 0.25])
    assert all(f.vector is None and f.vector_part == 0.0 for f in kw_only)
    vec_only = fuse(None, {"a": 0.65, "b": 0.2}, calibration=(0.2, 0.65))
    assert [f.score for f in vec_only] == pytest.approx([1.0, 0.0], abs=1e-6)


def _synthetic(rng: np.random.Generator, n_docs: int, n_queries: int, kw_signal: float, vec_signal: float):
    """Queries with one relevant doc; each method scores it `signal` above noise."""
    sets = []
    for _ in range(n_queries):
        rel = int(rng.integers(n_docs))
        kw = rng.exponential(1.0, n_docs)
        kw[rng.random(n_docs) < 0.6] = 0.0  # most docs share no query word
        kw[rel] += kw_signal * rng.random() * 3
        vec = rng.normal(0.15, 0.08, n_docs)
        vec[rel] += vec_signal * rng.random() * 0.4
        sets.append((rel, kw, vec))
    return sets


@pytest.mark.parametrize(
    "kw_signal, vec_signal, margin",
    [(1.0, 1.0, 0.01), (0.4, 1.0, 0.01), (1.0, 0.6, 0.01), (0.7, 0.7, 0.01), (0.2, 1.0, 0.04)],
    ids=["both-strong", "weak-keywords", "weaker-vectors", "both-medium", "keywords-pure-noise"],
)
def test_fused_ranking_is_never_much_worse_than_the_better_method(kw_signal, vec_signal, margin):
    """Within 1 nDCG point while both methods carry signal (MetaTool-like: BM25 weak,
    dense strong); a fixed-weight mix cannot ignore a side that is pure noise, so
    there the loss is only bounded (about 3 points here)."""
    rng = np.random.default_rng(7)
    data = _synthetic(rng, 60, 300, kw_signal, vec_signal)
    totals = {"kw": 0.0, "vec": 0.0, "fused": 0.0}
    for rel, kw, vec in data:
        ids = [f"d{i}" for i in range(len(kw))]
        relmap = {f"d{rel}": 1.0}
        totals["kw"] += ndcg_at_k([ids[i] for i in np.argsort(-kw, kind="stable")], relmap)
        totals["vec"] += ndcg_at_k([ids[i] for i in np.argsort(-vec, kind="stable")], relmap)
        fused = fuse(
            {d: float(s) for d, s in zip(ids, kw, strict=True)},
            {d: float(s) for d, s in zip(ids, vec, strict=True)},
            keyword_norm=3.0,
        )
        totals["fused"] += ndcg_at_k([f.doc_id for f in fused], relmap)
    best = max(totals["kw"], totals["vec"])
    assert totals["fused"] >= best - margin * len(data), totals


def test_complementary_methods_fuse_better_than_either():
    # Half the queries only keywords can answer, half only vectors.
    rng = np.random.default_rng(11)
    n, wins = 40, {"kw": 0.0, "vec": 0.0, "fused": 0.0}
    for q in range(200):
        rel = q % n
        kw = rng.exponential(0.5, n)
        vec = rng.normal(0.2, 0.05, n)
        if q % 2:
            kw[rel] = 6.0
        else:
            vec[rel] = 0.7
        ids = [f"d{i}" for i in range(n)]
        relmap = {ids[rel]: 1.0}
        wins["kw"] += ndcg_at_k([ids[i] for i in np.argsort(-kw)], relmap)
        wins["vec"] += ndcg_at_k([ids[i] for i in np.argsort(-vec)], relmap)
        fused = fuse(
            dict(zip(ids, kw.tolist(), strict=True)), dict(zip(ids, vec.tolist(), strict=True)), keyword_norm=6.0
        )
        wins["fused"] += ndcg_at_k([f.doc_id for f in fused], relmap)
    assert wins["fused"] > max(wins["kw"], wins["vec"]) + 20


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="fusion method"):
        fuse({"a": 1.0}, {"a": 0.5}, method="magic")
