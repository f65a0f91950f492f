"""Shared set-up for the MCP tests: a seeded store on disk, and raw `skills/*` requests."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Literal

from mcp.types import Request
from pydantic import TypeAdapter

from autoskill_mcp.config import AutoSkillConfig
from autoskill_mcp.sdk import AutoSkill

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "autoskill_mcp" / "examples"
TRANSCRIPT = EXAMPLES / "transcripts" / "claude-code-session.jsonl"
USER = "alice"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


def config(home: Path, user: str = USER) -> AutoSkillConfig:
    return AutoSkillConfig(store={"provider": "local", "path": str(home)},
                           embeddings={"provider": "hashing", "dims": 256}, default_user=user)


def seed(home: Path) -> None:
    """alice: three skills (one with a text and a binary file); bob: one; shared: one."""
    with AutoSkill(config(home)) as sdk:
        sdk.upsert(name="pytest-fixtures", description="Write pytest fixtures with tmp_path and monkeypatch.",
                   instructions="# Pytest fixtures\n\n1. Prefer tmp_path over tempfile.\n2. Yield, then clean up.",
                   tags=["python", "testing"],
                   files={"references/examples.md": "# Examples\n\nuse tmp_path\n", "assets/logo.png": PNG})
        sdk.upsert(name="git-commit-messages", description="Write commit messages in the imperative mood.",
                   instructions="# Commits\n\nSubject under 50 characters, imperative mood.")
        sdk.upsert(name="release-checklist", description="Cut a release: changelog, tag, publish.",
                   instructions="# Release\n\n1. Update CHANGELOG.md\n2. Tag\n3. Publish")
        sdk.upsert(name="bob-secret-deploy", description="Bob's private deploy procedure for the billing cluster.",
                   instructions="# Deploy\n\nbob only", user_id="bob")
        sdk.upsert(name="shared-style", description="Team-wide code style for Python services.",
                   instructions="# Style\n\nblack, ruff", scope="shared")


def settings(home: Path, **kw: Any) -> Any:
    from autoskill_mcp.mcp_server.settings import McpSettings

    kw.setdefault("worker", False)
    kw.setdefault("ingest_roots", [str(TRANSCRIPT.parent)])  # the bundled session the tests learn from
    return McpSettings(home=home, user=USER, embeddings="hashing", **kw)


def server_env(home: Path, user: str = USER) -> dict[str, str]:
    """Environment for a server subprocess on `home` (hashing embeddings keep it light)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOSKILL_")}
    env.update({"AUTOSKILL_HOME": str(home), "AUTOSKILL_USER": user, "PYTHONPATH": str(REPO)})
    config_file = home / "config.toml"
    if not (config_file.is_file() and "[embeddings]" in config_file.read_text(encoding="utf-8")):
        config_file.write_text('[embeddings]\nprovider = "hashing"\ndims = 256\n', encoding="utf-8")
    return env


PYTHON = sys.executable


class SkillsListRequest(Request[dict[str, Any] | None, Literal["skills/list"]]):
    pass


class SkillsGetRequest(Request[dict[str, Any], Literal["skills/get"]]):
    pass


RAW = TypeAdapter(dict[str, Any])


async def skills_list(client: Any, cursor: str | None = None) -> dict[str, Any]:
    params = {"cursor": cursor} if cursor else None
    return await client.session.send_request(SkillsListRequest(method="skills/list", params=params), RAW)


async def skills_get(client: Any, uri: str) -> dict[str, Any]:
    return await client.session.send_request(SkillsGetRequest(method="skills/get", params={"uri": uri}), RAW)


async def all_skills(client: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await skills_list(client, cursor)
        out += page["skills"]
        cursor = page.get("nextCursor")
        if not cursor:
            return out


class DirectoryReadRequest(Request[dict[str, Any], Literal["resources/directory/read"]]):
    pass


async def directory_read(client: Any, uri: str, cursor: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"uri": uri, **({"cursor": cursor} if cursor else {})}
    return await client.session.send_request(
        DirectoryReadRequest(method="resources/directory/read", params=params), RAW)
