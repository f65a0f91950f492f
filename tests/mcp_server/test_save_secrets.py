"""`save_skill` over a real stdio session: no secret is stored, and the result says what was redacted."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from bench.secret_corpus import leaks, plants

from .helpers import PYTHON, REPO, server_env

pytestmark = pytest.mark.anyio


def secret(kind: str) -> str:
    return next(p.secret for p in plants() if p.kind == kind)


def store_bytes(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file() and p.name != "config.toml")


async def test_save_skill_stores_no_secret_and_says_what_it_redacted(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    params = StdioServerParameters(command=PYTHON, args=["-m", "autoskill_mcp", "mcp"], env=server_env(home),
                                   cwd=str(REPO))
    body = (f"# Deploy\n\n1. export GITHUB_TOKEN={secret('github_token')}\n"
            f"2. curl -H 'Authorization: Bearer {secret('bearer_token')}' https://api.example.com\n")
    async with Client(params, raise_exceptions=True) as c:
        r = await c.call_tool("save_skill", {"name": "deploy-api", "description": "Deploys the API.",
                                             "instructions": body})
        assert not r.is_error, r.content[0].text
        out = r.structured_content
        assert out["action"] == "created" and out["redacted"] == {"github_token": 1, "bearer_token": 1}
        assert "2 secrets replaced by [REDACTED:<kind>]" in out["reason"]
        md = (f"---\nname: whole-file\ndescription: Calls Stripe with {secret('stripe_key')}.\n---\n"
              f"my password is {secret('password_in_prose')} ok\n")
        whole = (await c.call_tool("save_skill", {"skill_md": md})).structured_content
        assert whole["redacted"] == {"stripe_key": 1, "password_in_prose": 1}
        merged = (await c.call_tool("save_skill", {"name": "deploy-api", "description": "Deploys the API.",
                                                   "mode": "merge",
                                                   "instructions": f"- Never print {secret('openai_api_key')}."})
                  ).structured_content
        assert merged["action"] == "merged" and merged["redacted"] == {"openai_api_key": 1}
        clean = (await c.call_tool("save_skill", {"name": "plain", "description": "Nothing secret.",
                                                  "instructions": "1. Relax."})).structured_content
        assert clean["redacted"] == {} and "REDACTED" not in clean["reason"]
        got = (await c.call_tool("get_skill", {"name": "deploy-api"})).structured_content
        assert "[REDACTED:github_token]" in got["instructions"]
    assert leaks(store_bytes(home)) == {}
