"""Live updates: another process (or a hand edit) changes the store; connected clients hear it in ~1 s."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.types import ResourceListChangedNotification, ToolListChangedNotification

from autoskill_mcp.mcp_server.server import AutoSkillServer

from .helpers import PYTHON, REPO, settings

pytestmark = pytest.mark.anyio

#: the spec is "about a second"; the slack covers a loaded shared CI machine
LATENCY_LIMIT = 2.5

WRITER = """
import sys
from autoskill_mcp.config import AutoSkillConfig
from autoskill_mcp.sdk import AutoSkill
cfg = AutoSkillConfig(store={"provider": "local", "path": sys.argv[1]},
                      embeddings={"provider": "hashing", "dims": 256}, default_user="alice")
with AutoSkill(cfg) as sdk:
    sdk.upsert(name="written-elsewhere", description="Saved by another process while the server runs.",
               instructions="# Elsewhere")
"""


def write_from_another_process(home: Path) -> float:
    """Run the writer; the time it finished."""
    subprocess.run([PYTHON, "-c", WRITER, str(home)], check=True, cwd=REPO, timeout=60)
    return time.monotonic()


async def test_modern_listeners_hear_another_process_write(home: Path) -> None:
    server = AutoSkillServer(settings(home))
    async with Client(server, raise_exceptions=True) as c:
        await anyio.to_thread.run_sync(server.state.sdk)
        async with c.listen(resources_list_changed=True) as events:
            done = await anyio.to_thread.run_sync(write_from_another_process, home)
            with anyio.fail_after(10):
                async for _event in events:
                    break
            assert time.monotonic() - done < LATENCY_LIMIT
        uris = {r.uri for r in (await c.list_resources()).resources}
        assert "skill://written-elsewhere/SKILL.md" in uris


async def test_legacy_sessions_hear_a_hand_edit(home: Path) -> None:
    got_resources = anyio.Event()
    got_tools = anyio.Event()

    async def handler(message: object) -> None:
        if isinstance(message, ResourceListChangedNotification):
            got_resources.set()
        if isinstance(message, ToolListChangedNotification):
            got_tools.set()

    server = AutoSkillServer(settings(home))
    async with Client(server, mode="legacy", message_handler=handler, raise_exceptions=True) as c:
        await anyio.to_thread.run_sync(server.state.sdk)
        await c.list_tools()  # any request registers the connection for notifications
        folder = home / "Common" / "hand-written"
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text("---\nname: hand-written\ndescription: Typed in an editor.\n---\n# Hi\n")
        edited = time.monotonic()
        with anyio.fail_after(10):
            await got_resources.wait()
            await got_tools.wait()
        assert time.monotonic() - edited < LATENCY_LIMIT
        prompts = {p.name for p in (await c.list_prompts()).prompts}
        assert "hand-written" in prompts


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_every_client_is_told_the_lists_can_change(home: Path, mode: str) -> None:
    async with Client(AutoSkillServer(settings(home)), mode=mode, raise_exceptions=True) as c:  # type: ignore[arg-type]
        caps = c.server_capabilities
        assert caps.tools and caps.tools.list_changed
        assert caps.resources and caps.resources.list_changed
        assert caps.prompts and caps.prompts.list_changed
