"""Maintenance against a real store: add, merge (union, patch bump, history), discard, idempotence, races."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from autoskill_mcp import LocalSkillStore, Scope, Skill
from autoskill_mcp.learning.candidate import Candidate
from autoskill_mcp.learning.maintenance import Maintainer, Verdict, merge_instructions

HASHING = {"provider": "hashing", "dims": 256}


def logging_candidate(*rules: str, name: str = "python-logging-conventions") -> Candidate:
    body = "\n".join(f"- {r}" for r in rules)
    return Candidate(
        name=name,
        description="Conventions this user set for python logging: use the logging module. Use when a task "
                    "involves logging in python.",
        instructions=f"# Goal\nApply the user's logging conventions.\n\n# Constraints & Style\n{body}",
        tags=["logging", "python"], quotes=list(rules),
    )


def test_add_then_same_session_again_changes_nothing(store: LocalSkillStore) -> None:
    m = Maintainer(store)
    cand = logging_candidate("Never use print for logging.")
    first = m.apply(cand, user_id="alice", session_id="s1", agent="claude-code")
    assert first.action == "created" and first.version == "0.1.0"
    again = m.apply(logging_candidate("Never use print for logging."), user_id="alice", session_id="s1",
                    agent="claude-code")
    assert again.action == "unchanged" and again.skill_id == first.skill_id
    assert len(store.versions(first.skill_id)) == 1


def test_merge_keeps_the_name_unions_constraints_bumps_patch_and_keeps_history(store: LocalSkillStore) -> None:
    m = Maintainer(store)
    added = m.apply(logging_candidate("Never use print for logging."), user_id="alice", session_id="s1", agent="x")
    later = logging_candidate("Never use print for logging!", "Always use a module-level logger named log.",
                              name="logging-rules")
    merged = m.apply(later, user_id="alice", session_id="s2", agent="x")
    assert merged.action == "merged" and merged.skill_id == added.skill_id and merged.version == "0.1.1"
    skill = store.get(added.skill_id)
    assert skill.name == "python-logging-conventions"
    lines = [x for x in skill.instructions.splitlines() if x.startswith("- ")]
    assert lines == ["- Never use print for logging.", "- Always use a module-level logger named log."]
    assert [p.session_id for p in skill.provenance] == ["s1", "s2"]
    assert [v.version for v in store.versions(added.skill_id)] == ["0.1.0", "0.1.1"]
    assert store.rollback(added.skill_id).instructions.count("- ") == 1


def test_a_restated_workflow_replaces_the_old_steps() -> None:
    old = "# Goal\nShip it.\n\n# Workflow\n1. test\n2. tag\n3. push"
    new = "# Workflow\n1. test\n2. lint\n3. tag\n4. push"
    assert merge_instructions(old, new) == "# Goal\nShip it.\n\n# Workflow\n1. test\n2. lint\n3. tag\n4. push"
    assert merge_instructions(old, "# 流程\n1. test\n2. tag\n3. push") == old


def test_a_shared_skill_that_already_says_it_makes_the_candidate_redundant(store: LocalSkillStore) -> None:
    cand = logging_candidate("Never use print for logging.", "Always use a module-level logger named log.")
    shared = cand.to_skill(user_id="alice", session_id=None, agent=None)
    shared.scope = Scope.SHARED
    store.save(shared)
    decision = Maintainer(store).apply(cand, user_id="bob", session_id="s9", agent="x")
    assert decision.action == "discarded" and "shared skill" in decision.reason
    assert store.summaries(user_id="bob", scope="user") == []


def test_another_users_skill_is_never_merged_into(store: LocalSkillStore) -> None:
    m = Maintainer(store)
    mine = m.apply(logging_candidate("Never use print for logging."), user_id="alice", session_id="s1", agent="x")
    theirs = m.apply(logging_candidate("Never use print for logging."), user_id="bob", session_id="s2", agent="x")
    assert theirs.action == "created" and theirs.skill_id != mine.skill_id


def test_a_judge_settles_borderline_cases_only(store: LocalSkillStore) -> None:
    calls: list[str] = []

    def judge(cand: Candidate, hits: list) -> Verdict:
        calls.append(cand.name)
        return Verdict("discard", "covered")

    m = Maintainer(store, judge=judge)
    store.save(
        Skill(
            name="docker-image-size",
            description="Keeps docker images small. Use when writing Dockerfiles.",
            instructions="- Use slim base images.\n- Use multi-stage builds.",
            user_id="alice",
        )
    )
    unrelated = Candidate(name="sql-migrations", description="Writes reversible SQL migrations. Use when changing "
                          "a database schema.", instructions="- Every migration has a down step.", quotes=["x"])
    assert m.apply(unrelated, user_id="alice", session_id="s", agent="x").action == "created"
    # Similar by score, but about something else: no automatic merge; the judge decides.
    near = Candidate(name="image-tags", description="Tags release images with the git sha. Use when publishing "
                     "images.", instructions="- Tag with the sha.", quotes=["y"])
    decision = m.apply(near, user_id="alice", session_id="s", agent="x")
    assert calls == ["image-tags"] and m.judge_calls == 1
    assert decision.action == "discarded" and decision.reason == "judge: covered"
    assert Maintainer(store).apply(near, user_id="alice", session_id="s", agent="x").action == "created"  # no judge


MERGER = """
import sys
from autoskill_mcp import LocalSkillStore
from autoskill_mcp.learning.candidate import Candidate
from autoskill_mcp.learning.maintenance import Maintainer
home, rule, session_id = sys.argv[1:4]
cand = Candidate(name="python-logging-conventions", description="Conventions this user set for python logging: use "
                 "the logging module. Use when a task involves logging in python.",
                 instructions="# Goal\\nApply the user's logging conventions.\\n\\n# Constraints & Style\\n- " + rule,
                 tags=["logging", "python"], quotes=[rule])
with LocalSkillStore(home, embeddings={"provider": "hashing", "dims": 256}, background=False) as s:
    print(Maintainer(s).apply(cand, user_id="alice", session_id=session_id, agent="x").action)
"""


def test_concurrent_merges_into_one_skill_lose_nothing(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    with LocalSkillStore(home, embeddings=HASHING, background=False) as s:
        Maintainer(s).apply(logging_candidate("Never use print for logging."), user_id="alice", session_id="s0",
                            agent="x")
    rules = ["Always include the request id in log records.", "Log retries at warning level with the attempt count.",
             "Never log secrets or tokens, even at debug level.", "Use structured key=value fields in messages.",
             "Rotate log files daily and keep fourteen days.", "Send errors to stderr, everything else to a file."]
    procs = [subprocess.Popen([sys.executable, "-c", MERGER, home, r, f"s{i + 1}"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i, r in enumerate(rules)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [o[0].strip() for o in outs] == ["merged"] * 6, [o[1][-500:] for o in outs]
    with LocalSkillStore(home, embeddings=HASHING, background=False) as s:
        [summary] = s.summaries(user_id="alice")
        skill = s.get(summary.id)
        for r in rules:
            assert f"- {r}" in skill.instructions
        assert skill.version == "0.1.6" and len(s.versions(skill.id)) == 7


def test_save_skill_adds_then_bumps_the_version_then_reports_unchanged(store, make_skill) -> None:  # type: ignore[no-untyped-def]
    from autoskill_mcp.learning.maintenance import Maintainer

    m = Maintainer(store)
    first = m.save_skill(make_skill("hand-written", user="alice"), user_id="alice")
    assert first.action == "created"
    edited = make_skill("hand-written", user="alice", instructions="# hand-written\n\n1. New step.")
    second = m.save_skill(edited, user_id="alice")
    assert (second.action, second.skill_id) == ("updated", first.skill_id)
    assert second.version != first.version
    assert m.save_skill(edited, user_id="alice").action == "unchanged"
    history = store.versions(first.skill_id)
    assert [v.version for v in history] == [first.version, second.version]
    assert all(len(v.content_hash) == 64 for v in history) and history[0].content_hash != history[1].content_hash
