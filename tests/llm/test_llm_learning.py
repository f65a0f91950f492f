"""The learning pipeline with an LLM: the real provider client, over HTTP, against the fake model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from autoskill_mcp import AutoSkill, AutoSkillConfig
from autoskill_mcp.learning.pipeline import build_learner
from autoskill_mcp.learning.transcripts import read_transcript

HASHING = {"provider": "hashing", "dims": 256}
FIXTURES = Path(__file__).parents[1] / "fixtures" / "transcripts"
DIRECTIVES = [
    {"role": "user", "content": "Add retries to the payment client."},
    {"role": "assistant", "content": "I added a retry loop with print statements."},
    {
        "role": "user",
        "content": "No. Never use print for diagnostics. Always use the logging module with a module-level logger.",
    },
]


def _sdk(tmp_path: Path, fake: Any) -> AutoSkill:
    llm = {"provider": "openai", "base_url": fake.base_url, "api_key": "test", "model": "fake-model"}
    return AutoSkill(AutoSkillConfig(store={"provider": "local", "path": str(tmp_path / "home")},
                                     embeddings=HASHING, llm=llm, default_user="alice"))


def test_llm_extraction_stores_a_skill_backed_by_the_users_words(tmp_path: Path, fake: Any) -> None:
    with _sdk(tmp_path, fake) as sdk:
        skills = sdk.ingest(messages=DIRECTIVES)
        result = sdk.last_ingest
        assert result.extractor == "llm:openai:fake-model" and result.llm_calls == 1
        assert [s.name for s in skills] == ["print-conventions"]
        assert "Never use print for diagnostics." in skills[0].instructions
        assert "Never use print for diagnostics." in skills[0].provenance[0].quotes
        # The prompt carried the user's turns, not the assistant's words as evidence.
        prompt = fake.bodies[0]["messages"][1]["content"]
        assert "[1] Add retries to the payment client." in prompt and "Never use print" in prompt


def test_one_off_sessions_cost_no_llm_call(tmp_path: Path, fake: Any) -> None:
    with _sdk(tmp_path, fake) as sdk:
        assert sdk.ingest(messages=[{"role": "user", "content": "write me a poem about autumn"},
                                    {"role": "assistant", "content": "Leaves fall..."}]) == []
        assert sdk.last_ingest.llm_calls == 0 and fake.requests == 0


def test_invented_evidence_is_dropped(tmp_path: Path, fake: Any) -> None:
    """A model answer whose quotes are not in the user's turns yields no skill."""
    fake.script = []
    with _sdk(tmp_path, fake) as sdk:
        learner = sdk.learner
        original = learner.extractor.provider.complete

        def inventing(**kw: Any) -> str:
            data = json.loads(original(**kw))
            for s in data.get("skills", []):
                s["evidence"] = ["Always deploy on Fridays."]
            return json.dumps(data)

        learner.extractor.provider.complete = inventing
        assert sdk.ingest(messages=DIRECTIVES) == []
        assert sdk.list() == []


def test_failed_extraction_keeps_the_store_and_reports_why(tmp_path: Path, fake: Any) -> None:
    with _sdk(tmp_path, fake) as sdk:
        sdk.ingest(messages=DIRECTIVES)
        before = [(s.name, s.version) for s in sdk.list()]
        fake.script = ["bad-json", "bad-json"]
        prefer = {"role": "user", "content": "From now on, prefer httpx over requests."}
        assert sdk.ingest(messages=DIRECTIVES[:1] + [prefer]) == []
        assert "did not match the schema after one repair" in (sdk.last_ingest.error or "")
        assert sdk.last_ingest.llm_calls == 2
        assert [(s.name, s.version) for s in sdk.list()] == before


def test_llm_calls_per_session_over_every_fixture_stay_within_budget(tmp_path: Path, fake: Any) -> None:
    """The issue's target: <= 1.2 LLM calls per ingested session on average (AutoSkill: 4-9 per turn)."""
    sdk = _sdk(tmp_path, fake)
    learner = build_learner(sdk.store, {"provider": "openai", "base_url": fake.base_url, "api_key": "t", "model": "f"})
    sessions = calls = 0
    for path in sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.name != "SOURCES.md"):
        try:
            found = read_transcript(path)
        except Exception:  # noqa: BLE001 - side files of multi-file formats are not transcripts
            continue
        for session in found:
            sessions += 1
            calls += learner.learn(session, user_id="alice").llm_calls
    sdk.close()
    assert sessions >= 30
    assert calls / sessions <= 1.2, (calls, sessions)
    assert calls == fake.requests


def test_cli_ingest_uses_the_llm_from_config_toml(tmp_path: Path, fake: Any) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        f'[llm]\nprovider = "openai"\nbase_url = "{fake.base_url}"\nmodel = "fake-model"\napi_key = "t"\n'
        '[embeddings]\nprovider = "hashing"\n', encoding="utf-8")
    chat = tmp_path / "chat.json"
    chat.write_text(json.dumps([{"messages": DIRECTIVES}]), encoding="utf-8")
    env = {**os.environ, "AUTOSKILL_HOME": str(home), "AUTOSKILL_USER": "alice"}
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        env.pop(var, None)
    out = subprocess.run([sys.executable, "-m", "autoskill_mcp", "ingest", str(chat), "--wait", "--json"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = json.dumps(json.loads(out.stdout))
    assert "llm:openai:fake-model" in text and "print-conventions" in text
    assert fake.requests == 1
