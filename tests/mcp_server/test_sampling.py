"""Extraction through the client's model: the sampling bridge, and the worker choosing it per job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from mcp import Client
from mcp.types import CreateMessageRequestParams, CreateMessageResult, ErrorData, TextContent

from autoskill_mcp.mcp_server.sampling import SamplingBridge
from autoskill_mcp.mcp_server.server import AutoSkillServer

from .helpers import TRANSCRIPT, USER, settings

pytestmark = pytest.mark.anyio


async def test_the_bridge_asks_a_legacy_client_from_a_worker_thread(home: Path) -> None:
    seen: list[CreateMessageRequestParams] = []

    async def sample(context: Any, params: CreateMessageRequestParams) -> CreateMessageResult:
        seen.append(params)
        return CreateMessageResult(role="assistant", model="client-model",
                                   content=TextContent(type="text", text="answer to " + params.system_prompt))

    server = AutoSkillServer(settings(home))
    async with Client(server, mode="legacy", sampling_callback=sample, raise_exceptions=True) as c:
        await c.list_tools()  # any request after the handshake registers the connection
        session = server.state.clients.sampler_for(USER)
        assert session is not None and server.state.clients.sampler_for("bob") is None
        bridge = SamplingBridge(session, anyio.lowlevel.current_token())
        text = await anyio.to_thread.run_sync(bridge, "the system", "the user", 321, 0.0)
        assert text == "answer to the system"
        assert seen[0].max_tokens == 321 and seen[0].messages[0].content.text == "the user"


async def test_clients_without_sampling_are_never_asked(home: Path) -> None:
    server = AutoSkillServer(settings(home))
    async with Client(server, mode="legacy", raise_exceptions=True) as c:
        await c.list_tools()
        await c.list_prompts()  # one connection, one entry, however many requests
        assert len(server.state.clients) == 1 and server.state.clients.sampler_for(USER) is None
    async with Client(server, raise_exceptions=True) as c:  # 2026-07-28: no server-to-client requests at all
        await c.list_tools()
        assert server.state.clients.sampler_for(USER) is None


async def test_a_failed_sample_raises_in_the_worker_thread(home: Path) -> None:
    async def refuse(context: Any, params: CreateMessageRequestParams) -> ErrorData:
        return ErrorData(code=-1, message="user declined")

    server = AutoSkillServer(settings(home))
    async with Client(server, mode="legacy", sampling_callback=refuse, raise_exceptions=True) as c:
        await c.list_tools()
        bridge = SamplingBridge(server.state.clients.sampler_for(USER), anyio.lowlevel.current_token())
        with pytest.raises(Exception, match="declined"):
            await anyio.to_thread.run_sync(bridge, "s", "u", 10, 0.0)


async def test_ingest_extracts_with_the_clients_own_model(home: Path) -> None:
    import json

    asked: list[str] = []

    async def model(context: Any, params: CreateMessageRequestParams) -> CreateMessageResult:
        asked.append(params.system_prompt or "")
        if "same capability" in (params.system_prompt or ""):
            answer = {"action": "add", "reason": "a distinct capability"}
        else:
            answer = {"skills": [{
                "name": "payment-logging", "description": "Log failed payments with the logging module.",
                "instructions": "# Logging\n\n1. Module-level logger.\n2. Warning level with the order id.",
                "evidence": ["never use print for logging"], "tags": ["logging"]}]}
        return CreateMessageResult(role="assistant", model="client-model",
                                   content=TextContent(type="text", text=json.dumps(answer)))

    server = AutoSkillServer(settings(home, worker=True))
    async with Client(server, mode="legacy", sampling_callback=model, raise_exceptions=True) as c:
        await c.list_tools()  # the connection is registered as able to sample
        r = await c.call_tool("ingest_transcript", {"path": str(TRANSCRIPT), "wait_seconds": 60})
        out = r.structured_content
        assert out["state"] == "done", out
        assert out["result"]["extractor"] == "llm:sampling:client"
        assert asked and "[autoskill-extraction]" in asked[0]
        decisions = {d["name"]: d["action"] for d in out["result"]["skills"]}
        assert decisions.get("payment-logging") == "created"
        got = (await c.call_tool("get_skill", {"name": "payment-logging"})).structured_content
        assert "Module-level logger" in got["instructions"]


async def test_sampling_off_never_asks_the_client(home: Path) -> None:
    asked = 0

    async def model(context: Any, params: CreateMessageRequestParams) -> ErrorData:
        nonlocal asked
        asked += 1
        return ErrorData(code=-1, message="should not be called")

    server = AutoSkillServer(settings(home, worker=True, sampling="off"))
    async with Client(server, mode="legacy", sampling_callback=model, raise_exceptions=True) as c:
        await c.list_tools()
        r = await c.call_tool("ingest_transcript", {"path": str(TRANSCRIPT), "wait_seconds": 60})
        assert r.structured_content["state"] == "done" and asked == 0
        assert r.structured_content["result"]["extractor"].startswith("rules")


async def test_ingest_falls_back_to_offline_rules_when_the_client_declines(home: Path) -> None:
    asked = 0

    async def refuse(context: Any, params: CreateMessageRequestParams) -> ErrorData:
        nonlocal asked
        asked += 1
        return ErrorData(code=-1, message="user declined")

    server = AutoSkillServer(settings(home, worker=True))
    async with Client(server, mode="legacy", sampling_callback=refuse, raise_exceptions=True) as c:
        r = await c.call_tool("ingest_transcript", {"path": str(TRANSCRIPT), "wait_seconds": 60})
        out = r.structured_content
        assert out["state"] == "done", out
        assert asked >= 1
        assert out["result"]["extractor"].startswith("rules")
