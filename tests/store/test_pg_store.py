"""What only the team store on PostgreSQL does: migrations, its selection, lost connections, the
change feed's NOTIFY, and `autoskill store migrate | copy` (both ways). The promises every store
keeps are in test_contract.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autoskill_mcp import AutoSkill, AutoSkillConfig, ConfigError, LocalSkillStore, Scope
from autoskill_mcp.errors import DatabaseUnavailableError
from autoskill_mcp.store.postgres import PostgresSkillStore
from autoskill_mcp.store.postgres.schema import CHANNEL, LATEST
from autoskill_mcp.store.postgres.store import open_migrated
from bench.pg_server import PgServer

REPO = Path(__file__).resolve().parents[2]
HASHING = {"provider": "hashing", "dims": 64}


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autoskill_mcp", *args], capture_output=True, text=True,
                          timeout=300, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})})


def test_a_fresh_database_is_migrated_once_and_a_newer_one_refused(pg_server: PgServer) -> None:
    dsn = pg_server.create_database("migrate_me")
    try:
        assert open_migrated(dsn) == list(range(1, LATEST + 1))
        assert open_migrated(dsn) == []
        done = _cli("store", "migrate", "--url", dsn, "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == {"applied": [], "schema": LATEST}
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("INSERT INTO autoskill_migrations (version, note) VALUES (%s, 'from the future')",
                         (LATEST + 1,))
        with pytest.raises(ConfigError, match="newer than this release"):
            PostgresSkillStore(dsn)
    finally:
        pg_server.drop_database("migrate_me")


def test_the_store_is_chosen_by_settings_env_or_config_file(pg_dsn: str, tmp_path: Path, make_skill,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.delenv("AUTOSKILL_STORE_URL", raising=False)
    with AutoSkill(AutoSkillConfig(store={"provider": "postgres", "dsn": pg_dsn}, embeddings=HASHING)) as sdk:
        assert isinstance(sdk.store, PostgresSkillStore)
        saved = sdk.store.save(make_skill())
    (home / "config.toml").write_text(f'[store]\nurl = "{pg_dsn}"\n')
    with AutoSkill(AutoSkillConfig(store={"provider": "local", "path": str(home)}, embeddings=HASHING)) as sdk:
        assert isinstance(sdk.store, PostgresSkillStore) and sdk.store.get(saved.id) is not None
    (home / "config.toml").unlink()
    with AutoSkill(AutoSkillConfig(store={"provider": "local", "path": str(home)}, embeddings=HASHING)) as sdk:
        assert isinstance(sdk.store, LocalSkillStore)
    monkeypatch.setenv("AUTOSKILL_STORE_URL", pg_dsn)
    with AutoSkill(AutoSkillConfig(store={"provider": "local", "path": str(home)}, embeddings=HASHING)) as sdk:
        assert isinstance(sdk.store, PostgresSkillStore) and sdk.store.get(saved.id) is not None
    monkeypatch.setenv("AUTOSKILL_STORE_URL", "mysql://nope")
    with pytest.raises(ConfigError, match="postgresql://"):
        AutoSkill(AutoSkillConfig(store={"provider": "local", "path": str(home)}, embeddings=HASHING))
    # the CLI reads the same variable
    listed = _cli("list", "--home", str(home), "--user", "alice", "--json", env={"AUTOSKILL_STORE_URL": pg_dsn})
    assert listed.returncode == 0, listed.stderr
    assert [s["id"] for s in json.loads(listed.stdout)["skills"]] == [saved.id]
    doctor = _cli("doctor", "--home", str(home), "--embeddings", "hashing", "--json",
                  env={"AUTOSKILL_STORE_URL": pg_dsn})
    checks = {c["check"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["team store"]["ok"] and "PostgreSQL" in checks["team store"]["detail"]
    assert checks["skills"]["detail"] == "1 in all scopes" and checks["spec validity"]["ok"]


def test_without_psycopg_the_error_names_the_extra(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['psycopg'] = None\n"
            "from autoskill_mcp import AutoSkill, AutoSkillConfig, ConfigError\n"
            "import autoskill_mcp.store.factory\n"
            "try:\n"
            "    AutoSkill(AutoSkillConfig(store={'provider': 'postgres', 'dsn': 'postgresql://x/y'}))\n"
            "except ConfigError as exc:\n"
            "    print(exc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "pip install 'autoskill-mcp[postgres]'" in out.stdout, out.stderr


def test_a_lost_connection_is_retried_and_an_unreachable_server_reported(pg_dsn: str, make_skill) -> None:
    import psycopg

    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False) as store:
        saved = store.save(make_skill())
        # every connection the pool holds is cut by the server, as a restart would
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            cut = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid != pg_backend_pid()").fetchone()[0]
        assert cut >= 1
        assert store.get(saved.id) is not None  # retried on a fresh connection
        assert store.save(saved.copy(instructions="after the cut")).version == "0.1.1"
    port = _closed_port()
    with pytest.raises(DatabaseUnavailableError, match="unreachable.*nothing was half-written") as info:
        PostgresSkillStore(f"postgresql://postgres:s3cret@127.0.0.1:{port}/nothing")
    assert "s3cret" not in str(info.value)


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_every_write_notifies_its_change_number(pg_dsn: str, make_skill) -> None:
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as listener, \
            PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False) as store:
        listener.execute(f"LISTEN {CHANNEL}")
        saved = store.save(make_skill())
        store.save(saved.copy())  # unchanged: nothing written, nothing announced
        store.delete(saved.id)
        got = [int(n.payload) for n in listener.notifies(timeout=5, stop_after=2)]
        assert got == [1, 2] and store.change_seq() == 2


def test_store_copy_moves_a_whole_store_both_ways(pg_dsn: str, tmp_path: Path, make_skill) -> None:
    home = tmp_path / "local"
    with LocalSkillStore(home, embeddings=HASHING, background=False) as local:
        v1 = local.save(make_skill("git-commit-messages", files={"scripts/a.sh": b"one"}))
        local.save(v1.copy(instructions="second", files={"scripts/a.sh": b"two"}))
        shared = local.save(make_skill("team-style", user="", scope=Scope.SHARED))
        local.record_usage_many([(v1.id, "alice", 3, 1), (shared.id, "bob", 2, 0)])
        before = {s.id: [v.content_hash for v in local.versions(s.id)]
                  for s in local.summaries(user_id=None, scope="all")}
    done = _cli("store", "copy", "--from", str(home), "--to", pg_dsn, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["skills"] == 2
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False) as pg:
        assert {s.id: [v.content_hash for v in pg.versions(s.id)]
                for s in pg.summaries(user_id=None, scope="all")} == before
        assert pg.get_version(v1.id, "0.1.0").files == {"scripts/a.sh": b"one"}
        assert pg.read_file(v1.id, "scripts/a.sh") == b"two"
        assert pg.usage(v1.id)["by_user"] == {"alice": {"retrieved": 3, "used": 1}}
        assert [h.skill.id for h in pg.search("commit messages", user_id="alice", top_k=1)] == [v1.id]
    again = _cli("store", "copy", "--from", str(home), "--to", pg_dsn, "--json")  # idempotent
    assert again.returncode == 0, again.stderr
    back_home = tmp_path / "back"
    back = _cli("store", "copy", "--from", pg_dsn, "--to", str(back_home), "--json")
    assert back.returncode == 0, back.stderr
    with LocalSkillStore(back_home, embeddings=HASHING, background=False) as local:
        assert {s.id: [v.content_hash for v in local.versions(s.id)]
                for s in local.summaries(user_id=None, scope="all")} == before
        assert local.usage(shared.id)["by_user"] == {"bob": {"retrieved": 2, "used": 0}}
        assert (back_home / "Users/alice/git-commit-messages/scripts/a.sh").read_bytes() == b"two"


def test_a_write_on_one_replica_wakes_the_change_watch_of_another(pg_dsn: str, make_skill) -> None:
    import threading

    from autoskill_mcp.runtime.watch import ChangeWatch, StoreChange

    heard: list[StoreChange] = []
    changed = threading.Event()

    def notify(change: StoreChange) -> None:
        heard.append(change)
        changed.set()

    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False) as replica_a, \
            PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False) as replica_b:
        watch = ChangeWatch(replica_a, notify, baseline=replica_a.change_seq())
        stop = threading.Event()
        # a poll far longer than the wait below: only the NOTIFY can wake the watch in time
        thread = threading.Thread(target=watch.run, args=(stop, 600.0), daemon=True)
        thread.start()
        try:
            replica_a.wait_for_change(0.01)  # the listening connection is open before the write
            saved = replica_b.save(make_skill())
            assert changed.wait(60), "the watch was not woken by the other replica's write"
            assert heard[-1].seq == replica_b.change_seq() == 1
            assert replica_a.get(saved.id) is not None
        finally:
            stop.set()
            thread.join(10)
        assert not thread.is_alive()


_WRITER = """
import sys
from autoskill_mcp import Skill
from autoskill_mcp.store.postgres import PostgresSkillStore
dsn, me, common = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with PostgresSkillStore(dsn, embeddings={"provider": "hashing", "dims": 64}, background=False) as store:
    for batch in range(4):
        store.save_many([Skill(name=f"w{me}-skill-{batch}-{i}", description=f"Skill {i} of writer {me}. Use for tests.",
                               user_id="alice") for i in range(5)])
        shared = store.get(common)
        store.save(shared.copy(instructions=f"edited by writer {me}, round {batch}"))
"""


def test_four_processes_writing_at_once_lose_and_duplicate_nothing(pg_dsn: str, make_skill) -> None:
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False) as store:
        common = store.save(make_skill("team-style", user="", scope=Scope.SHARED))
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, pg_dsn, str(me), common.id], cwd=REPO,
                              env={**os.environ, "PYTHONPATH": str(REPO)}, stderr=subprocess.PIPE, text=True)
             for me in range(4)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False) as store:
        names = [s.name for s in store.summaries(user_id="alice", scope="user")]
        assert sorted(names) == sorted(f"w{me}-skill-{b}-{i}" for me in range(4) for b in range(4) for i in range(5))
        history = store.versions(common.id)
        assert len(history) == 1 + 16  # every edit recorded, none lost
        assert len({v.version for v in history}) == len(history)  # writers were ordered: no version twice
        assert [v.n for v in history] == list(range(1, 18))
        assert store.change_seq() == 1 + 4 * 4 * 5 + 16  # one change number per write, none skipped
        hits = store.search("writer 3", user_id="alice", top_k=50)
        assert len({h.skill.id for h in hits}) == len(hits)


def test_a_member_without_the_extension_is_told_what_a_superuser_must_do(pg_server: PgServer, make_skill) -> None:
    pg_server.execute("DROP ROLE IF EXISTS member")
    pg_server.execute("CREATE ROLE member LOGIN")
    pg_server.execute('CREATE DATABASE "members_db" OWNER member')
    dsn = pg_server.dsn("members_db").replace("postgres@", "member@")
    try:
        with pytest.raises(ConfigError, match="a superuser must run `CREATE EXTENSION vector`"):
            PostgresSkillStore(dsn)
        import psycopg

        with psycopg.connect(pg_server.dsn("members_db"), autocommit=True) as admin:
            admin.execute("CREATE EXTENSION vector")
        with PostgresSkillStore(dsn, embeddings=HASHING, background=False) as store:  # the member migrates
            saved = store.save(make_skill())
            assert [h.skill.id for h in store.search("commit messages", user_id="alice")] == [saved.id]
    finally:
        pg_server.drop_database("members_db")
        pg_server.execute("DROP ROLE IF EXISTS member")


def test_a_new_process_starts_from_this_machines_snapshot_and_the_changes_since(pg_dsn: str, tmp_path: Path,
                                                                               make_skill) -> None:
    cache = tmp_path / "team-index"
    topics = ["commit messages", "docker images", "csv cleaning", "sql migrations", "pytest fixtures"]
    skills = [make_skill(f"{t.replace(' ', '-')}-{i}", description=f"Handles {t}, case {i}. Use for {t}.")
              for i in range(50) for t in topics]
    queries = [f"help with {t}" for t in topics]

    def ranked(store: PostgresSkillStore) -> list[list[str]]:
        return [[h.skill.id for h in store.search(q, user_id="alice", top_k=5)] for q in queries]

    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False, cache_dir=cache) as first:
        saved = first.save_many(skills)
        ranked(first)
    assert (cache / "index" / "keywords.snapshot").is_file() and (cache / "index" / "vectors.snapshot").is_file()
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False) as other:  # another machine writes
        other.delete(saved[0].id)
        added = other.save(make_skill("kubernetes-deploys", description="Deploys to kubernetes. Use for k8s."))
        before = ranked(other)
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False, cache_dir=cache) as again:
        assert ranked(again) == before  # the same answers as a handle that built its index from the table
        assert [h.skill.id for h in again.search("deploy to kubernetes", user_id="alice", top_k=1)] == [added.id]
        assert all(h.skill.id != saved[0].id for h in again.search("commit messages case 0", user_id="alice"))
        assert again.vector_status() == (0, len(skills))
        assert again._snapshot_seq == len(skills)  # it started from the first handle's snapshot (a change a skill)
    (cache / "index" / "keywords.snapshot").write_bytes(b"garbage")  # damaged: ignored, rebuilt from the table
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False, cache_dir=cache) as damaged:
        assert ranked(damaged) == before
