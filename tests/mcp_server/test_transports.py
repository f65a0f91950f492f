"""Real processes: `python -m autoskill_mcp mcp` over stdio and over streamable HTTP, driven by the SDK's client."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.types import ResourceListChangedNotification

from autoskill_mcp.store.tokens import FileTokenStore

from .helpers import PYTHON, REPO, all_skills, server_env
from .test_live import write_from_another_process

pytestmark = pytest.mark.anyio


def stdio_params(home: Path) -> StdioServerParameters:
    return StdioServerParameters(command=PYTHON, args=["-m", "autoskill_mcp", "mcp"], env=server_env(home),
                                 cwd=str(REPO))


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_stdio_session_in_a_real_subprocess(home: Path, mode: str) -> None:
    changed = anyio.Event()

    async def handler(message: object) -> None:
        if isinstance(message, ResourceListChangedNotification):
            changed.set()

    async with Client(stdio_params(home), mode=mode, message_handler=handler, raise_exceptions=True) as c:
        assert c.protocol_version == ("2026-07-28" if mode == "auto" else "2025-11-25")
        assert_lists_can_change(c)
        assert len((await c.list_tools()).tools) == 10
        hits = (await c.call_tool("search_skills", {"query": "release changelog tag"})).structured_content["hits"]
        assert hits[0]["name"] == "release-checklist"
        text = (await c.read_resource("skill://release-checklist/SKILL.md")).contents[0].text
        assert "name: release-checklist" in text
        if mode == "auto":
            assert len(await all_skills(c)) == 4
        else:
            await anyio.to_thread.run_sync(write_from_another_process, home)
            with anyio.fail_after(10):
                await changed.wait()


def assert_lists_can_change(c: Client) -> None:
    caps = c.server_capabilities
    assert caps.tools and caps.tools.list_changed
    assert caps.resources and caps.resources.list_changed
    assert caps.prompts and caps.prompts.list_changed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HttpServer:
    def __init__(self, home: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        environ = server_env(home)
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "autoskill_mcp", "mcp", "--http", "--port", str(self.port), "--max-body", "200000",
             *extra], env={**environ, **(env or {})}, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert self.proc.stderr is not None
        # The server says where it serves once its socket is listening (warnings may come first).
        seen = ""
        while line := self.proc.stderr.readline().decode():
            seen += line
            if "serving streamable HTTP" in line:
                return
        raise RuntimeError(f"server did not start: {seen}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()


@pytest.fixture
def http_server(home: Path) -> Iterator[HttpServer]:
    srv = HttpServer(home)
    yield srv
    srv.stop()


def client(url: str, mode: str, token: str | None = None) -> Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0, read=300.0))
    return Client(streamable_http_client(url, http_client=http), mode=mode, raise_exceptions=True)


async def names(c: Client) -> set[str]:
    page = (await c.call_tool("list_skills", {"scope": "user"})).structured_content
    return {s["name"] for s in page["skills"]}


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_http_sessions_isolate_users_by_token(home: Path, http_server: HttpServer, mode: str) -> None:
    bob = FileTokenStore(home).issue("bob")
    async with client(http_server.url, mode) as anon, client(http_server.url, mode, bob) as as_bob:
        assert anon.protocol_version == ("2026-07-28" if mode == "auto" else "2025-11-25")
        assert await names(anon) == {"pytest-fixtures", "git-commit-messages", "release-checklist"}
        assert await names(as_bob) == {"bob-secret-deploy"}
        saved = (await as_bob.call_tool("save_skill", {
            "name": f"bob-notes-{mode}", "description": "Bob's own notes on the build.",
            "instructions": "# Notes"})).structured_content
        assert saved["action"] == "created"
        assert (home / "Users" / "bob" / f"bob-notes-{mode}" / "SKILL.md").is_file()
        assert f"bob-notes-{mode}" not in await names(anon)
        denied = await anon.call_tool("delete_skill", {"name": "bob-secret-deploy"})
        assert denied.is_error
        res = {r.uri for r in (await as_bob.list_resources()).resources}
        assert "skill://bob-secret-deploy/SKILL.md" in res and "skill://pytest-fixtures/SKILL.md" not in res
        desc = next(t for t in (await as_bob.list_tools()).tools if t.name == "search_skills").description
        assert "bob-secret-deploy" in desc and "pytest-fixtures" not in desc


def test_http_refuses_bad_tokens_foreign_hosts_and_oversized_bodies(http_server: HttpServer) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    accept = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    with httpx2.Client(timeout=10) as h:
        r = h.post(http_server.url, json=body, headers={**accept, "Authorization": "Bearer wrong"})
        assert r.status_code == 401 and "invalid bearer token" in r.text
        r = h.post(http_server.url, json=body, headers={**accept, "Authorization": "Bearer x-user=alice"})
        assert r.status_code == 401
        r = h.post(http_server.url, json=body, headers={**accept, "Host": "evil.example:80"})
        assert r.status_code in (403, 421)
        r = h.post(http_server.url, json=body, headers={**accept, "Origin": "http://evil.example"})
        assert r.status_code == 403
        r = h.post(http_server.url, content=b"{" + b" " * 300_000 + b"}", headers=accept)
        assert_jsonrpc_too_large(r)


def assert_jsonrpc_too_large(r: httpx2.Response) -> None:
    """413 with a JSON-RPC error an MCP client can read: id null (the request was never read), the limit named."""
    assert r.status_code == 413 and r.headers["content-type"].startswith("application/json")
    answer = r.json()
    assert answer["jsonrpc"] == "2.0" and answer["id"] is None
    assert answer["error"]["code"] == -32600
    assert "over 200,000 bytes (--max-body)" in answer["error"]["message"]


def oversized_save(name: str) -> dict[str, Any]:
    """A save_skill call whose body is over the server's --max-body (200,000 bytes)."""
    return {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "save_skill", "arguments": {
        "name": name, "description": "Replaced by a body too large to read.", "instructions": "x" * 300_000}}}


def test_oversized_bodies_declared_or_streamed_get_a_jsonrpc_413_and_change_nothing(
        home: Path, http_server: HttpServer) -> None:
    import json

    skill_md = home / "Users" / "alice" / "pytest-fixtures" / "SKILL.md"
    before = skill_md.read_bytes()
    accept = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    body = json.dumps(oversized_save("pytest-fixtures")).encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must count what streams in
        for start in range(0, len(body), 16_384):
            yield body[start:start + 16_384]

    with httpx2.Client(timeout=30) as h:
        declared = h.post(http_server.url, content=body, headers=accept)
        assert "content-length" in {k.lower() for k in declared.request.headers}
        assert_jsonrpc_too_large(declared)
        streamed = h.post(http_server.url, content=chunks(), headers=accept)
        assert streamed.request.headers.get("transfer-encoding") == "chunked"
        assert_jsonrpc_too_large(streamed)
        ping = h.post(http_server.url, json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}},
            headers=accept)
        assert ping.status_code == 200  # the server keeps serving
    assert skill_md.read_bytes() == before


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_the_sdk_client_reads_the_413_as_a_jsonrpc_error_and_its_session_goes_on(
        home: Path, http_server: HttpServer, mode: str) -> None:
    from mcp.shared.exceptions import MCPError

    skill_md = home / "Users" / "alice" / "pytest-fixtures" / "SKILL.md"
    before = skill_md.read_bytes()
    async with client(http_server.url, mode) as c:
        with pytest.raises(MCPError, match=r"over 200,000 bytes \(--max-body\); nothing was read or changed"):
            await c.call_tool("save_skill", oversized_save("pytest-fixtures")["params"]["arguments"])
        hits = (await c.call_tool("search_skills", {"query": "pytest fixtures tmp_path"})).structured_content
        assert hits["hits"][0]["name"] == "pytest-fixtures"
        assert await names(c) == {"pytest-fixtures", "git-commit-messages", "release-checklist"}
    assert skill_md.read_bytes() == before


async def test_require_token_refuses_anonymous_clients(home: Path) -> None:
    token = FileTokenStore(home).issue("alice")
    srv = HttpServer(home, "--require-token")
    try:
        with httpx2.Client(timeout=10) as h:
            r = h.post(srv.url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                       headers={"Accept": "application/json, text/event-stream"})
            assert r.status_code == 401
        async with client(srv.url, "auto", token) as c:
            assert "release-checklist" in await names(c)
    finally:
        srv.stop()


def test_a_non_loopback_bind_generates_a_private_token(tmp_path: Path) -> None:
    from autoskill_mcp.mcp_server.http import build_app, security_settings
    from autoskill_mcp.mcp_server.server import AutoSkillServer
    from autoskill_mcp.mcp_server.settings import McpSettings

    home = tmp_path / "h"
    settings = McpSettings(home=home, user="carol", embeddings="hashing", worker=False, host="192.0.2.10")
    guard: Any = build_app(AutoSkillServer(settings), settings)
    token_file = home / "mcp" / "token"
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(home / "mcp" / "tokens.json").st_mode) == 0o600
    assert guard.require_token is True
    assert FileTokenStore(home).user_for(token_file.read_text().strip()) == "carol"
    assert "192.0.2.10:*" in security_settings(settings).allowed_hosts
    # a second start keeps the existing token
    build_app(AutoSkillServer(settings), settings)
    assert FileTokenStore(home).user_for(token_file.read_text().strip()) == "carol"


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_http_clients_hear_another_process_write(home: Path, http_server: HttpServer, mode: str) -> None:
    changed = anyio.Event()

    async def handler(message: object) -> None:
        if isinstance(message, ResourceListChangedNotification):
            changed.set()

    headers: dict[str, str] = {}
    http = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0, read=300.0))
    async with Client(streamable_http_client(http_server.url, http_client=http), mode=mode,
                      message_handler=handler, raise_exceptions=True) as c:
        assert_lists_can_change(c)
        await c.list_tools()
        if mode == "auto":
            async with c.listen(resources_list_changed=True) as events:
                await anyio.to_thread.run_sync(write_from_another_process, home)
                with anyio.fail_after(10):
                    async for _event in events:
                        break
        else:
            await anyio.to_thread.run_sync(write_from_another_process, home)
            with anyio.fail_after(10):
                await changed.wait()
        assert "written-elsewhere" in await names(c)


def test_nothing_heavy_is_imported_before_the_first_tools_list_answer(home: Path, tmp_path: Path) -> None:
    import json

    handshake = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    ]
    log = tmp_path / "imports.txt"
    with log.open("w") as err:
        proc = subprocess.Popen([PYTHON, "-X", "importtime", "-m", "autoskill_mcp", "mcp"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=err, env=server_env(home), cwd=REPO)
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("".join(json.dumps(m) + "\n" for m in handshake).encode())
        proc.stdin.flush()
        answer: dict[str, Any] = {}
        for line in proc.stdout:
            answer = json.loads(line)
            if answer.get("id") == 2:
                break
        proc.kill()  # at once: what follows the answer (loading the store) must not be counted
        proc.wait()
    assert len(answer["result"]["tools"]) == 10
    imported = {line.rsplit("|", 1)[-1].strip() for line in log.read_text().splitlines() if "|" in line}
    for heavy in ("numpy", "onnxruntime", "autoskill_mcp.store.local", "autoskill_mcp.retrieval.hybrid",
                  "autoskill_mcp.learning.pipeline", "autoskill_mcp.sdk"):
        assert heavy not in imported, heavy
