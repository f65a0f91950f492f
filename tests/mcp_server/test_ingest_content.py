"""`ingest_transcript` with `content` that is one JSON document, over a real stdio session.

Gemini CLI and OpenAI-chat transcripts are single `.json` files; a client that read one sends
the parsed object or list, and the server must take it as it takes text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from .helpers import PYTHON, REPO, server_env

pytestmark = pytest.mark.anyio

FIXTURES = REPO / "tests" / "fixtures" / "transcripts"
GEMINI = FIXTURES / "gemini" / "yoavf__gemini_session.json"
OPENAI = FIXTURES / "openai-chat" / "constructed__fasthooks_claude_session_as_openai_chat.json"


def params(home: Path) -> StdioServerParameters:
    return StdioServerParameters(command=PYTHON, args=["-m", "autoskill_mcp", "mcp"], env=server_env(home),
                                 cwd=str(REPO))


async def ingest(c: Client, content: Any, **kw: Any) -> Any:
    return await c.call_tool("ingest_transcript", {"content": content, "wait_seconds": 60, **kw})


async def test_json_documents_are_accepted_as_content_and_learned_from(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    gemini = json.loads(GEMINI.read_text(encoding="utf-8"))
    openai = json.loads(OPENAI.read_text(encoding="utf-8"))
    assert isinstance(gemini, dict) and isinstance(openai, dict)
    async with Client(params(home), raise_exceptions=True) as c:
        for content, agent in ((gemini, "gemini"), (openai, "openai-chat"), (openai["messages"], "openai-chat")):
            r = await ingest(c, content)
            assert not r.is_error, r.content[0].text
            job = r.structured_content
            assert job["state"] == "done", job
            assert [s["agent"] for s in job["result"]["sessions"]] == [agent]
        text = await ingest(c, GEMINI.read_text(encoding="utf-8"))  # the same document as text: the same job
        assert not text.is_error and text.structured_content["state"] == "done"


@pytest.mark.parametrize("content", [42, True, 1.5])
async def test_content_of_another_type_is_refused_in_plain_words(tmp_path: Path, content: Any) -> None:
    home = tmp_path / "home"
    home.mkdir()
    async with Client(params(home), raise_exceptions=True) as c:
        r = await ingest(c, content)
        assert r.is_error
        message = r.content[0].text
        assert "content must be the transcript as text, or a JSON object or array" in message
        assert "pydantic" not in message and "http" not in message
        bad = await c.call_tool("ingest_transcript", {"content": "x", "wait_seconds": "soon"})
        assert bad.is_error and "wait_seconds" in bad.content[0].text
        assert "pydantic" not in bad.content[0].text and "type=" not in bad.content[0].text
