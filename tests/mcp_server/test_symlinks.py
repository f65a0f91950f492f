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

from autoskill_mcp.mcp_server.server import AutoSkillServer

from .helpers import USER, settings

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
