"""The eval of retrieval through the stores measures every store (and the team store's HNSW mode) on the
same skills and queries."""

from __future__ import annotations

import json
from pathlib import Path

from eval import store_retrieval
from tests.harness.test_harness import TINY_SET  # the harnesses' tiny set: easy enough that a broken store shows


def test_every_store_answers_the_same_queries_over_the_same_skills(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY_SET))
    report = store_retrieval.evaluate_stores(path, sample=None, embeddings="hashing")
    assert set(report["results"]) == {"local", "postgres", "postgres-hnsw"}
    assert report["docs"] == len(TINY_SET["docs"]) and report["queries"] == len(TINY_SET["queries"])
    assert {m["r@1"] for m in report["results"].values()} == {1.0}
    assert set(report["ndcg_deltas"]) == {"postgres", "postgres-hnsw"}
    assert all(abs(d) <= 0.01 for d in report["ndcg_deltas"].values())
    text = store_retrieval.markdown(report)
    assert "postgres - local nDCG@10" in text and "postgres-hnsw - local nDCG@10" in text
