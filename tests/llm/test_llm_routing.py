"""With an LLM, only surely one-off sessions are dropped before it; maybes reach it in one call, which also
judges whether the agent followed the skills it was served."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autoskill_mcp import AutoSkill, AutoSkillConfig
from autoskill_mcp.learning.transcripts import session_from_messages

HASHING = {"provider": "hashing", "dims": 256}
REQUIREMENTS = [  # a budget, a hard constraint, a fallback, a format, a refinement; never "always" or "never"
    {"role": "user", "content": "plan a 5 day trip for my family in april"},
    {"role": "assistant", "content": "Day 1 ..."},
    {"role": "user", "content": "keep the whole thing under 4,000 USD"},
    {"role": "assistant", "content": "Cheaper ..."},
    {"role": "user", "content": "no overnight transfers"},
    {"role": "assistant", "content": "Rearranged ..."},
    {"role": "user", "content": "add a weather fallback for each day"},
    {"role": "assistant", "content": "Added ..."},
    {"role": "user", "content": "now cut 10%"},
]
MILD = [{"role": "user", "content": "write a helper that loads the settings file"},
        {"role": "assistant", "content": "def load(path): ..."},
        {"role": "user", "content": "can you use dataclasses instead of dicts here"},
        {"role": "assistant", "content": "Done."}]
QUESTION = [{"role": "user", "content": "what's the difference between a list and a tuple?"},
            {"role": "assistant", "content": "Tuples are immutable."}]


def _sdk(tmp_path: Path, fake: Any) -> AutoSkill:
    llm = {"provider": "openai", "base_url": fake.base_url, "api_key": "test", "model": "fake-model",
           "requests_per_minute": 0}
    return AutoSkill(AutoSkillConfig(store={"provider": "local", "path": str(tmp_path / "home")},
                                     embeddings=HASHING, llm=llm, default_user="alice"))


def test_requirement_building_and_maybes_reach_the_model_and_questions_do_not(tmp_path: Path, fake: Any) -> None:
    with _sdk(tmp_path, fake) as sdk:
        trip = sdk.learner.learn(session_from_messages(REQUIREMENTS, session_id="trip"), user_id="alice")
        assert trip.gate is not None and trip.gate.verdict == "pass" and trip.llm_calls >= 1
        prompt = fake.bodies[0]["messages"][1]["content"]
        assert "The offline gate saw:" in prompt and "requirement" in prompt.splitlines()[1]
        assert "no overnight transfers" in prompt and "[5] now cut 10%" in prompt
        mild = sdk.learner.learn(session_from_messages(MILD, session_id="mild"), user_id="alice")
        assert mild.gate is not None and mild.gate.verdict == "borderline" and mild.llm_calls == 1
        assert len(mild.pending) == 1                      # the model found nothing: kept aside for recurrence
        before = fake.requests
        asked = sdk.learner.learn(session_from_messages(QUESTION, session_id="q"), user_id="alice")
        assert asked.gate is not None and asked.gate.verdict == "reject" and asked.llm_calls == 0
        assert fake.requests == before


def test_the_extraction_call_also_judges_the_served_skills(tmp_path: Path, fake: Any) -> None:
    with _sdk(tmp_path, fake) as sdk:
        skill = sdk.upsert(name="release-steps", description="Ships releases. Use when releasing.",
                           instructions="# Constraints & Style\n- Tag the release with git tag.\n- Push the tag.")
        call = {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
            "name": "mcp__autoskill__get_skill", "arguments": json.dumps({"name": "release-steps"})}}]}
        messages = [{"role": "user", "content": "cut the 2.1 release"}, call,
                    {"role": "tool", "tool_call_id": "c1", "content": "..."},
                    {"role": "assistant", "content": "Released."},
                    {"role": "user", "content": "From now on, always run the smoke tests before you tag."}]
        result = sdk.learner.learn(session_from_messages(messages, session_id="rel"), user_id="alice")
        assert result.llm_calls >= 1
        prompt = fake.bodies[0]["messages"][1]["content"]
        assert "Skill the agent was served (loaded): release-steps" in prompt
        [served] = result.served
        assert served.followed is True and served.why.startswith("model: ")   # offline would have said no
        assert sdk.store.usage(skill.id, user_id="alice")["used"] == 1
