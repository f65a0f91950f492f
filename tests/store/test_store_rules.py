"""The rules the store owns: who sees a skill, which copy of a name wins, one cursor, one usage write."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoskill_mcp import AutoSkill, InvalidInputError, LocalSkillStore

HASHING = {"provider": "hashing", "dims": 256}


def test_render_context_checks_level_before_it_searches(tmp_path: Path) -> None:
    with AutoSkill(store=LocalSkillStore(tmp_path / "home", embeddings=HASHING, background=False)) as sdk:
        # an empty query fails inside the search: seeing the level error proves no search ran
        with pytest.raises(InvalidInputError, match="level must be one of"):
            sdk.render_context_result("", user_id="alice", level="everything")
        with pytest.raises(InvalidInputError, match="query is empty"):
            sdk.render_context_result("", user_id="alice", level="full")
