"""What goes to the model: redacted turns, and a redacted hint (a caller's words are not the user's turns,
and are not redacted with them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autoskill_mcp import AutoSkill, AutoSkillConfig
from bench.secret_corpus import leaks, plants

HASHING = {"provider": "hashing", "dims": 256}


def test_a_hint_is_redacted_before_it_reaches_the_model(tmp_path: Path, fake: Any) -> None:
    llm = {"provider": "openai", "base_url": fake.base_url, "api_key": "test", "model": "fake-model"}
    token = next(p.secret for p in plants() if p.kind == "github_token")
    with AutoSkill(AutoSkillConfig(store={"provider": "local", "path": str(tmp_path / "home")}, embeddings=HASHING,
                                   llm=llm, default_user="alice")) as sdk:
        sdk.ingest(messages=[{"role": "user", "content": "Always use the logging module, never print."}],
                   hint=f"the deploy uses {token}, learn how to log")
    assert fake.requests >= 1
    assert leaks(json.dumps(fake.bodies).encode()) == {}
    assert "[REDACTED:github_token]" in json.dumps(fake.bodies)
