"""The MCP server on the team store (PostgreSQL): the same tools and resources as on the folder
store, chosen only by `[store] url` in config.toml; nothing above the store knows the difference."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client

from autoskill_mcp.mcp_server.server import AutoSkillServer
from autoskill_mcp.sdk import AutoSkill
from autoskill_mcp.store.postgres import PostgresSkillStore

from .helpers import PNG, config, seed, settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def team_home(tmp_path: Path, pg_dsn: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("AUTOSKILL_STORE_URL", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(f'[store]\nurl = "{pg_dsn}"\n', encoding="utf-8")
    seed(home)
    with AutoSkill(config(home)) as sdk:
        assert isinstance(sdk.store, PostgresSkillStore)  # seeded into PostgreSQL, not the folder
    assert not (home / "Users").exists()
    return home


async def test_tools_and_resources_serve_the_team_store(team_home: Path) -> None:
    async with Client(AutoSkillServer(settings(team_home)), raise_exceptions=True) as c:
        r = await c.call_tool("search_skills", {"query": "pytest fixtures tmp_path", "top_k": 2})
        hits = r.structured_content["hits"]
        assert hits[0]["name"] == "pytest-fixtures" and hits[0]["uri"] == "skill://pytest-fixtures/SKILL.md"
        res = {r.uri for r in (await c.list_resources()).resources}
        assert {"skill://pytest-fixtures/SKILL.md", "skill://pytest-fixtures/assets/logo.png",
                "skill://shared-style/SKILL.md"} <= res
        assert not any("bob-secret-deploy" in u for u in res)
        png = (await c.read_resource("skill://pytest-fixtures/assets/logo.png")).contents[0]
        import base64

        assert base64.b64decode(png.blob) == PNG
        saved = await c.call_tool("save_skill", {"name": "team-runbook", "description": "How the team runs "
                                                 "incidents. Use when paging.", "instructions": "1. Page."})
        assert not saved.is_error
    with AutoSkill(config(team_home)) as sdk:  # another process's view: the same database
        assert sdk.store.find("team-runbook", user_id="alice") is not None
