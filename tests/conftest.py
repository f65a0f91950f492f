"""Shared fixtures: real stores on real folders and SQLite files under tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autoskill_mcp import LocalSkillStore, Skill

HASHING = {"provider": "hashing", "dims": 256}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalSkillStore]:
    s = LocalSkillStore(tmp_path / "home", embeddings=HASHING, background=False)
    yield s
    s.close()


def _make_skill(name: str = "git-commit-messages", user: str = "alice", **kw: object) -> Skill:
    fields: dict[str, object] = {
        "description": f"Writes {name.replace('-', ' ')} the way the user wants. Use when working on {name}.",
        "instructions": f"# {name}\n\n1. Do the {name} thing.\n2. Check it.",
        "user_id": user,
    }
    fields.update(kw)
    return Skill(name=name, **fields)  # type: ignore[arg-type]


@pytest.fixture
def make_skill():  # type: ignore[no-untyped-def]
    """A factory for valid skills: make_skill("name", user="bob", tags=[...])."""
    return _make_skill
