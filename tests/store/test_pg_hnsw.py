"""The team store's searches served by pgvector's HNSW index: a fresh process before its vectors are
loaded, and a store told to keep them in the database (`[store] vectors = "database"`).

Whether the HNSW index answered is read from PostgreSQL's own counter of scans of that index
(`pg_stat_user_indexes.idx_scan`), which a search ranked in the process's memory never moves. A
backend's counts reach the statistics when it disconnects, so each measured handle is closed (or
its process ends) before the counter is read, and the read is polled with a deadline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autoskill_mcp import AutoSkill, AutoSkillConfig, ConfigError, Scope
from autoskill_mcp.store.postgres import PostgresSkillStore

REPO = Path(__file__).resolve().parents[2]
DIMS = 256
HASHING = {"provider": "hashing", "dims": DIMS}
TOPICS = ["commit messages", "docker images", "csv cleaning", "sql migrations", "pytest fixtures",
          "kubernetes deploys", "regex parsing", "terraform modules"]
#: no word of it is in any skill (BM25 finds nothing); its character 3-grams are docker images'
TYPO_QUERY = "dockr imagez"


def _skills(make_skill, per_topic: int = 5, user: str = "alice") -> list:  # type: ignore[no-untyped-def]
    return [make_skill(f"{t.replace(' ', '-')}-{i}", user=user, description=f"Handles {t}, case {i}. Use for {t}.")
            for i in range(per_topic) for t in TOPICS]


def _hnsw_scans(dsn: str) -> int:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes "
                           "WHERE indexrelname = %s", (f"skill_vectors_hnsw_{DIMS}",)).fetchone()
    return int(row[0])


def _scans_reach(dsn: str, at_least: int, deadline_s: float = 30.0) -> int:
    """The HNSW index's scan count once it reaches `at_least` (or the last seen at the deadline)."""
    end = time.monotonic() + deadline_s
    seen = _hnsw_scans(dsn)
    while seen < at_least and time.monotonic() < end:
        time.sleep(0.1)  # polling the server's statistics, not waiting for time to pass
        seen = _hnsw_scans(dsn)
    return seen


def _embedded(dsn: str, make_skill) -> list:  # type: ignore[no-untyped-def]
    """The skills saved and their vectors made (a search builds the index, which embeds and keeps them)."""
    with PostgresSkillStore(dsn, embeddings=HASHING, background=False) as writer:
        saved = writer.save_many(_skills(make_skill))
        writer.search("commit messages", user_id="alice")
        assert writer.vector_status() == (0, len(saved))
    return saved


_FRESH = """
import json, sys
from autoskill_mcp import AutoSkill, AutoSkillConfig
home, query = sys.argv[1], sys.argv[2]
with AutoSkill(AutoSkillConfig(store={"provider": "local", "path": home},
                               embeddings={"provider": "hashing", "dims": DIMS})) as sdk:
    store = sdk.store
    index = store.index  # built: the keyword side from the table, the vectors left in the database
    before = {"stored_only": index.stored_only, "in_memory": index.vector_count - index.stored_only}
    hits = store.search(query, user_id="alice", top_k=3)
    print(json.dumps({"mode": store.vector_mode, "before": before,
                      "hits": [[h.skill.name, h.mode, h.keyword, h.vector] for h in hits]}))
""".replace("DIMS", str(DIMS))


def test_a_fresh_process_without_a_snapshot_answers_a_vector_only_query_through_hnsw(
        pg_dsn: str, tmp_path: Path, make_skill) -> None:
    _embedded(pg_dsn, make_skill)
    home = tmp_path / "member"
    home.mkdir()
    (home / "config.toml").write_text(f'[store]\nurl = "{pg_dsn}"\n')  # vectors: the default
    before = _hnsw_scans(pg_dsn)
    done = subprocess.run([sys.executable, "-c", _FRESH, str(home), TYPO_QUERY], capture_output=True, text=True,
                          timeout=300, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["mode"] == "memory" and out["before"] == {"stored_only": 5 * len(TOPICS), "in_memory": 0}
    names = [h[0] for h in out["hits"]]
    assert names and all(n.startswith("docker-images-") for n in names), out
    for _, mode, keyword, vector in out["hits"]:  # found by its vector alone: no keyword of the query matched
        assert mode == "hybrid" and keyword == 0.0 and vector is not None and vector > 0.0
    assert _scans_reach(pg_dsn, before + 1) >= before + 1  # the HNSW index answered (the process has ended)


def test_a_memory_store_loads_its_vectors_from_its_second_search_on_and_ranks_the_same(
        pg_dsn: str, make_skill) -> None:
    saved = _embedded(pg_dsn, make_skill)
    queries = [f"help with {t}" for t in TOPICS] + [TYPO_QUERY]
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False) as loaded:  # loaded when built
        assert loaded.index.stored_only == 0
        expected = [[h.skill.name for h in loaded.search(q, user_id="alice", top_k=1)] for q in queries]
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=True) as fresh:
        first = [h.skill.name for h in fresh.search(queries[0], user_id="alice", top_k=1)]
        assert [first] == expected[:1]
        assert fresh.index.stored_only == len(saved)  # one search read no vector (a CLI command's whole life)
        second = [h.skill.name for h in fresh.search(queries[1], user_id="alice", top_k=1)]
        assert [second] == expected[1:2]
        end = time.monotonic() + 60
        while fresh.index.stored_only and time.monotonic() < end:  # the loader started after that search
            time.sleep(0.05)
        assert fresh.index.stored_only == 0 and fresh.index.vector_count == len(saved)
        assert [[h.skill.name for h in fresh.search(q, user_id="alice", top_k=1)] for q in queries] == expected


def test_a_database_store_asks_the_hnsw_index_every_search_and_a_memory_store_never(
        pg_dsn: str, make_skill) -> None:
    _embedded(pg_dsn, make_skill)
    queries = [f"help with {t}" for t in TOPICS]
    start = _hnsw_scans(pg_dsn)
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False) as memory:
        in_memory = [[h.skill.name for h in memory.search(q, user_id="alice", top_k=1)] for q in queries]
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False, vectors="database") as database:
        marker = database.search(TYPO_QUERY, user_id="alice", top_k=1)  # a vector-only hit, as above
        assert marker[0].skill.name.startswith("docker-images-") and marker[0].keyword == 0.0
        assert database.index.stored_only == database.index.vector_count == 5 * len(TOPICS)
        from_hnsw = [[h.skill.name for h in database.search(q, user_id="alice", top_k=1)] for q in queries]
    assert from_hnsw == in_memory
    # the memory handle's searches (closed first) scanned nothing; the database handle's, once each
    assert _scans_reach(pg_dsn, start + 1 + len(queries)) == start + 1 + len(queries)


def test_hnsw_hits_are_the_searchers_own_among_many_nearer_skills_of_others(pg_dsn: str, make_skill) -> None:
    """The HNSW scan filters by what the user may see and scans on (iteratively) until it has enough:
    without that, 300 nearer skills of another user would fill every candidate slot."""
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False, vectors="database") as store:
        store.save_many([make_skill(f"docker-images-{i}", user="bob", description=f"Builds docker images, case {i}.")
                         for i in range(300)])
        mine = store.save(make_skill("docker-images-7", user="alice", description="Builds docker images, case 7."))
        shared = store.save(make_skill("docker-images-team", user="", scope=Scope.SHARED,
                                       description="Builds docker images, case team."))
        store.search("docker", user_id="bob")  # every vector made
        hits = store.search(TYPO_QUERY, user_id="alice", top_k=5)
        assert {h.skill.id for h in hits} == {mine.id, shared.id}
        assert all(h.keyword == 0.0 and h.vector is not None for h in hits)
        assert [h.skill.id for h in store.search(TYPO_QUERY, user_id="alice", scope="shared")] == [shared.id]
        assert [h.skill.id for h in store.search(TYPO_QUERY, user_id="carol", top_k=5)] == [shared.id]


def test_vectors_is_chosen_in_the_config_file_and_checked(pg_dsn: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOSKILL_STORE_URL", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(f'[store]\nurl = "{pg_dsn}"\nvectors = "database"\n')
    config = AutoSkillConfig(store={"provider": "local", "path": str(home)}, embeddings=HASHING)
    with AutoSkill(config) as sdk:
        assert isinstance(sdk.store, PostgresSkillStore) and sdk.store.vector_mode == "database"
    with AutoSkill(AutoSkillConfig(store={"provider": "postgres", "dsn": pg_dsn}, embeddings=HASHING)) as sdk:
        assert sdk.store.vector_mode == "memory"  # the default, when nothing names one
    (home / "config.toml").write_text(f'[store]\nurl = "{pg_dsn}"\nvectors = "disk"\n')
    with pytest.raises(ConfigError, match='vectors must be "memory" or "database"'):
        AutoSkill(config)


@pytest.mark.parametrize(("vectors", "background"), [("memory", True), ("database", False)])
def test_a_process_starting_from_a_snapshot_asks_hnsw_for_what_changed_since(
        pg_dsn: str, tmp_path: Path, make_skill, vectors: str, background: bool) -> None:
    cache = tmp_path / "team-index"
    skills = _skills(make_skill, per_topic=30)  # 240: enough for a snapshot (index.SNAPSHOT_FROM)
    queries = [f"help with {t}" for t in TOPICS] + [TYPO_QUERY]

    def ranked(store: PostgresSkillStore) -> list[list[str]]:
        return [[h.skill.name for h in store.search(q, user_id="alice", top_k=1)] for q in queries]

    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False, cache_dir=cache) as first:
        saved = first.save_many(skills)
        ranked(first)
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False) as other:  # another machine writes
        other.delete(saved[0].id)
        other.save(make_skill("docker-images-new", description="Builds docker images, the new way."))
        before = ranked(other)
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=background, cache_dir=cache,
                            vectors=vectors) as again:
        index = again.index
        assert again._snapshot_seq == len(skills)  # it started from the first handle's snapshot
        # memory: the snapshot's vectors are in the process, the new skill's is left in the database
        assert index.stored_only == (1 if vectors == "memory" else len(skills))
        assert ranked(again) == before
        if vectors == "memory":
            end = time.monotonic() + 60
            while index.stored_only and time.monotonic() < end:
                time.sleep(0.05)
            assert index.stored_only == 0 and ranked(again) == before
