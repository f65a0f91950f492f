"""Every tool, in-process through the SDK's own client, in both protocol eras where it matters."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import pytest
from mcp import Client

from autoskill_mcp.learning.queue import JobQueue
from autoskill_mcp.mcp_server.server import AutoSkillServer

from .helpers import TRANSCRIPT, USER, settings

pytestmark = pytest.mark.anyio

TOOLS = {"search_skills", "render_context", "get_skill", "list_skills", "save_skill", "delete_skill",
         "rollback_skill", "report_skill_used", "ingest_transcript", "extraction_status"}


async def ready(server: AutoSkillServer) -> None:
    await anyio.to_thread.run_sync(server.state.sdk)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_tools_carry_annotations_schemas_and_the_catalogue(home: Path, mode: str) -> None:
    server = AutoSkillServer(settings(home))
    async with Client(server, mode=mode, raise_exceptions=True) as c:
        await ready(server)
        tools = {t.name: t for t in (await c.list_tools()).tools}
        assert set(tools) == TOOLS
        for t in tools.values():
            assert t.output_schema is not None, t.name
            assert t.annotations is not None and t.annotations.open_world_hint is False, t.name
            assert len(t.description or "") > 20, t.name
        for name in ("search_skills", "render_context", "get_skill", "list_skills", "extraction_status"):
            assert tools[name].annotations.read_only_hint is True
        assert tools["delete_skill"].annotations.destructive_hint is True
        assert tools["save_skill"].annotations.destructive_hint is False
        assert tools["search_skills"].meta == {"anthropic/alwaysLoad": True}
        desc = tools["search_skills"].description
        assert "pytest-fixtures" in desc and "shared-style" in desc
        assert "bob-secret-deploy" not in desc  # another user's skill never leaks into the catalogue
        assert len(desc.encode()) < 1900
        assert "distinct from the host" in (c.instructions or "")


async def test_search_skills_returns_scored_hits_with_why(home: Path) -> None:
    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        r = await c.call_tool("search_skills", {"query": "pytest fixtures tmp_path", "top_k": 2})
        hits = r.structured_content["hits"]
        assert hits[0]["name"] == "pytest-fixtures"
        assert hits[0]["uri"] == "skill://pytest-fixtures/SKILL.md"
        assert hits[0]["score"] > 0 and "score" in hits[0]["why"]
        assert len(hits) <= 2
        none = await c.call_tool("search_skills", {"query": "billing cluster deploy", "scope": "user"})
        assert all(h["name"] != "bob-secret-deploy" for h in none.structured_content["hits"])
        bad = await c.call_tool("search_skills", {"query": "x", "top_k": 500})
        assert bad.is_error


async def test_render_context_stays_within_the_budget(home: Path) -> None:
    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        r = await c.call_tool("render_context", {"query": "write pytest fixtures", "budget": 300})
        out = r.structured_content
        assert out["tokens"] <= 300 and out["budget"] == 300
        assert "pytest-fixtures" in out["text"]
        assert out["skills"][0]["name"] == "pytest-fixtures"


async def test_get_skill_returns_text_and_files_and_hides_other_users(home: Path) -> None:
    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        r = await c.call_tool("get_skill", {"name": "pytest-fixtures"})
        s = r.structured_content
        assert s["instructions"].startswith("# Pytest fixtures")
        assert s["skill_md"].startswith("---\n")
        assert {f["path"] for f in s["files"]} == {"references/examples.md", "assets/logo.png"}
        assert (await c.call_tool("get_skill", {"name": "shared-style"})).structured_content["scope"] == "shared"
        hidden = await c.call_tool("get_skill", {"name": "bob-secret-deploy"})
        assert hidden.is_error and "no skill named" in hidden.content[0].text


async def test_list_skills_paginates_with_a_cursor(home: Path) -> None:
    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        first = (await c.call_tool("list_skills", {"limit": 2})).structured_content
        assert first["total"] == 4 and len(first["skills"]) == 2 and first["next_cursor"]
        second = (await c.call_tool("list_skills", {"limit": 2, "cursor": first["next_cursor"]})).structured_content
        assert second["next_cursor"] is None
        names = [s["name"] for s in first["skills"] + second["skills"]]
        assert names == sorted(names) and "bob-secret-deploy" not in names and "shared-style" in names
        bad = await c.call_tool("list_skills", {"cursor": "not-a-cursor"})
        assert bad.is_error


async def test_save_skill_creates_versions_and_detects_stale_writes(home: Path) -> None:
    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        args = {"name": "docker-debugging", "description": "Debug containers that exit at start-up.",
                "instructions": "# Docker\n\n1. docker logs"}
        created = (await c.call_tool("save_skill", args)).structured_content
        assert created["action"] == "created" and created["version"] == "0.1.0"
        again = (await c.call_tool("save_skill", args)).structured_content
        assert again["action"] == "unchanged" and again["version"] == "0.1.0"
        edited = (await c.call_tool("save_skill", {**args, "instructions": "# Docker\n\n1. docker logs\n2. exec"})
                  ).structured_content
        assert edited["action"] == "updated" and edited["version"] == "0.1.1"
        stale = await c.call_tool("save_skill", {**args, "instructions": "x", "expected_version": "0.1.0"})
        assert stale.is_error and "0.1.1" in stale.content[0].text
        md = "---\nname: from-markdown\ndescription: Written as a whole SKILL.md file.\n---\n# Body\n"
        whole = (await c.call_tool("save_skill", {"skill_md": md})).structured_content
        assert whole["action"] == "created" and whole["name"] == "from-markdown"
        got = (await c.call_tool("get_skill", {"name": "from-markdown"})).structured_content
        assert got["instructions"].strip() == "# Body"
        neither = await c.call_tool("save_skill", {"name": "x"})
        assert neither.is_error


async def test_save_skill_merge_mode_goes_through_maintenance(home: Path) -> None:
    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        r = (await c.call_tool("save_skill", {
            "name": "pytest-fixtures", "mode": "merge",
            "description": "Write pytest fixtures with tmp_path and monkeypatch.",
            "instructions": "# Pytest fixtures\n\n- Never use the real home directory in a test."})).structured_content
        assert r["action"] == "merged" and r["version"] == "0.1.1"
        body = (await c.call_tool("get_skill", {"name": "pytest-fixtures"})).structured_content["instructions"]
        assert "real home directory" in body and "Prefer tmp_path" in body


async def test_writes_touch_only_the_callers_own_skills(home: Path) -> None:
    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        shared = await c.call_tool("delete_skill", {"name": "shared-style"})
        assert shared.is_error and "read-only over MCP" in shared.content[0].text
        other = await c.call_tool("delete_skill", {"name": "bob-secret-deploy"})
        assert other.is_error
        rb = await c.call_tool("rollback_skill", {"name": "shared-style"})
        assert rb.is_error


async def test_delete_and_rollback_keep_history(home: Path) -> None:
    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        args = {"name": "git-commit-messages", "description": "Write commit messages in the imperative mood.",
                "instructions": "# Commits\n\nSubject under 72 characters."}
        assert (await c.call_tool("save_skill", args)).structured_content["version"] == "0.1.1"
        rb = (await c.call_tool("rollback_skill", {"name": "git-commit-messages"})).structured_content
        assert rb["version"] == "0.1.2" and len(rb["history"]) == 3
        body = (await c.call_tool("get_skill", {"name": "git-commit-messages"})).structured_content["instructions"]
        assert "under 50 characters" in body
        gone = (await c.call_tool("delete_skill", {"name": "git-commit-messages"})).structured_content
        assert gone == {"deleted": True, "name": "git-commit-messages"}
        assert (await c.call_tool("get_skill", {"name": "git-commit-messages"})).is_error


async def test_report_skill_used_counts_uses(home: Path) -> None:
    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        await c.call_tool("report_skill_used", {"name": "release-checklist"})
        r = (await c.call_tool("report_skill_used", {"name": "release-checklist"})).structured_content
        assert r["name"] == "release-checklist" and r["usage"]["used"] == 2


async def test_search_and_context_count_retrievals_once_per_query(home: Path) -> None:
    """The `retrieved` signal for pruning: handed-out skills count, a repeated request does not."""
    server = AutoSkillServer(settings(home))
    async with Client(server, raise_exceptions=True) as c:
        await ready(server)
        store = server.state.store
        skill_id = store.find("pytest-fixtures", user_id=USER).id
        for _ in range(3):
            await c.call_tool("search_skills", {"query": "pytest fixtures tmp_path", "top_k": 1})
        assert store.usage(skill_id)["retrieved"] == 1
        await c.call_tool("search_skills", {"query": "Pytest   FIXTURES tmp_path", "top_k": 1})
        assert store.usage(skill_id)["retrieved"] == 1                      # the same request, normalised
        await c.call_tool("render_context", {"query": "write pytest fixtures", "top_k": 1})
        assert store.usage(skill_id)["retrieved"] == 2
        assert store.usage(skill_id)["used"] == 0


async def wait_done(c: Client, job_id: str, timeout: float = 60) -> dict:
    with anyio.fail_after(timeout):
        while True:
            st = (await c.call_tool("extraction_status", {"job_id": job_id})).structured_content
            if st["state"] in ("done", "failed"):
                return st
            await anyio.sleep(0.2)


async def test_ingest_transcript_answers_at_once_and_the_embedded_worker_learns(home: Path) -> None:
    async with Client(AutoSkillServer(settings(home, worker=True)), raise_exceptions=True) as c:
        started = time.monotonic()
        r = (await c.call_tool("ingest_transcript", {"path": str(TRANSCRIPT)})).structured_content
        assert time.monotonic() - started < 2.0
        assert r["state"] in ("queued", "running") and r["created"] is True
        again = (await c.call_tool("ingest_transcript", {"path": str(TRANSCRIPT)})).structured_content
        assert again["job_id"] == r["job_id"] and again["created"] is False
        st = await wait_done(c, r["job_id"])
        assert st["state"] == "done", st
        assert st["result"]["extractor"].startswith("rules")
        learned = [d["name"] for d in st["result"]["skills"] if d["action"] in ("created", "merged")]
        assert learned
        names = {s["name"] for s in (await c.call_tool("list_skills", {"scope": "user"})).structured_content["skills"]}
        assert set(learned) <= names


async def test_ingest_inline_content_reports_progress_when_asked(home: Path) -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with Client(AutoSkillServer(settings(home, worker=True)), raise_exceptions=True) as c:
        r = await c.call_tool("ingest_transcript", {"content": TRANSCRIPT.read_text(), "format": "claude-code",
                                                    "wait_seconds": 60}, progress_callback=on_progress)
        out = r.structured_content
        assert out["state"] == "done" and out["source"] == "mcp-inline"
        assert seen[0][0] == 0 and "queued" in (seen[0][2] or "")
        assert seen[-1] == (1, 1, "done")
        both = await c.call_tool("ingest_transcript", {"path": str(TRANSCRIPT), "content": "x"})
        assert both.is_error
        missing = await c.call_tool("ingest_transcript", {"path": str(TRANSCRIPT.parent / "nope.jsonl")})
        assert missing.is_error and "no transcript file" in missing.content[0].text


async def test_extraction_status_never_shows_another_users_job(home: Path) -> None:
    with JobQueue(home) as q:
        job_id, _ = q.enqueue_content('{"messages": []}', user_id="bob", format="openai-chat")
    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        r = await c.call_tool("extraction_status", {"job_id": job_id})
        assert r.is_error and "no job" in r.content[0].text
    assert USER != "bob"


async def test_tools_list_is_answered_while_the_store_is_still_opening(home: Path, monkeypatch: pytest.MonkeyPatch
                                                                       ) -> None:
    import threading

    from autoskill_mcp.mcp_server.state import ServerState

    release = threading.Event()
    original = ServerState._load

    def slow_load(self: ServerState) -> None:
        release.wait(30)  # stands in for a store too large to open quickly
        original(self)

    monkeypatch.setattr(ServerState, "_load", slow_load)
    announced = anyio.Event()

    async def handler(message: object) -> None:
        from mcp.types import ToolListChangedNotification

        if isinstance(message, ToolListChangedNotification):
            announced.set()

    server = AutoSkillServer(settings(home))
    async with Client(server, mode="legacy", message_handler=handler, raise_exceptions=True) as c:
        started = time.monotonic()
        tools = {t.name: t for t in (await c.list_tools()).tools}
        assert time.monotonic() - started < 1.0
        early = tools["search_skills"].description or ""
        assert set(tools) == TOOLS and "pytest-fixtures" in early  # the catalogue, read from the catalog file
        assert "loading" not in early.lower() and "bob-secret-deploy" not in early
        assert not server.state.ready.is_set()
        release.set()
        await ready(server)
        with anyio.fail_after(10):
            await announced.wait()  # tools/list_changed once the store is open (its rescan may add skills)
        tools = {t.name: t for t in (await c.list_tools()).tools}
        assert tools["search_skills"].description == early  # the same store, the same description


def test_transcript_paths_are_read_only_for_local_callers() -> None:
    from types import SimpleNamespace

    from autoskill_mcp.mcp_server.auth import SCOPE_USER_KEY
    from autoskill_mcp.mcp_server.settings import McpSettings
    from autoskill_mcp.mcp_server.tools_learning import path_allowed

    remote = SimpleNamespace(scope={SCOPE_USER_KEY: "bob"})
    assert path_allowed(None, McpSettings(host="0.0.0.0"))  # stdio
    assert path_allowed(remote, McpSettings(host="127.0.0.1"))
    assert not path_allowed(remote, McpSettings(host="0.0.0.0"))


async def test_concurrent_calls_from_one_client_all_succeed(home: Path) -> None:
    results: list[bool] = []

    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        async def search(i: int) -> None:
            r = await c.call_tool("search_skills", {"query": f"pytest fixtures {i}"})
            results.append(not r.is_error and r.structured_content["hits"][0]["name"] == "pytest-fixtures")

        async def save(i: int) -> None:
            r = await c.call_tool("save_skill", {"name": f"concurrent-{i}", "description": f"Skill number {i}.",
                                                 "instructions": "# x"})
            results.append(not r.is_error and r.structured_content["action"] == "created")

        async with anyio.create_task_group() as tg:
            for i in range(12):
                tg.start_soon(search, i)
                tg.start_soon(save, i)
        page = (await c.call_tool("list_skills", {"scope": "user"})).structured_content
    assert len(results) == 24 and all(results)
    assert page["total"] == 3 + 12


def test_the_format_choices_are_the_formats_the_readers_know() -> None:
    from typing import get_args

    from autoskill_mcp.learning.transcripts import FORMATS
    from autoskill_mcp.mcp_server.tools_learning import Format

    assert get_args(Format) == ("auto", *FORMATS)


async def test_a_store_that_cannot_open_fails_each_call_clearly(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store root should be")
    async with Client(AutoSkillServer(settings(blocker)), raise_exceptions=True) as c:
        assert {t.name for t in (await c.list_tools()).tools} == TOOLS
        r = await c.call_tool("search_skills", {"query": "anything"})
        assert r.is_error and "could not be opened" in r.content[0].text
