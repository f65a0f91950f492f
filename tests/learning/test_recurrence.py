"""A requirement said once waits as a pending candidate; said again in a later session, it becomes a skill."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from autoskill_mcp import AutoSkill, AutoSkillConfig
from autoskill_mcp.learning.transcripts import session_from_messages

FIRST = [{"role": "user", "content": "write a helper that loads the settings file"},
         {"role": "assistant", "content": "def load(path): return dict(...)"},
         {"role": "user", "content": "can you use dataclasses instead of dicts here"},
         {"role": "assistant", "content": "Switched to a Settings dataclass."}]
SECOND = [{"role": "user", "content": "add a parser for the export rows"},
          {"role": "assistant", "content": "def parse(row): return {'id': ...}"},
          {"role": "user", "content": "again, dataclasses not dicts please"},
          {"role": "assistant", "content": "Now returns ExportRow dataclasses."}]
UNRELATED = [{"role": "user", "content": "how do I read a csv file in python?"},
             {"role": "assistant", "content": "Use the csv module."}]


def _sdk(home: Path) -> AutoSkill:
    return AutoSkill(AutoSkillConfig(store={"provider": "local", "path": str(home)},
                                     embeddings={"provider": "hashing", "dims": 256}, llm={"provider": "none"},
                                     default_user="alice"))


def _learn(sdk: AutoSkill, messages: list[dict[str, str]], sid: str) -> Any:
    return sdk.learner.learn(session_from_messages(messages, session_id=sid), user_id="alice")


def test_a_mild_request_waits_then_is_promoted_when_it_comes_back(tmp_path: Path) -> None:
    with _sdk(tmp_path / "h") as sdk:
        first = _learn(sdk, FIRST, "s1")
        assert first.gate is not None and first.gate.verdict == "borderline"
        assert first.decisions == [] and len(first.pending) == 1
        [waiting] = sdk.candidates()
        assert waiting.sessions == ["s1"] and "dataclasses instead of dicts" in waiting.evidence[0].text
        assert _learn(sdk, UNRELATED, "s2").promoted == []                     # a question is not the same request
        second = _learn(sdk, SECOND, "s3")
        assert second.gate is not None and second.gate.passed and "earlier sessions" in second.gate.reason
        [decision] = second.decisions
        assert decision.action == "created" and "dataclass" in decision.name
        skill = sdk.store.get(decision.skill_id)
        assert skill is not None and "dataclasses" in skill.instructions.lower()
        assert second.promoted == [waiting.id] and sdk.candidates() == []
        [done] = sdk.candidates(status="promoted")
        assert done.skill_id == decision.skill_id


def test_the_same_session_ingested_twice_keeps_one_candidate(tmp_path: Path) -> None:
    with _sdk(tmp_path / "h") as sdk:
        _learn(sdk, FIRST, "s1")
        _learn(sdk, FIRST, "s1")
        assert len(sdk.candidates()) == 1
        assert sdk.candidates(user_id="bob") == []                            # per user


def test_cli_lists_accepts_and_rejects_candidates(tmp_path: Path) -> None:
    home = tmp_path / "h"
    with _sdk(home) as sdk:
        _learn(sdk, FIRST, "s1")
        _learn(sdk, [{"role": "user", "content": "draft the release note"}, {"role": "assistant", "content": "..."},
                     {"role": "user", "content": "shorter please, just the bullet points"},
                     {"role": "assistant", "content": "..."}], "s2")
    env = {**os.environ, "AUTOSKILL_HOME": str(home), "AUTOSKILL_USER": "alice"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "autoskill_mcp", *args, "--embeddings", "hashing"], env=env,
                              capture_output=True, text=True, timeout=120)

    listed = cli("candidates", "--json")
    assert listed.returncode == 0, listed.stderr
    found = json.loads(listed.stdout)["candidates"]
    assert len(found) == 2 and all(c["status"] == "pending" for c in found)
    human = cli("candidates")
    assert "dataclasses instead of dicts" in human.stdout
    by_text = {c["evidence"][0]["text"]: c["id"] for c in found}
    keep = next(i for t, i in by_text.items() if "dataclasses" in t)
    drop = next(i for t, i in by_text.items() if "shorter" in t)
    accepted = cli("candidates", "accept", keep, "--json")
    assert accepted.returncode == 0, accepted.stderr
    assert json.loads(accepted.stdout)["decisions"][0]["action"] == "created"
    assert cli("candidates", "reject", drop).returncode == 0
    assert json.loads(cli("candidates", "--json").stdout)["candidates"] == []
    missing = cli("candidates", "accept", "nope")
    assert missing.returncode == 3 and "no pending candidate" in missing.stderr
    assert cli("candidates", "accept").returncode == 2
