"""The token contract (store/tokens.py), one suite over both implementations: the file in the home
and the team store's database on a real PostgreSQL. What only one of them does is tested below it."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from autoskill_mcp.config import AutoSkillConfig
from autoskill_mcp.errors import DatabaseUnavailableError, InvalidInputError
from autoskill_mcp.store.factory import open_tokens
from autoskill_mcp.store.postgres.tokens import PgTokenStore
from autoskill_mcp.store.tokens import FileTokenStore, TokenStore, token_digest
from bench.pg_server import PgServer

#: opens a handle on this test's one set of tokens, as a process on the machine whose home is given would
Opener = Callable[[Path], TokenStore]


@pytest.fixture(params=["file", "postgres"])
def open_tokens_again(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """File tokens live in one home (every handle opens that one); the team store's in its database,
    so each handle may have a home of its own, as a replica on another machine has."""
    handles: list[TokenStore] = []
    if request.param == "postgres":
        dsn = request.getfixturevalue("pg_dsn")

        def opener(home: Path) -> TokenStore:
            handles.append(PgTokenStore(dsn, home=home))
            return handles[-1]
    else:
        def opener(home: Path) -> TokenStore:
            handles.append(FileTokenStore(tmp_path / "home"))
            return handles[-1]
    yield opener
    for handle in handles:
        handle.close()


@pytest.fixture
def tokens(open_tokens_again: Opener, tmp_path: Path) -> TokenStore:
    return open_tokens_again(tmp_path / "home")


def test_an_issued_token_maps_to_its_user_and_nothing_else_does(tokens: TokenStore) -> None:
    assert not tokens.has_tokens()
    bob, alice = tokens.issue("bob"), tokens.issue("alice")
    second = tokens.issue("bob")
    assert len({bob, alice, second}) == 3 and len(bob) >= 40
    assert tokens.has_tokens()
    assert tokens.user_for(bob) == "bob" and tokens.user_for(second) == "bob"
    assert tokens.user_for(alice) == "alice"
    for wrong in ("", "wrong", bob[:-1], bob + "x", bob.upper(), token_digest(bob), " " + bob):
        assert tokens.user_for(wrong) is None, wrong


def test_a_token_issued_by_one_handle_is_accepted_by_another(open_tokens_again: Opener, tmp_path: Path) -> None:
    token = open_tokens_again(tmp_path / "machine-a").issue("carol")
    other = open_tokens_again(tmp_path / "machine-b")
    assert other.has_tokens() and other.user_for(token) == "carol"


def test_a_bad_user_id_is_refused_and_stores_nothing(tokens: TokenStore) -> None:
    for bad in ("", "../etc", "a/b", "x" * 200, ".hidden"):
        with pytest.raises(InvalidInputError, match="invalid user id"):
            tokens.issue(bad)
        with pytest.raises(InvalidInputError):
            tokens.ensure_default(bad)
    assert not tokens.has_tokens()


def test_ensure_default_issues_one_token_once_in_a_private_file(open_tokens_again: Opener, tmp_path: Path) -> None:
    home = tmp_path / "home"
    tokens = open_tokens_again(home)
    path = tokens.ensure_default("dana")
    assert path == home / "mcp" / "token"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    token = path.read_text(encoding="utf-8").strip()
    assert tokens.user_for(token) == "dana"
    assert open_tokens_again(home).ensure_default("dana") is None  # a second start keeps it
    assert path.read_text(encoding="utf-8").strip() == token


def test_ensure_default_issues_nothing_when_a_token_exists(open_tokens_again: Opener, tmp_path: Path) -> None:
    open_tokens_again(tmp_path / "machine-a").issue("bob")
    home = tmp_path / "machine-b"
    assert open_tokens_again(home).ensure_default("erin") is None
    assert not (home / "mcp" / "token").exists()


def _stored_text(tokens: TokenStore) -> str:
    """Everything the implementation keeps, as text."""
    if isinstance(tokens, PgTokenStore):
        with psycopg.connect(tokens.dsn) as conn:
            rows = conn.execute("SELECT t.*, u.* FROM tokens t JOIN users u ON u.id = t.user_id").fetchall()
        return repr(rows)
    assert isinstance(tokens, FileTokenStore)
    return tokens.path.read_text(encoding="utf-8")


def test_only_digests_are_stored(tokens: TokenStore) -> None:
    issued = [tokens.issue("bob"), tokens.issue("alice")]
    stored = _stored_text(tokens)
    for token in issued:
        assert token not in stored and token_digest(token) in stored
    assert "bob" in stored and "alice" in stored


# -- the file ------------------------------------------------------------------------------------------


def test_the_file_keeps_its_format_and_mode(tmp_path: Path) -> None:
    tokens = FileTokenStore(tmp_path)
    token = tokens.issue("bob")
    path = tmp_path / "mcp" / "tokens.json"
    assert json.loads(path.read_text(encoding="utf-8")) == {token_digest(token): "bob"}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_an_unreadable_file_is_reported_not_taken_for_no_tokens(tmp_path: Path) -> None:
    path = tmp_path / "mcp" / "tokens.json"
    path.parent.mkdir()
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(RuntimeError, match="cannot read the token file"):
        FileTokenStore(tmp_path).user_for("anything")
    with pytest.raises(RuntimeError):
        FileTokenStore(tmp_path).issue("bob")
    assert path.read_text(encoding="utf-8") == "{not json"  # nothing overwritten


# -- the team store's database ---------------------------------------------------------------------------


def test_replicas_starting_at_once_generate_one_default_token(pg_dsn: str, tmp_path: Path) -> None:
    handles = [PgTokenStore(pg_dsn, home=tmp_path / f"replica-{i}") for i in range(4)]
    for h in handles:
        assert not h.has_tokens()  # connected and migrated: the threads below race only to issue
    made: list[Path | None] = []
    barrier = threading.Barrier(len(handles))

    def start(tokens: TokenStore) -> None:
        barrier.wait()
        made.append(tokens.ensure_default("ops"))

    threads = [threading.Thread(target=start, args=(h,)) for h in handles]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        written = [p for p in made if p is not None]
        assert len(made) == 4 and len(written) == 1
        with psycopg.connect(pg_dsn) as conn:
            assert conn.execute("SELECT count(*), min(user_id) FROM tokens").fetchone() == (1, "ops")
        assert handles[0].user_for(written[0].read_text(encoding="utf-8").strip()) == "ops"
    finally:
        for h in handles:
            h.close()


def test_a_database_without_the_tables_gets_them_on_first_use(pg_server: PgServer, tmp_path: Path) -> None:
    dsn = pg_server.create_database(f"tokens_fresh_{os.getpid()}")
    try:
        tokens = PgTokenStore(dsn, home=tmp_path)
        try:
            token = tokens.issue("bob")
            assert tokens.user_for(token) == "bob"
        finally:
            tokens.close()
    finally:
        pg_server.drop_database(f"tokens_fresh_{os.getpid()}")


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path, unreachable_dsn: str) -> None:
    tokens = PgTokenStore(unreachable_dsn, home=tmp_path)
    try:
        with pytest.raises(DatabaseUnavailableError, match="unreachable") as caught:
            tokens.user_for("anything")
        assert "secret-pw" not in str(caught.value)
    finally:
        tokens.close()


# -- which one a process gets ------------------------------------------------------------------------------


def test_tokens_are_picked_as_the_store_is(pg_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOSKILL_STORE_URL", raising=False)
    home = tmp_path / "home"
    home.mkdir()

    def picked() -> TokenStore:
        config = AutoSkillConfig(store={"provider": "local", "path": str(home)})
        tokens = open_tokens(config.resolved_store(), home=config.home)
        tokens.close()
        return tokens

    assert isinstance(picked(), FileTokenStore)
    (home / "config.toml").write_text(f'[store]\nurl = "{pg_dsn}"\n', encoding="utf-8")
    assert isinstance(picked(), PgTokenStore)
    (home / "config.toml").unlink()
    monkeypatch.setenv("AUTOSKILL_STORE_URL", pg_dsn)
    assert isinstance(picked(), PgTokenStore)
    sdk_style = open_tokens({"provider": "postgres", "dsn": pg_dsn}, home=home)
    sdk_style.close()
    assert isinstance(sdk_style, PgTokenStore)
    inmemory = open_tokens({"provider": "inmemory"}, home=home)
    assert isinstance(inmemory, FileTokenStore) and inmemory.path == home / "mcp" / "tokens.json"
