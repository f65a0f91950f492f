"""The rules the store owns: who sees a skill, which copy of a name wins, one cursor, one usage write."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoskill_mcp import AutoSkill, InvalidInputError, LocalSkillStore, NotFoundError, Scope
from autoskill_mcp.learning.usage import RetrievalCounter
from autoskill_mcp.store.base import decode_cursor, encode_cursor
from autoskill_mcp.store.catalog import read_listing
from autoskill_mcp.store.layout import CATALOG_FILE

HASHING = {"provider": "hashing", "dims": 256}


def test_another_users_own_skill_is_never_returned_to_a_reader(store: LocalSkillStore, make_skill) -> None:
    """Every read that names a user leaves out the skills of other users, so no adapter has to filter."""
    theirs = store.save(make_skill("deploy-secret-cluster", user="bob",
                                   files={"references/hosts.md": b"bob's hosts\n"}))
    mine = store.save(make_skill("deploy-my-cluster", user="alice"))
    shared = store.save(make_skill("deploy-shared-cluster", user="", scope=Scope.SHARED))

    assert store.get(theirs.id, user_id="alice") is None
    assert store.get(theirs.id, user_id="alice", include_files=True) is None
    assert store.find("deploy-secret-cluster", user_id="alice") is None
    assert store.skill_dir(theirs.id, user_id="alice") is None
    for read in (lambda: store.list_files(theirs.id, user_id="alice"),
                 lambda: store.read_file(theirs.id, "references/hosts.md", user_id="alice"),
                 lambda: store.read_skill_md(theirs.id, user_id="alice")):
        with pytest.raises(NotFoundError):
            read()
    for scope in ("all", "user"):
        assert theirs.id not in {s.id for s in store.summaries(user_id="alice", scope=scope)}
        assert theirs.id not in {s.id for s in store.visible("alice", scope=scope)}
        hits = store.search("deploy secret cluster", user_id="alice", scope=scope, top_k=10)
        assert theirs.id not in {h.skill.id for h in hits}
    _, listed = read_listing(store.root / CATALOG_FILE, "alice", ())
    assert "deploy-secret-cluster" not in {r.name for r in listed}

    # ...while alice still sees her own and the shared one, and bob sees his own: the filter is not "nothing".
    assert {s.id for s in store.visible("alice")} == {mine.id, shared.id}
    assert store.get(mine.id, user_id="alice") is not None
    assert store.get(theirs.id, user_id="bob") is not None
    assert store.read_file(theirs.id, "references/hosts.md", user_id="bob") == b"bob's hosts\n"
    assert "deploy-secret-cluster" in {h.skill.name for h in store.search("deploy secret cluster", user_id="bob")}
    assert store.get(theirs.id) is not None  # no user: the operator's read (CLI, maintenance) sees everything


def test_the_users_copy_of_a_name_wins_over_shared_and_library(tmp_path: Path, make_skill) -> None:
    lib = tmp_path / "lib" / "release-notes"
    lib.mkdir(parents=True)
    (lib / "SKILL.md").write_text("---\nname: release-notes\ndescription: Writes release notes. Use for releases."
                                  "\n---\nThe library's way.\n")
    with LocalSkillStore(tmp_path / "home", embeddings=HASHING, library_dirs=[tmp_path / "lib"],
                         background=False) as s:
        assert s.find("release-notes", user_id="alice").scope is Scope.LIBRARY
        shared = s.save(make_skill("release-notes", user="", scope=Scope.SHARED))
        assert s.find("release-notes", user_id="alice").id == shared.id
        own = s.save(make_skill("release-notes", user="alice"))
        for user, winner in (("alice", own.id), ("carol", shared.id)):
            assert s.find("release-notes", user_id=user).id == winner
            assert [v.id for v in s.visible(user) if v.name == "release-notes"] == [winner]
            _, listed = read_listing(s.root / CATALOG_FILE, user, (str((tmp_path / "lib").resolve()),))
            assert [(r.name, r.scope) for r in listed] == [("release-notes", "user" if user == "alice" else "shared")]
        # a library folder the store no longer serves does not count in the listing
        _, listed = read_listing(s.root / CATALOG_FILE, "carol", ())
        assert [r.scope for r in listed] == ["shared"]


def test_one_cursor_format_round_trips_and_refuses_anything_else() -> None:
    assert decode_cursor(None) == decode_cursor("") == 0
    for offset in (0, 1, 100, 123_456):
        assert decode_cursor(encode_cursor(offset)) == offset
    for bad in ("not base64!", "eDo1", encode_cursor(-1), "bzpub3Q="):  # "x:5", "o:-1", "o:not"
        with pytest.raises(InvalidInputError, match="invalid cursor"):
            decode_cursor(bad)


def test_usage_counts_of_a_five_hit_search_are_one_write_transaction(store: LocalSkillStore, make_skill) -> None:
    """What the MCP search tool does (search, then count the retrievals) writes once, however many hits."""
    for i in range(6):
        store.save(make_skill(f"git-commit-step-{i}", tags=["git"]))
    store.search("git commit step", user_id="alice")  # warm: build the index before counting
    statements: list[str] = []
    store.catalog._conn.set_trace_callback(statements.append)
    try:
        hits = store.search("git commit step", user_id="alice", top_k=5)
        recorded = RetrievalCounter(store).count("alice", "git commit step", (h.skill.id for h in hits))
    finally:
        store.catalog._conn.set_trace_callback(None)
    assert len(hits) == 5 and recorded == 5
    begins = [s for s in statements if s.lstrip().upper().startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE"]
    assert sum(s.lstrip().upper().startswith("INSERT INTO USER_USAGE") for s in statements) == 5
    assert all(store.usage(h.skill.id, user_id="alice")["retrieved"] == 1 for h in hits)


def test_render_context_checks_level_before_it_searches(tmp_path: Path) -> None:
    with AutoSkill(store=LocalSkillStore(tmp_path / "home", embeddings=HASHING, background=False)) as sdk:
        # an empty query fails inside the search: seeing the level error proves no search ran
        with pytest.raises(InvalidInputError, match="level must be one of"):
            sdk.render_context_result("", user_id="alice", level="everything")
        with pytest.raises(InvalidInputError, match="query is empty"):
            sdk.render_context_result("", user_id="alice", level="full")
