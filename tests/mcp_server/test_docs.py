"""docs/mcp.md: every client snippet parses, and the command the stdio snippets name starts our server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from autoskill_mcp.store.tokens import FileTokenStore

from .helpers import REPO, server_env

DOC = REPO / "docs" / "mcp.md"


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def entries() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for text in blocks("json"):
        data = json.loads(text)
        servers = data.get("mcpServers") or data.get("servers")
        assert isinstance(servers, dict) and servers, text
        out += list(servers.values())
    for text in blocks("toml"):
        out += list(tomllib.loads(text)["mcp_servers"].values())
    return out


def test_every_snippet_parses_and_names_our_server() -> None:
    found = entries()
    assert len(blocks("json")) == 4 and len(blocks("toml")) == 1
    stdio = [e for e in found if "command" in e]
    http = [e for e in found if "url" in e]
    assert len(stdio) == 5 and len(http) == 4
    for e in stdio:
        assert e["command"] == "autoskill" and e["args"] == ["mcp"]
    for e in http:
        assert e["url"] == "http://127.0.0.1:8765/mcp"
        auth = (e.get("headers") or {}).get("Authorization", "")
        assert auth.startswith("Bearer ${") or e.get("bearer_token_env_var") == "AUTOSKILL_TOKEN"


@pytest.mark.anyio
async def test_the_snippet_command_starts_the_server(home: Path) -> None:
    command = Path(sys.executable).with_name("autoskill")
    if not command.exists():
        pytest.skip(f"no console script at {command} (install with pip install -e .)")
    async with Client(StdioServerParameters(command=str(command), args=["mcp"], env=server_env(home)),
                      mode="legacy") as c:
        assert "search_skills" in {t.name for t in (await c.list_tools()).tools}


def test_new_token_prints_a_token_that_maps_to_the_user(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "autoskill_mcp", "mcp", "--home", str(tmp_path), "--new-token", "bob"],
                         capture_output=True, text=True, timeout=60, cwd=REPO, check=True)
    assert FileTokenStore(tmp_path).user_for(out.stdout.strip()) == "bob"
