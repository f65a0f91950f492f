"""Pruning is opt-in, user-scoped, and never triggered by a missing `used` signal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from autoskill_mcp.learning.pruning import PrunePolicy, prune

LATER = datetime.now(UTC) + timedelta(days=30)
POLICY = PrunePolicy(min_retrieved=5, max_used=0, min_age_days=14)


def _seed(store: Any, make_skill: Any) -> dict[str, str]:
    ids = {}
    for name in ("noisy-skill", "useful-skill", "young-skill"):
        ids[name] = store.save(make_skill(name, user="alice")).id
    ids["bob-skill"] = store.save(make_skill("bob-skill", user="bob")).id
    for sid in ids.values():
        store.record_usage(sid, retrieved=50)
    return ids


def test_no_used_reports_means_nothing_is_pruned(store: Any, make_skill: Any) -> None:
    _seed(store, make_skill)
    report = prune(store, "alice", POLICY, apply=True, now=LATER)
    assert report.candidates == [] and report.kept_for_missing_signal == 3
    assert "nothing is pruned" in report.note
    assert len(store.summaries(user_id="alice", scope="user")) == 3


def test_with_a_live_signal_only_the_unused_skills_go(store: Any, make_skill: Any) -> None:
    ids = _seed(store, make_skill)
    store.record_usage(ids["useful-skill"], used=3)
    dry = prune(store, "alice", POLICY, now=LATER)
    assert [c["name"] for c in dry.candidates] == ["noisy-skill", "young-skill"] and not dry.applied
    assert len(store.summaries(user_id="alice", scope="user")) == 3          # a dry run changes nothing
    young = prune(store, "alice", PrunePolicy(5, 0, min_age_days=60), now=LATER)
    assert young.candidates == []                                          # too young at 30 days
    done = prune(store, "alice", POLICY, apply=True, now=LATER)
    names = {s.name for s in store.summaries(user_id="alice", scope="user")}
    assert done.applied and names == {"useful-skill"}
    assert {s.name for s in store.summaries(user_id="bob", scope="user")} == {"bob-skill"}  # never another user's
    assert store.versions(ids["noisy-skill"])                              # history kept


def test_cli_prune_is_a_dry_run_by_default(tmp_path: Any) -> None:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "AUTOSKILL_HOME": str(tmp_path / "h"), "AUTOSKILL_USER": "alice"}
    out = subprocess.run([sys.executable, "-m", "autoskill_mcp", "prune", "--json", "--embeddings", "hashing"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["applied"] is False and data["candidates"] == []
