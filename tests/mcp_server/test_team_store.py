"""The MCP server on the team store (PostgreSQL): the same tools and resources as on the folder
store, chosen only by `[store] url` in config.toml; nothing above the store knows the difference."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client

from autoskill_mcp.mcp_server.server import AutoSkillServer
from autoskill_mcp.sdk import AutoSkill
from autoskill_mcp.store.postgres import PostgresSkillStore

from .helpers import PNG, config, seed, settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def team_home(tmp_path: Path, pg_dsn: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("AUTOSKILL_STORE_URL", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(f'[store]\nurl = "{pg_dsn}"\n', encoding="utf-8")
    seed(home)
    with AutoSkill(config(home)) as sdk:
        assert isinstance(sdk.store, PostgresSkillStore)  # seeded into PostgreSQL, not the folder
    assert not (home / "Users").exists()
    return home


async def test_tools_and_resources_serve_the_team_store(team_home: Path) -> None:
    async with Client(AutoSkillServer(settings(team_home)), raise_exceptions=True) as c:
        r = await c.call_tool("search_skills", {"query": "pytest fixtures tmp_path", "top_k": 2})
        hits = r.structured_content["hits"]
        assert hits[0]["name"] == "pytest-fixtures" and hits[0]["uri"] == "skill://pytest-fixtures/SKILL.md"
        res = {r.uri for r in (await c.list_resources()).resources}
        assert {"skill://pytest-fixtures/SKILL.md", "skill://pytest-fixtures/assets/logo.png",
                "skill://shared-style/SKILL.md"} <= res
        assert not any("bob-secret-deploy" in u for u in res)
        png = (await c.read_resource("skill://pytest-fixtures/assets/logo.png")).contents[0]
        import base64

        assert base64.b64decode(png.blob) == PNG
        saved = await c.call_tool("save_skill", {"name": "team-runbook", "description": "How the team runs "
                                                 "incidents. Use when paging.", "instructions": "1. Page."})
        assert not saved.is_error
    with AutoSkill(config(team_home)) as sdk:  # another process's view: the same database
        assert sdk.store.find("team-runbook", user_id="alice") is not None


def _machine(root: Path, dsn: str) -> Path:
    """A member's home on another machine: nothing in it but the config naming the team store."""
    root.mkdir(parents=True)
    (root / "config.toml").write_text(f'[store]\nurl = "{dsn}"\n[embeddings]\nprovider = "hashing"\ndims = 256\n',
                                      encoding="utf-8")
    return root


async def test_two_http_replicas_share_skills_and_tell_each_others_clients(tmp_path: Path, pg_dsn: str) -> None:
    import anyio
    import httpx2
    from mcp.client.streamable_http import streamable_http_client
    from mcp.types import ResourceListChangedNotification

    from .test_transports import HttpServer, client, names

    replicas = [HttpServer(_machine(tmp_path / name, pg_dsn)) for name in ("machine-a", "machine-b")]
    try:
        changed = anyio.Event()

        async def handler(message: object) -> None:
            if isinstance(message, ResourceListChangedNotification):
                changed.set()

        http = httpx2.AsyncClient(timeout=httpx2.Timeout(30.0, read=300.0))
        async with Client(streamable_http_client(replicas[0].url, http_client=http), mode="legacy",
                          message_handler=handler, raise_exceptions=True) as a, client(replicas[1].url, "auto") as b:
            await a.list_tools()  # registers the connection for notifications
            saved = await b.call_tool("save_skill", {"name": "on-call-runbook", "description": "How the team "
                                                     "handles a page. Use when on call.", "instructions": "1. Ack."})
            assert not saved.is_error
            with anyio.fail_after(30):
                await changed.wait()  # replica A heard replica B's write (LISTEN/NOTIFY)
            assert "on-call-runbook" in await names(a)
            assert await names(a) == await names(b)
    finally:
        for replica in replicas:
            replica.stop()


def _new_token(home: Path, user: str) -> str:
    """`autoskill mcp --new-token USER` on the machine whose home is `home`, as a member would run it."""
    import subprocess

    from .helpers import PYTHON, REPO, server_env

    done = subprocess.run([PYTHON, "-m", "autoskill_mcp", "mcp", "--new-token", user], env=server_env(home),
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=True)
    assert "the team store at" in done.stderr and "shown only this once" in done.stderr
    return done.stdout.strip()


async def test_a_token_issued_on_one_machine_is_accepted_by_every_replica(tmp_path: Path, pg_dsn: str) -> None:
    import httpx2

    from .test_transports import HttpServer, client, names

    home_a, home_b = _machine(tmp_path / "machine-a", pg_dsn), _machine(tmp_path / "machine-b", pg_dsn)
    bob = _new_token(home_a, "bob")  # issued once, on machine A, into the team store
    replicas = [HttpServer(home, "--require-token") for home in (home_a, home_b)]
    try:
        carol = _new_token(home_b, "carol")  # issued while the replicas run: no restart needed
        async with client(replicas[1].url, "auto", bob) as bob_on_b:
            saved = await bob_on_b.call_tool("save_skill", {"name": "bob-deploy-notes", "description": "How bob "
                                                            "deploys billing. Use when deploying.",
                                                            "instructions": "1. Drain."})
            assert not saved.is_error
        async with client(replicas[0].url, "auto", bob) as bob_on_a, \
                client(replicas[0].url, "auto", carol) as carol_on_a:
            assert await names(bob_on_a) == {"bob-deploy-notes"}  # the same user on the other machine
            assert "bob-deploy-notes" not in await names(carol_on_a)
        ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        accept = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
        with httpx2.Client(timeout=30) as h:
            for replica in replicas:
                for wrong in ("wrong", bob + "x"):
                    r = h.post(replica.url, json=ping, headers={**accept, "Authorization": f"Bearer {wrong}"})
                    assert r.status_code == 401 and r.json() == {"error": "unauthorized",
                                                                 "message": "invalid bearer token"}
                    assert r.headers["www-authenticate"].startswith("Bearer")
                r = h.post(replica.url, json=ping, headers=accept)
                assert r.status_code == 401 and "a bearer token is required" in r.json()["message"]
    finally:
        for replica in replicas:
            replica.stop()
    assert [replica.proc.returncode for replica in replicas] == [0, 0]  # SIGTERM ends each cleanly
    for home in (home_a, home_b):  # nothing kept on the machines: no token file, no generated token
        assert not (home / "mcp").exists()


async def test_an_unreachable_token_database_answers_503_not_a_crash(tmp_path: Path, unreachable_dsn: str) -> None:
    import httpx2

    from autoskill_mcp.mcp_server.auth import BearerGuard
    from autoskill_mcp.store.postgres.tokens import PgTokenStore

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        raise AssertionError("a request whose token cannot be checked must not reach the app")

    tokens = PgTokenStore(unreachable_dsn, home=tmp_path)
    guard = BearerGuard(app, tokens, default_user="alice", require_token=True)
    try:
        async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=guard), base_url="http://127.0.0.1") as h:
            r = await h.get("/mcp", headers={"Authorization": "Bearer some-token"})
        assert r.status_code == 503 and r.json()["error"] == "unavailable"
        assert "unreachable" in r.json()["message"] and "secret-pw" not in r.text
    finally:
        tokens.close()
