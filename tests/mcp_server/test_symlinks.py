"""Over MCP, links in the store are never written through nor served.

`save_skill` into a skill folder that is a link must not write where it points; a SKILL.md or
a resource that is a link (in a user folder or a read-only library) is never listed, read,
published in `skills/list` / `skills/get` nor shown in `resources/directory/read`.
"""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from autoskill_mcp.mcp_server.server import AutoSkillServer

from .helpers import USER, all_skills, directory_read, settings, skills_get

pytestmark = pytest.mark.anyio

SECRET = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def env_file(tmp_path: Path) -> Path:
    """An env file laid out so that, read as a SKILL.md, its secret would become the description."""
    path = tmp_path / "outside" / ".env"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"---\nname: leak\ndescription: {SECRET}\n---\n{SECRET}\n", encoding="utf-8")
    return path


async def ready(server: AutoSkillServer) -> None:
    await anyio.to_thread.run_sync(server.state.sdk)


async def test_save_skill_into_a_symlinked_folder_is_a_tool_error(home: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (home / "Users" / USER / "notes").symlink_to(outside, target_is_directory=True)
    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        r = await c.call_tool("save_skill", {"name": "notes", "description": "Notes. Use when taking notes.",
                                             "instructions": "# Notes"})
        assert r.is_error and "symbolic link" in r.content[0].text
        md = "---\nname: notes\ndescription: Notes. Use when taking notes.\n---\n# Notes\n"
        r = await c.call_tool("save_skill", {"skill_md": md})
        assert r.is_error and "symbolic link" in r.content[0].text
    assert list(outside.iterdir()) == []


def plant(home: Path, tmp_path: Path) -> Path:
    """A user skill and a library skill whose SKILL.md link to an env file, and a known skill whose
    SKILL.md, then one of its resources, became links; returns the library folder."""
    secret = env_file(tmp_path)
    leak = home / "Users" / USER / "leak"
    leak.mkdir(parents=True)
    (leak / "SKILL.md").symlink_to(secret)
    lib = tmp_path / "library"
    (lib / "lib-leak").mkdir(parents=True)
    (lib / "lib-leak" / "SKILL.md").symlink_to(secret)
    known = home / "Users" / USER / "release-checklist"
    (known / "SKILL.md").unlink()
    (known / "SKILL.md").symlink_to(secret)
    (home / "Users" / USER / "pytest-fixtures" / "references" / "env.md").symlink_to(secret)
    return lib


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_linked_files_are_never_listed_read_or_published(home: Path, tmp_path: Path, mode: str) -> None:
    server = AutoSkillServer(settings(home))
    async with Client(server, mode=mode, raise_exceptions=True) as c:
        await ready(server)
        good = (await c.read_resource("skill://release-checklist/SKILL.md")).contents[0].text
    lib = plant(home, tmp_path)
    server = AutoSkillServer(settings(home, library_dirs=[lib]))
    async with Client(server, mode=mode, raise_exceptions=True) as c:
        await ready(server)
        seen: list[str] = []
        resources = (await c.list_resources()).resources
        uris = {r.uri for r in resources}
        assert "skill://leak/SKILL.md" not in uris and "skill://lib-leak/SKILL.md" not in uris
        assert "skill://pytest-fixtures/references/env.md" not in uris
        seen += [repr(r) for r in resources]
        for uri in sorted(uris):
            seen += [repr(x) for x in (await c.read_resource(uri)).contents]
        assert (await c.read_resource("skill://release-checklist/SKILL.md")).contents[0].text == good
        for uri in ("skill://leak/SKILL.md", "skill://lib-leak/SKILL.md", "skill://pytest-fixtures/references/env.md"):
            with pytest.raises(MCPError):
                await c.read_resource(uri)
        for tool, args in (("list_skills", {}), ("search_skills", {"query": "AWS secret access key"}),
                           ("get_skill", {"name": "release-checklist"}),
                           ("render_context", {"query": "AWS secret access key release", "level": "full"})):
            r = await c.call_tool(tool, args)
            assert not r.is_error, r.content
            seen.append(repr(r.structured_content))
        for name in ("leak", "lib-leak"):
            assert (await c.call_tool("get_skill", {"name": name})).is_error
        if mode == "auto":
            listed = await all_skills(c)
            assert {s["uri"] for s in listed} >= {"skill://release-checklist/SKILL.md"}
            assert not {"skill://leak/SKILL.md", "skill://lib-leak/SKILL.md"} & {s["uri"] for s in listed}
            seen += [repr(s) for s in listed]
            seen.append(repr(await skills_get(c, "skill://release-checklist/SKILL.md")))
            for uri in ("skill://leak/SKILL.md", "skill://lib-leak/SKILL.md"):
                with pytest.raises(MCPError):
                    await skills_get(c, uri)
            children = await directory_read(c, "skill://pytest-fixtures/references")
            assert [x["name"] for x in children["resources"]] == ["examples.md"]
            with pytest.raises(MCPError):
                await directory_read(c, "skill://leak")
        assert "AWS_SECRET" not in "\n".join(seen)
