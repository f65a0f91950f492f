"""Ingesting a transcript finds the skills the agent was served, judges whether it followed them,
and counts retrievals and uses per user, so pruning gets its signal without report_skill_used."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autoskill_mcp import AutoSkill, AutoSkillConfig
from autoskill_mcp.learning.served import served_in
from autoskill_mcp.learning.transcripts import read_transcript, session_from_messages

UV = (
    "# Goal\nManage Python dependencies with uv.\n\n# Constraints & Style\n- Add packages with `uv add`, never pip "
    "install.\n- Run scripts with `uv run`.\n- Commit uv.lock with every dependency change."
)
DOCKER = ("# Goal\nWrite small images.\n\n# Constraints & Style\n- Use python:3.12-slim as the base image.\n"
          "- Add a HEALTHCHECK.")


def _sdk(home: Path) -> AutoSkill:
    sdk = AutoSkill(AutoSkillConfig(store={"provider": "local", "path": str(home)},
                                    embeddings={"provider": "hashing", "dims": 256}, llm={"provider": "none"},
                                    default_user="alice"))
    sdk.upsert(name="uv-dependencies", description="Adds Python dependencies with uv. Use when adding a package.",
               instructions=UV)
    sdk.upsert(name="docker-images", description="Writes Dockerfiles. Use when containerizing.", instructions=DOCKER)
    return sdk


def _call(i: int, name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": f"c{i}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}],
    }


def _result(i: int, content: str) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": f"c{i}", "content": content}


SESSION = [
    {"role": "user", "content": "add httpx to the project"},
    _call(1, "mcp__autoskill__search_skills", {"query": "add a python dependency"}),
    _result(1, json.dumps({"query": "add a python dependency", "hits": [{"name": "uv-dependencies"},
                                                                         {"name": "docker-images"}]})),
    _call(2, "mcp__autoskill__get_skill", {"name": "uv-dependencies"}),
    _result(2, UV),
    _call(3, "bash", {"command": "uv add httpx && uv run pytest -q"}),
    _result(3, "Resolved 12 packages\n3 passed"),
    {"role": "assistant", "content": "Added httpx with uv add; uv.lock is updated, commit it with the change."},
]


def test_served_skills_are_found_and_judged_from_the_agents_actions(tmp_path: Path) -> None:
    with _sdk(tmp_path / "h") as sdk:
        served = {s.name: s for s in served_in(session_from_messages(SESSION), sdk.store, user_id="alice")}
        assert set(served) == {"uv-dependencies", "docker-images"}
        assert served["uv-dependencies"].how == "loaded" and served["uv-dependencies"].followed is True
        assert served["docker-images"].how == "searched" and served["docker-images"].followed is False
        assert served["docker-images"].counted_live                # our server counted that retrieval already


def test_ingest_counts_uses_per_user_and_pruning_then_has_its_signal(tmp_path: Path) -> None:
    with _sdk(tmp_path / "h") as sdk:
        uv = sdk.store.find("uv-dependencies", user_id="alice", scope="user")
        docker = sdk.store.find("docker-images", user_id="alice", scope="user")
        assert uv is not None and docker is not None
        result = sdk.learner.learn(session_from_messages(SESSION, session_id="s1"), user_id="alice")
        assert {s.name: s.followed for s in result.served} == {"uv-dependencies": True, "docker-images": False}
        assert sdk.store.usage(uv.id, user_id="alice")["used"] == 1
        assert sdk.store.usage(uv.id, user_id="alice")["retrieved"] == 0      # search_skills counted it live
        assert sdk.store.usage(docker.id, user_id="alice")["used"] == 0
        assert sdk.store.usage(uv.id, user_id="bob")["used"] == 0
        assert result.to_dict()["served"][0]["followed"] in (True, False)


def test_native_skill_loads_and_injected_context_count_as_retrievals(tmp_path: Path) -> None:
    block = "<autoskill-context>\nSkills retrieved ...\n- docker-images (v0.1.0, score 0.80): Writes Dockerfiles.\n" \
            "</autoskill-context>"
    messages = [{"role": "system", "content": block}, {"role": "user", "content": "containerize the worker"},
                _call(1, "Skill", {"skill": "uv-dependencies"}), _result(1, "loaded"),
                _call(2, "write_file",
                      {"path": "Dockerfile", "content": "FROM python:3.12-slim\nHEALTHCHECK CMD true"}),
                _result(2, "ok")]
    with _sdk(tmp_path / "h") as sdk:
        docker = sdk.store.find("docker-images", user_id="alice", scope="user")
        assert docker is not None
        result = sdk.learner.learn(session_from_messages(messages, session_id="s2"), user_id="alice")
        got = {s.name: (s.how, s.followed) for s in result.served}
        assert got["docker-images"] == ("injected", True) and got["uv-dependencies"][0] == "loaded"
        assert sdk.store.usage(docker.id, user_id="alice") | {} == {**sdk.store.usage(docker.id, user_id="alice"),
                                                                   "retrieved": 1, "used": 1}


def test_a_real_claude_code_transcript_with_no_skills_served_changes_no_counter(tmp_path: Path) -> None:
    fixture = Path(__file__).parents[1] / "fixtures" / "transcripts" / "claude-code"
    fixture = fixture / "fasthooks__sample_main_transcript.jsonl"
    with _sdk(tmp_path / "h") as sdk:
        for session in read_transcript(fixture):
            assert sdk.learner.learn(session, user_id="alice").served == []
        uv = sdk.store.find("uv-dependencies", user_id="alice", scope="user")
        assert uv is not None and sdk.store.usage(uv.id)["by_user"] == {}
