"""The eval of retrieval through the stores measures both stores on the same skills and queries."""

from __future__ import annotations

import json
from pathlib import Path

from eval import store_retrieval
from tests.harness.test_harness import TINY_SET  # the harnesses' tiny set: easy enough that a broken store shows


def test_both_stores_answer_the_same_queries_over_the_same_skills(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY_SET))
    report = store_retrieval.evaluate_stores(path, sample=None, embeddings="hashing")
    assert set(report["results"]) == {"local", "postgres"}
    assert report["docs"] == len(TINY_SET["docs"]) and report["queries"] == len(TINY_SET["queries"])
    assert report["results"]["local"]["r@1"] == report["results"]["postgres"]["r@1"] == 1.0
    assert abs(report["ndcg_delta"]) <= 0.01
    assert "postgres - local nDCG@10" in store_retrieval.markdown(report)
