"""`autoskill serve`'s settings ([proxy] in config.toml, the command line) and its guard off loopback, in-process."""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path

import httpx
import pytest

from autoskill_mcp.errors import ConfigError
from autoskill_mcp.serve import cli as serve_cli
from autoskill_mcp.serve.extraction import conversation_label, document, should_queue
from autoskill_mcp.serve.injection import inject
from autoskill_mcp.store.tokens import FileTokenStore


def parse(home: Path, *argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    for name in ("--home", "--user", "--embeddings"):
        p.add_argument(name)
    p.add_argument("--library", action="append")
    p.add_argument("-v", "--verbose", action="store_true")
    serve_cli.add_arguments(p)
    return p.parse_args(["--home", str(home), "--embeddings", "hashing", *argv])


def test_proxy_table_fills_what_the_command_line_leaves(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[proxy]\nupstream = "http://127.0.0.1:1234/v1/"\napi_key_env = "K"\n'
                                          'top_k = 2\nmin_score = 0\nextract_mode = "always"\n', encoding="utf-8")
    s = serve_cli.settings_from(parse(tmp_path, "--top-k", "4"))
    assert (s.upstream, s.api_key_env, s.top_k, s.min_score, s.extract_mode) == (
        "http://127.0.0.1:1234/v1", "K", 4, 0.0, "always")
    s = serve_cli.settings_from(parse(tmp_path, "--upstream", "https://api.example/v1"))
    assert s.upstream == "https://api.example/v1" and s.http.port == 9000 and s.mcp


@pytest.mark.parametrize("table", ['top_k = "3"', 'extract_mode = "sometimes"', "budget = 0", 'upstream = "ftp://x"',
                                   "nonsense = 1", "min_score = 2.0", "proxy = 1"])
def test_bad_proxy_settings_are_refused_by_name(tmp_path: Path, table: str) -> None:
    text = table if table == "proxy = 1" else f"[proxy]\n{table}\n"
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError):
        serve_cli.settings_from(parse(tmp_path))


def test_extraction_modes_labels_and_the_queued_document() -> None:
    one = [{"role": "user", "content": "a"}]
    two = [*one, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}]
    assert not should_queue("auto", 2, one) and should_queue("auto", 2, two) and should_queue("always", 2, one)
    assert not should_queue("never", 1, two) and should_queue("auto", 1, one)
    assert conversation_label(one, "alice") == conversation_label(two, "alice") != conversation_label(two, "bob")
    assert '"content": "done"' in document(two, "done")
    injected = inject([{"role": "system", "content": "s"}, *two], "SKILLS")
    assert [m["role"] for m in injected] == ["system", "system", "user", "assistant", "user"]
    assert injected[1]["content"] == "SKILLS" and inject(two, "") == two


@pytest.mark.anyio
async def test_a_non_loopback_bind_requires_a_token(tmp_path: Path) -> None:
    from autoskill_mcp.serve.app import build_app

    home = tmp_path / "h"
    args = parse(home, "--user", "carol", "--host", "192.0.2.10", "--port", "9100",
                 "--upstream", "http://127.0.0.1:9/v1", "--no-mcp")
    app = build_app(serve_cli.settings_from(args))
    token_file = home / "mcp" / "token"
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    token = token_file.read_text().strip()
    assert FileTokenStore(home).user_for(token) == "carol"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://192.0.2.10:9100") as h:
        assert (await h.get("/health")).status_code == 401
        assert (await h.get("/health", headers={"Authorization": "Bearer some-openai-key"})).status_code == 401
        r = await h.get("/health", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json()["upstream_configured"]


@pytest.mark.anyio
async def test_serve_replicas_on_a_team_store_share_its_tokens(tmp_path: Path, pg_dsn: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The first replica off loopback generates the team's one token (in the database); the next
    generates none and accepts it, as it accepts any token a member issued on any machine."""
    from autoskill_mcp.serve.app import build_app
    from autoskill_mcp.store.postgres.tokens import PgTokenStore

    monkeypatch.delenv("AUTOSKILL_STORE_URL", raising=False)
    homes = [tmp_path / "machine-a", tmp_path / "machine-b"]
    for home in homes:
        home.mkdir()
        (home / "config.toml").write_text(f'[store]\nurl = "{pg_dsn}"\n', encoding="utf-8")
    apps = [build_app(serve_cli.settings_from(parse(home, "--user", "carol", "--host", "192.0.2.10", "--port",
                                                    "9100", "--upstream", "http://127.0.0.1:9/v1", "--no-mcp")))
            for home in homes]
    generated = (homes[0] / "mcp" / "token").read_text().strip()
    assert not (homes[1] / "mcp").exists() and not (homes[0] / "mcp" / "tokens.json").exists()
    other = PgTokenStore(pg_dsn, home=tmp_path / "laptop")
    try:
        dave = other.issue("dave")
        assert other.user_for(generated) == "carol"
    finally:
        other.close()
    try:
        for app in apps:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://192.0.2.10:9100") as h:
                assert (await h.get("/health")).status_code == 401
                r = await h.get("/health", headers={"Authorization": "Bearer some-openai-key"})
                assert r.status_code == 401 and r.json()["message"] == "invalid bearer token"
                for token in (generated, dave):
                    assert (await h.get("/health", headers={"Authorization": f"Bearer {token}"})).status_code == 200
    finally:
        for app in apps:
            app.proxy.tokens.close()  # no lifespan runs here to close them
