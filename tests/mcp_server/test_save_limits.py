"""`save_skill` over a real stdio session refuses a body the store could not read back: a clear
error, and nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from autoskill_mcp.store.local import MAX_SKILL_MD_BYTES

from .helpers import PYTHON, REPO, server_env

pytestmark = pytest.mark.anyio


async def test_save_skill_refuses_a_10_mb_body_and_stores_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    params = StdioServerParameters(command=PYTHON, args=["-m", "autoskill_mcp", "mcp"], env=server_env(home),
                                   cwd=str(REPO))
    async with Client(params, raise_exceptions=True) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
        assert "2 MiB" in tools["save_skill"].input_schema["properties"]["instructions"]["description"]
        big = "x" * (10 * 1024 * 1024)
        r = await c.call_tool("save_skill", {"name": "huge", "description": "Too big.", "instructions": big})
        assert r.is_error
        message = r.content[0].text
        assert "instructions is 10,485,760 bytes" in message and "2,097,152" in message
        assert "nothing was stored" in message
        md = "---\nname: huge-md\ndescription: Too big.\n---\n" + "密" * (MAX_SKILL_MD_BYTES // 2)
        r = await c.call_tool("save_skill", {"skill_md": md})
        assert r.is_error and "skill_md is" in r.content[0].text
        near = "x" * (MAX_SKILL_MD_BYTES - 200)  # the body fits, the rendered file does not
        r = await c.call_tool("save_skill", {"name": "near", "description": "Almost.", "instructions": near,
                                             "tags": ["t" * 100] * 5})
        assert r.is_error and "over the 2,097,152-byte limit" in r.content[0].text
        listed = (await c.call_tool("list_skills", {"scope": "user"})).structured_content
        assert listed["total"] == 0
    assert not any(home.rglob("SKILL.md"))
