"""One real `autoskill mcp` stdio session over a store holding hostile skills: every answer is a result.

The generated skill folders are imported with `autoskill import` (what it accepts is stored
byte for byte) and served as a library folder too (so what import turns away is served as
it is). Then everything a client reads: `skills/list`, `skills/get`, `resources/list`,
`resources/read`, `list_skills`, `get_skill` and `search_skills` with hostile queries.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from bench import hostile
from tests.mcp_server.helpers import PYTHON, REPO, all_skills, server_env, skills_get

pytestmark = pytest.mark.anyio

SKILLS = 40
QUERIES = ["write a commit message", "é技能😀", "[[[[[[[[", "--- !!timestamp x", "\u2028\u0085", "a" * 2000,
           "${CLAUDE_SKILL_DIR}", "*a8 &a0", "SELECT * FROM skills; --"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def generated(root: Path) -> Path:
    """SKILLS folders: every other one a SKILL.md import accepts, with hostile values and body."""
    for seed in range(SKILLS):
        rng = random.Random(seed)
        data = hostile.servable_skill_md(rng) if seed % 2 else hostile.skill_md_bytes(rng)
        hostile.skill_folder(rng, root / f"generated-{seed}", data)
    return root


async def test_a_store_of_hostile_skills_is_served_without_an_error(tmp_path: Path) -> None:
    folder = generated(tmp_path / "skills")
    home = tmp_path / "home"
    home.mkdir()
    env = server_env(home)
    imported = subprocess.run([PYTHON, "-m", "autoskill_mcp", "import", str(folder)], env=env, cwd=str(REPO),
                              capture_output=True, text=True, timeout=300, check=False)
    assert imported.returncode == 0 and "Traceback" not in imported.stderr, imported.stderr
    params = StdioServerParameters(command=PYTHON, cwd=str(REPO), env=env,
                                   args=["-m", "autoskill_mcp", "mcp", "--no-worker", "--library", str(folder)])
    async with Client(params, raise_exceptions=True) as c:
        listed = await all_skills(c)
        assert len(listed) >= SKILLS // 2
        for entry in listed:
            got = (await skills_get(c, entry["uri"]))["skill"]
            assert got["resources"] == entry["resources"]
        uris, cursor = [], None
        while True:
            page = await c.list_resources(cursor=cursor)
            uris += [str(r.uri) for r in page.resources]
            cursor = page.next_cursor
            if not cursor:
                break
        assert {e["uri"] for e in listed} <= set(uris)
        for uri in uris:
            assert (await c.read_resource(uri)).contents
        names = set()
        page = (await c.call_tool("list_skills", {"limit": 500})).structured_content
        names |= {s["name"] for s in page["skills"]}
        for name in sorted(names):
            result = await c.call_tool("get_skill", {"name": name})
            assert not result.is_error, result.content
        for query in QUERIES + sorted(names)[:10]:
            result = await c.call_tool("search_skills", {"query": query, "top_k": 10})
            # A query with no words is refused with the reason; a crash would say no more than the tool's name.
            text = getattr(result.content[0], "text", "") if result.content else ""
            assert not result.is_error or text.startswith("Error executing tool search_skills: "), result.content
