"""The eval of retrieval through the stores measures both stores on the same skills and queries."""

from __future__ import annotations

import json
from pathlib import Path

from eval import store_retrieval

TINY_SET = {
    "name": "tiny", "source": "written for this test", "license": "CC0", "task": "pick the skill",
    "docs": [
        {"id": "git", "text": "git-commit-messages: Writes commit messages in the imperative mood."},
        {"id": "docker", "text": "docker-slim-images: Builds small Docker images with multi-stage builds."},
        {"id": "pytest", "text": "pytest-fixtures: Writes pytest tests with fixtures and plain asserts."},
        {"id": "sql", "text": "postgres-migrations: Adds columns to big Postgres tables without locking."},
    ],
    "queries": [
        {"id": "q1", "text": "write a commit message for this change", "rel": {"git": 1}},
        {"id": "q2", "text": "my docker image is huge, make it small", "rel": {"docker": 1}},
        {"id": "q3", "text": "add a column to a large postgres table", "rel": {"sql": 1}},
    ],
}


def test_both_stores_answer_the_same_queries_over_the_same_skills(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY_SET))
    report = store_retrieval.evaluate_stores(path, sample=None, embeddings="hashing")
    assert set(report["results"]) == {"local", "postgres"}
    assert report["docs"] == 4 and report["queries"] == 3
    assert report["results"]["local"]["r@1"] == 1.0  # the tiny set is easy: a broken store shows here
    assert abs(report["ndcg_delta"]) <= 0.01
    assert "postgres - local nDCG@10" in store_retrieval.markdown(report)
