"""The quality harnesses take any set in their format: a new set is dropped in, not coded."""

from __future__ import annotations

import json
from pathlib import Path

from eval import learning, retrieval

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
        {"id": "q3", "text": "add a column to the postgres table", "rel": {"sql": 1}},
    ],
}


def test_retrieval_harness_runs_every_mode_on_a_dropped_in_set(tmp_path: Path) -> None:
    (tmp_path / "tiny.json").write_text(json.dumps(TINY_SET))
    files = retrieval.set_files([tmp_path])
    assert files == [tmp_path / "tiny.json"]
    report = retrieval.evaluate_set(files[0], sample=None)
    assert report["set"] == "tiny" and report["queries"] == 3 and report["docs"] == 4
    modes = set(report["results"])
    assert {"keyword: bm25", "vector: minilm int8", "hybrid: minilm+bm25 (default)"} <= modes and len(modes) == 6
    assert report["results"]["keyword: bm25"]["r@1"] == 1.0          # every query names its skill's words
    assert report["results"]["hybrid: minilm+bm25 (default)"]["r@1"] == 1.0
    table = retrieval.markdown(report)
    assert table.count("\n| ") == 7 and "| keyword: bm25 | 1.000 |" in table


def test_learning_harness_scores_a_dropped_in_scenario_file(tmp_path: Path) -> None:
    scenarios = tmp_path / "mine.jsonl"
    lines = [
        {"id": "rule", "lang": "en", "should_extract": True,
         "messages": [{"role": "user", "content": "Format the code"},
                      {"role": "user", "content": "From now on, always run black before every commit."}],
         "expect": {"name_any": ["black", "format", "commit"], "text_all": ["black"]},
         "later_queries": ["format python code before committing"]},
        {"id": "one-off", "lang": "en", "should_extract": False,
         "messages": [{"role": "user", "content": "what is the capital of France?"}]},
    ]
    scenarios.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    report = learning.evaluate([scenarios], title="mine", embeddings="hashing")
    s = report["summary"]
    assert s["scenarios"] == 2 and s["should_extract"] == 1
    assert s["gate"] == {"precision": 1.0, "recall": 1.0, "tp": 1, "fp": 0, "fn": 0}
    assert s["one_off_clean_rate"] == 1.0 and s["llm_calls_per_session"] == 0.0
    assert s["expected_skill_rate"] == 1.0 and s["later_queries"] == 1
    assert report["previous"]["scenarios"] == 2                       # the previous rules ran on the same file
    assert "| gate precision / recall | 1.00 / 1.00 |" in report["markdown"]
    assert "| pattern (n) |" in report["markdown"] and "| directive (1) |" in report["markdown"]
