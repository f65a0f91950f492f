"""Hostile names, look-alikes and URIs over MCP: every one is a tool error or -32602, nothing is written.

Traversal, NUL, bidirectional controls and 10,000-character names through every tool that takes
a name, through `save_skill(skill_md=...)`, and through `skill://` URIs for `resources/read`,
`skills/get` and `resources/directory/read`.
"""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from autoskill_mcp.mcp_server.server import AutoSkillServer

from .helpers import USER, directory_read, settings, skills_get

pytestmark = pytest.mark.anyio

HOSTILE = ["../../x", "..", "a/../../b", "x\x00y", "evil\u202egnp", "rtl\u200fmark", "x" * 10_000]
URIS = ["skill://../../x/SKILL.md", "skill://git-commit-messages/../../../etc/passwd",
        "skill://git-commit-messages/references/../../SKILL.md", "skill://pytest-fixtures/references/%2e%2e/x",
        "skill://git-commit-messages/SKILL.md\x00", "skill://git-commit-messages/\u202eDM.LLIKS",
        "skill://pytest-fixtures//etc/passwd", "skill://" + "x" * 10_000 + "/SKILL.md",
        "skill://g\u0456t-commit-messages/SKILL.md", "file:///etc/passwd"]
FOLDERS = ["skill://../../x", "skill://..", "skill://git-commit-messages/..", "skill://pytest-fixtures/references/../..",
           "skill://x\x00y", "skill://evil\u202egnp", "skill://" + "x" * 10_000, "skill://pytest-fixtures/references\x00",
           "skill://pytest-fixtures/\u202ereferences", "skill://pytest-fixtures//", "skill://g\u0456t-commit-messages"]


def tree(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in (home / "Users").rglob("*"))


async def ready(server: AutoSkillServer) -> None:
    await anyio.to_thread.run_sync(server.state.sdk)


async def test_tools_refuse_hostile_names_and_write_nothing(home: Path) -> None:
    before = tree(home)
    server = AutoSkillServer(settings(home))
    async with Client(server, raise_exceptions=True) as c:
        await ready(server)
        for name in HOSTILE:
            save = await c.call_tool("save_skill", {"name": name, "description": "Sneaky. Use never.",
                                                    "instructions": "x"})
            assert save.is_error, name
            quoted = name.replace("\x00", "\\0").replace('"', '\\"')
            md = f'---\nname: "{quoted}"\ndescription: Sneaky. Use never.\n---\nx\n'
            assert (await c.call_tool("save_skill", {"skill_md": md})).is_error, name
            assert (await c.call_tool("save_skill", {"skill_md": md, "mode": "merge"})).is_error, name
            for tool in ("get_skill", "delete_skill", "rollback_skill", "report_skill_used"):
                r = await c.call_tool(tool, {"name": name})
                assert r.is_error, (tool, name)
                assert len(r.content[0].text) < 1000
    assert tree(home) == before


async def test_save_skill_refuses_a_look_alike_and_maps_a_fullwidth_name(home: Path) -> None:
    server = AutoSkillServer(settings(home))
    async with Client(server, raise_exceptions=True) as c:
        await ready(server)
        r = await c.call_tool("save_skill", {"name": "g\u0456t-commit-messages", "description": "Sneaky. Use never.",
                                             "instructions": "x"})
        assert r.is_error and "looks like the existing skill 'git-commit-messages'" in r.content[0].text
        r = await c.call_tool("save_skill", {"name": "ｇｉｔ-commit-messages",
                                             "description": "Write commit messages in the imperative mood.",
                                             "instructions": "# Commits\n\nSubject under 50 characters."})
        assert not r.is_error
        assert r.structured_content["name"] == "git-commit-messages" and r.structured_content["action"] == "updated"
        names = [s["name"] for s in (await c.call_tool("list_skills", {"scope": "user"})).structured_content["skills"]]
        assert sorted(names) == ["git-commit-messages", "pytest-fixtures", "release-checklist"]
    assert not (home / "Users" / USER / "g\u0456t-commit-messages").exists()


async def test_hostile_skill_uris_are_refused_by_every_reader(home: Path) -> None:
    server = AutoSkillServer(settings(home))
    async with Client(server, raise_exceptions=True) as c:
        await ready(server)
        for uri in URIS:
            with pytest.raises(MCPError):
                await c.read_resource(uri)
            with pytest.raises(MCPError):
                await skills_get(c, uri)
        for uri in FOLDERS:
            with pytest.raises(MCPError):
                await directory_read(c, uri)
