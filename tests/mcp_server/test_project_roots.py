"""Scope `project` over MCP, real server processes: the client's roots (re-read when they change), else
the stdio server's folder; over HTTP each session its own roots."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.types import ListRootsResult, Root

from .helpers import PYTHON, server_env
from .test_transports import HttpServer, client

pytestmark = pytest.mark.anyio


def repo_with(tmp_path: Path, name: str, kind: str, skill: str, description: str) -> Path:
    repo = tmp_path / name
    (repo / ".git").mkdir(parents=True)
    (repo / "src" / "app").mkdir(parents=True)
    folder = repo / kind / skill
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text(f"---\nname: {skill}\ndescription: {description}\n---\n# {skill}\n\nSteps.\n",
                                     encoding="utf-8")
    (folder / "notes.md").write_text("# Notes\n", encoding="utf-8")
    return repo


class Roots:
    """The client's side of roots: what `roots/list` answers, changeable during the session."""

    def __init__(self, *folders: Path) -> None:
        self.folders = list(folders)
        self.asked = 0

    async def __call__(self, context: Any) -> ListRootsResult:
        self.asked += 1
        return ListRootsResult(roots=[Root(uri=f.as_uri(), name=f.name) for f in self.folders])  # type: ignore[arg-type]


async def project_names(c: Client) -> set[str]:
    page = (await c.call_tool("list_skills", {"scope": "project"})).structured_content
    assert all(s["scope"] == "project" for s in page["skills"])
    return {s["name"] for s in page["skills"]}


async def send_roots_changed(c: Client) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # roots are deprecated in 2026-07-28; this session is a 2025 one
        await c.session.send_roots_list_changed()


async def test_stdio_client_roots_are_the_project_and_are_read_again_when_they_change(
        home: Path, tmp_path: Path) -> None:
    one = repo_with(tmp_path, "one", ".claude/skills", "flaky-tests", "Rerun the flaky integration tests with retries.")
    two = repo_with(tmp_path, "two", ".agents/skills", "db-migrations", "Write reversible database migrations.")
    started_in = repo_with(tmp_path, "cwd", ".github/skills", "cwd-skill", "The folder the server started in.")
    roots = Roots(one / "src" / "app")  # a folder inside the repository: its root is found
    params = StdioServerParameters(command=PYTHON, args=["-m", "autoskill_mcp", "mcp"], env=server_env(home),
                                   cwd=str(started_in))
    async with Client(params, mode="legacy", list_roots_callback=roots, raise_exceptions=True) as c:
        found = (await c.call_tool("search_skills", {"query": "flaky integration tests", "scope": "project"}))
        hits = found.structured_content["hits"]
        assert [h["name"] for h in hits] == ["flaky-tests"] and hits[0]["scope"] == "project"
        assert await project_names(c) == {"flaky-tests"}  # the roots replace the server's own folder
        everything = (await c.call_tool("search_skills", {"query": "flaky integration tests release"}))
        assert "flaky-tests" in {h["name"] for h in everything.structured_content["hits"]}
        got = (await c.call_tool("get_skill", {"name": "flaky-tests"})).structured_content
        assert got["scope"] == "project" and "name: flaky-tests" in got["skill_md"]
        assert [f["path"] for f in got["files"]] == ["notes.md"]
        text = (await c.read_resource("skill://flaky-tests/notes.md")).contents[0].text  # type: ignore[union-attr]
        assert text == "# Notes\n"
        block = (await c.call_tool("render_context", {"query": "flaky integration tests", "scope": "project"}))
        assert "flaky-tests" in block.structured_content["text"]
        refused = await c.call_tool("delete_skill", {"name": "flaky-tests"})
        assert refused.is_error and "read-only" in refused.content[0].text  # type: ignore[union-attr]
        assert (one / ".claude" / "skills" / "flaky-tests" / "SKILL.md").is_file()
        asked = roots.asked
        assert asked == 1  # asked once for the connection, not on every request

        roots.folders = [two]
        await send_roots_changed(c)
        with anyio.fail_after(20):
            while await project_names(c) != {"db-migrations"}:
                await anyio.sleep(0.05)
        assert roots.asked == asked + 1
        saved = (await c.call_tool("save_skill", {"name": "db-migrations", "description": "Own copy.",
                                                  "instructions": "Mine."})).structured_content
        assert saved["action"] == "created" and "wins over the project's" in saved["reason"]
        written = (await c.call_tool("save_skill", {"name": "seed-data", "description": "Load the seed data.",
                                                    "instructions": "Run make seed.", "scope": "project"}))
        assert written.structured_content["action"] == "created", written.content
        assert (two / ".agents" / "skills" / "seed-data" / "SKILL.md").is_file()
        assert await project_names(c) == {"db-migrations", "seed-data"}
        gone = await c.call_tool("delete_skill", {"name": "db-migrations"})  # the own copy goes, the project's stays
        assert gone.structured_content["deleted"] and "db-migrations" in await project_names(c)
        hits = (await c.call_tool("search_skills", {"query": "reversible database migrations", "scope": "project"}))
        assert [h["name"] for h in hits.structured_content["hits"]] == ["db-migrations"]
        # the user's own skills still beside them, and untouched
        mine = (await c.call_tool("list_skills", {"scope": "user"})).structured_content["skills"]
        assert {s["name"] for s in mine} == {"pytest-fixtures", "git-commit-messages", "release-checklist"}


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_stdio_without_roots_uses_the_folder_it_started_in(home: Path, tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path, "repo", ".cursor/skills", "lint-rules", "The repository's lint rules for CI.")
    params = StdioServerParameters(command=PYTHON, args=["-m", "autoskill_mcp", "mcp"], env=server_env(home),
                                   cwd=str(repo / "src" / "app"))
    async with Client(params, mode=mode, raise_exceptions=True) as c:  # type: ignore[arg-type]
        assert await project_names(c) == {"lint-rules"}
        hits = (await c.call_tool("search_skills", {"query": "lint rules CI"})).structured_content["hits"]
        assert hits[0]["name"] == "lint-rules" and hits[0]["scope"] == "project"


@pytest.fixture
def http_server(home: Path, tmp_path: Path) -> Iterator[HttpServer]:
    srv = HttpServer(home)
    yield srv
    srv.stop()


async def test_http_sessions_each_see_their_own_roots(http_server: HttpServer, tmp_path: Path) -> None:
    one = repo_with(tmp_path, "one", ".claude/skills", "only-one", "The first repository's skill.")
    two = repo_with(tmp_path, "two", ".gemini/skills", "only-two", "The second repository's skill.")
    first, second = client(http_server.url, "legacy"), client(http_server.url, "legacy")
    roots_one, roots_two = Roots(one), Roots(two)
    first.list_roots_callback, second.list_roots_callback = roots_one, roots_two
    async with first as a, second as b:
        assert await project_names(a) == {"only-one"}
        assert await project_names(b) == {"only-two"}
        assert await project_names(a) == {"only-one"}
        assert roots_one.asked == roots_two.asked == 1
    async with client(http_server.url, "legacy") as no_roots:
        assert await project_names(no_roots) == set()  # an HTTP server's own folder is nobody's project
