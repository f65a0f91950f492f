"""The local store: folders + catalog, hand edits, snapshots, safety (what every backend promises
is in test_contract.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autoskill_mcp import (
    InvalidInputError,
    LocalSkillStore,
    NotFoundError,
    ReadOnlyError,
    Scope,
    skillmd,
)

HASHING = {"provider": "hashing", "dims": 256}
HASHING_SIGNATURE = "hashing:words+char3:v1:256"


def _touch_later(path: Path) -> None:
    """Make sure a rewritten file gets a different mtime even on coarse clocks."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def test_save_writes_a_plain_agent_skill_folder(store: LocalSkillStore, make_skill) -> None:
    saved = store.save(make_skill(files={"scripts/run.sh": b"#!/bin/sh\necho hi\n"}))
    folder = store.root / "Users" / "alice" / "git-commit-messages"
    assert store.skill_dir(saved.id) == folder
    assert (folder / "scripts" / "run.sh").read_bytes() == b"#!/bin/sh\necho hi\n"
    text = (folder / "SKILL.md").read_text()
    assert text.startswith("---\n")
    # Only spec keys at the top level, and spec-valid with the folder name.
    errors = [d for d in skillmd.validate(text, dir_name=folder.name, profile="spec") if d.severity == "error"]
    assert errors == []
    assert saved.version == "0.1.0"
    assert [f.path for f in store.list_files(saved.id)] == ["scripts/run.sh"]


def test_invalid_names_become_spec_names(store: LocalSkillStore, make_skill) -> None:
    saved = store.save(make_skill(name="Write Commit Messages"))
    assert saved.name == "write-commit-messages"
    assert (store.root / "Users/alice/write-commit-messages/SKILL.md").is_file()


def test_read_file_cannot_leave_the_skill_folder(store: LocalSkillStore, make_skill, tmp_path: Path) -> None:
    saved = store.save(make_skill(files={"references/a.md": b"A"}))
    assert store.read_file(saved.id, "references/a.md") == b"A"
    (tmp_path / "secret.txt").write_text("s3cret")
    os.symlink(tmp_path / "secret.txt", store.skill_dir(saved.id) / "references" / "link.md")
    for bad in ("../../../secret.txt", "references/link.md", "/etc/passwd"):
        with pytest.raises((InvalidInputError, NotFoundError)):
            store.read_file(saved.id, bad)


def test_delete_removes_the_folder_and_keeps_history(store: LocalSkillStore, make_skill) -> None:
    saved = store.save(make_skill())
    assert store.delete(saved.id) is True
    assert store.get(saved.id) is None
    assert not (store.root / "Users/alice/git-commit-messages").exists()
    assert store.versions(saved.id)[0].version == "0.1.0"
    assert store.delete(saved.id) is False


def test_hand_edit_is_picked_up_on_next_read(store: LocalSkillStore, make_skill) -> None:
    saved = store.save(make_skill())
    md = store.skill_dir(saved.id) / "SKILL.md"
    md.write_text(md.read_text().replace("Check it.", "Check it twice."))
    _touch_later(md)
    loaded = store.get(saved.id)
    assert "Check it twice." in loaded.instructions
    assert loaded.version == "0.1.1"  # the edit kept "0.1.0" in the file; versions only move forward
    assert [(v.version, v.reason) for v in store.versions(saved.id)] == [("0.1.0", "save"), ("0.1.1", "edited on disk")]
    assert store.get_version(saved.id, "0.1.0").instructions.endswith("Check it.")
    again = store.save(loaded.copy(instructions=loaded.instructions + "\n3. Ship."))
    assert again.version == "0.1.2" and 'version: "0.1.2"' in md.read_text()


def test_broken_hand_edit_loses_nothing(store: LocalSkillStore, make_skill) -> None:
    saved = store.save(make_skill())
    md = store.skill_dir(saved.id) / "SKILL.md"
    md.write_text("---\nname: [unclosed\ndescription: : :\n---\nbody\n")
    _touch_later(md)
    loaded = store.get(saved.id)
    assert loaded is not None and loaded.description == saved.description  # last good version
    assert any("git-commit-messages" in key for key in store.problems)
    assert store.get(saved.id) is not None


def test_folder_dropped_in_by_hand_is_found(store: LocalSkillStore) -> None:
    folder = store.root / "Users" / "alice" / "hand-made"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text("---\nname: hand-made\ndescription: Made by hand. Use when testing.\n---\nBody.\n")
    store.sync()
    found = store.find("hand-made", user_id="alice")
    assert found is not None and found.instructions.strip() == "Body."
    assert store.versions(found.id)[0].reason == "found on disk"


def test_folder_removed_by_hand_disappears(store: LocalSkillStore, make_skill) -> None:
    saved = store.save(make_skill())
    import shutil

    shutil.rmtree(store.skill_dir(saved.id))
    store.sync()
    assert store.get(saved.id) is None


def test_rename_moves_the_folder(store: LocalSkillStore, make_skill) -> None:
    saved = store.save(make_skill(files={"scripts/a.sh": b"x"}))
    renamed = store.save(saved.copy(name="commit-style"))
    assert renamed.version == "0.1.1"
    assert not (store.root / "Users/alice/git-commit-messages").exists()
    assert (store.root / "Users/alice/commit-style/scripts/a.sh").read_bytes() == b"x"


def test_library_dirs_are_searchable_and_read_only(tmp_path: Path, make_skill) -> None:
    lib = tmp_path / "lib" / "pdf-tools"
    lib.mkdir(parents=True)
    (lib / "SKILL.md").write_text(
        "---\nname: pdf-tools\ndescription: Extracts text from PDF files. Use for PDFs.\n---\nUse pdftotext.\n"
    )
    with LocalSkillStore(tmp_path / "home", embeddings=HASHING, library_dirs=[tmp_path / "lib"]) as s:
        hits = s.search("extract text from a pdf", user_id="anyone", scope="library")
        assert [h.skill.name for h in hits] == ["pdf-tools"]
        assert hits[0].skill.scope is Scope.LIBRARY
        with pytest.raises(ReadOnlyError):
            s.save(hits[0].skill.copy(instructions="changed"))
        with pytest.raises(ReadOnlyError):
            s.delete(hits[0].skill.id)
        assert (lib / "SKILL.md").read_text().endswith("Use pdftotext.\n")


def test_counts_from_before_per_user_usage_survive_the_upgrade(tmp_path: Path, make_skill) -> None:
    import sqlite3

    home = tmp_path / "old"
    with LocalSkillStore(home, embeddings={"provider": "hashing", "dims": 64}, background=False) as s:
        sid = s.save(make_skill()).id
    conn = sqlite3.connect(home / "catalog.sqlite3")  # the table as the previous schema had it
    conn.executescript(
        "DROP TABLE user_usage; CREATE TABLE usage (skill_id TEXT PRIMARY KEY, retrieved INTEGER "
        "NOT NULL DEFAULT 0, used INTEGER NOT NULL DEFAULT 0, last_retrieved_at TEXT, last_used_at TEXT);"
    )
    conn.execute("INSERT INTO usage VALUES (?, 7, 2, NULL, NULL)", (sid,))
    conn.commit()
    conn.close()
    with LocalSkillStore(home, embeddings={"provider": "hashing", "dims": 64}, background=False) as s:
        assert (s.usage(sid)["retrieved"], s.usage(sid)["used"]) == (7, 2)
        assert s.usage(sid)["by_user"] == {"": {"retrieved": 7, "used": 2}}


def test_corrupt_catalog_path_gives_clear_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "catalog.sqlite3").write_bytes(b"this is not a database" * 100)
    import sqlite3

    with pytest.raises(sqlite3.DatabaseError):
        LocalSkillStore(home, embeddings=HASHING)


def test_open_builds_no_index_until_the_first_search(tmp_path: Path, make_skill) -> None:
    home = tmp_path / "home"
    with LocalSkillStore(home, embeddings=HASHING) as s:
        s.save_many([make_skill(f"skill-{i}") for i in range(50)])
    with LocalSkillStore(home, embeddings=HASHING) as s:
        assert s._index is None
        assert len(s.summaries(user_id="alice")) == 50
        assert s._index is None
        assert len(s.search("skill", user_id="alice", top_k=50)) == 50


def test_search_serves_a_hand_edit_immediately(store: LocalSkillStore, make_skill) -> None:
    saved = store.save(make_skill())
    assert store.search("commit", user_id="alice")[0].skill.instructions.endswith("Check it.")
    md = store.skill_dir(saved.id) / "SKILL.md"
    md.write_text(md.read_text().replace("Check it.", "Check it with care."))
    _touch_later(md)
    assert store.search("commit", user_id="alice")[0].skill.instructions.endswith("Check it with care.")


def test_an_older_catalog_is_migrated_on_open(tmp_path: Path, make_skill) -> None:
    import sqlite3

    home = tmp_path / "home"
    with LocalSkillStore(home, embeddings=HASHING) as s:
        saved = s.save(make_skill())
    with sqlite3.connect(home / "catalog.sqlite3") as conn:
        conn.execute("ALTER TABLE skills DROP COLUMN tokens")
    with LocalSkillStore(home, embeddings=HASHING) as s:
        assert [h.skill.id for h in s.search("commit", user_id="alice")] == [saved.id]


def _ranked(store: LocalSkillStore, queries: list[str]) -> list[list[tuple[str, float]]]:
    return [[(h.skill.name, round(h.score, 5)) for h in store.search(q, user_id="alice", top_k=5)] for q in queries]


def test_keyword_snapshot_gives_the_same_results_and_follows_later_changes(tmp_path: Path, make_skill) -> None:
    home = tmp_path / "home"
    queries = ["skill 7", "do the skill thing", "check skill 120", "nothing like this"]
    with LocalSkillStore(home, embeddings=HASHING) as s:
        s.save_many([make_skill(f"skill-{i}", tags=[f"t{i % 7}"]) for i in range(250)])
        s.search("warm", user_id="alice")
        assert s.save_index_snapshot(force=True)
    snapshot = home / "index" / "keywords.snapshot"
    assert snapshot.is_file()
    # Another process changes things after the snapshot was taken.
    with LocalSkillStore(home, embeddings=HASHING) as other:
        gone = other.find("skill-7", user_id="alice")
        other.delete(gone.id)
        edited = other.find("skill-120", user_id="alice")
        other.save(edited.copy(description="Completely different: bakes sourdough bread. Use when baking."))
        other.save(make_skill("skill-new", description="Brand new skill about skill 7 things. Use often."))
    with LocalSkillStore(home, embeddings=HASHING) as restored:
        from_snapshot = _ranked(restored, queries + ["sourdough bread"])
        assert restored._snapshot_seq > 0  # it really started from the snapshot
    snapshot.unlink()
    with LocalSkillStore(home, embeddings=HASHING) as rebuilt:
        assert rebuilt._snapshot_seq == -1
        assert _ranked(rebuilt, queries + ["sourdough bread"]) == from_snapshot
    assert "skill-7" not in [name for name, _ in from_snapshot[0]]
    assert from_snapshot[-1][0][0] == "skill-120"


def test_a_bad_or_foreign_snapshot_is_ignored(tmp_path: Path, make_skill) -> None:
    home = tmp_path / "home"
    with LocalSkillStore(home, embeddings=HASHING) as s:
        s.save_many([make_skill(f"skill-{i}") for i in range(20)])
        s.search("warm", user_id="alice")
        s.save_index_snapshot(force=True)
    snapshot = home / "index" / "keywords.snapshot"
    good = snapshot.read_bytes()
    for bad in (b"garbage", good[:-100], good.replace(b"autoskill-keywords-1", b"autoskill-keywords-9")):
        snapshot.write_bytes(bad)
        with LocalSkillStore(home, embeddings=HASHING) as s:
            assert len(s.search("skill", user_id="alice", top_k=50)) == 20
            assert s._snapshot_seq == -1
    # A new catalog with the old snapshot beside it: the snapshot belongs to another catalog.
    snapshot.write_bytes(good)
    (home / "catalog.sqlite3").unlink()
    for extra in ("catalog.sqlite3-wal", "catalog.sqlite3-shm"):
        (home / extra).unlink(missing_ok=True)
    with LocalSkillStore(home, embeddings=HASHING) as s:
        assert len(s.search("skill", user_id="alice", top_k=50)) == 20  # found again on disk
        assert s._snapshot_seq == -1


def _ranked_hybrid(store: LocalSkillStore, queries: list[str]) -> list[list[tuple[str, float, float | None]]]:
    return [
        [(h.skill.name, round(h.score, 5), None if h.vector is None else round(h.vector, 5))
         for h in store.search(q, user_id="alice", top_k=5, wait=True)]
        for q in queries
    ]


def test_vector_snapshot_restores_vectors_and_never_serves_a_stale_one(tmp_path: Path, make_skill) -> None:
    home = tmp_path / "home"
    queries = ["skill 7", "bake sourdough bread", "check skill 120"]
    with LocalSkillStore(home, embeddings=HASHING) as s:
        s.save_many([make_skill(f"skill-{i}") for i in range(250)])
        s.search("warm", user_id="alice", wait=True)
        assert s.save_index_snapshot(force=True)
    assert (home / "index" / "vectors.snapshot").is_file()
    with LocalSkillStore(home, embeddings=HASHING) as other:  # changes after the snapshot
        edited = other.find("skill-120", user_id="alice")
        other.save(edited.copy(description="Completely different: bakes sourdough bread. Use when baking."))
        other.delete(other.find("skill-7", user_id="alice").id)
    with LocalSkillStore(home, embeddings=HASHING) as restored:
        from_snapshot = _ranked_hybrid(restored, queries)
        assert restored._vector_snapshot_n == 248  # all but the edited and the deleted skill
        assert restored.index.vector_count == 249
    (home / "index" / "vectors.snapshot").unlink()
    (home / "index" / "keywords.snapshot").unlink(missing_ok=True)
    with LocalSkillStore(home, embeddings=HASHING) as rebuilt:
        assert _ranked_hybrid(rebuilt, queries) == from_snapshot
        assert rebuilt._vector_snapshot_n == -1
    assert from_snapshot[1][0][0] == "skill-120" and from_snapshot[1][0][2] is not None


def test_a_bad_or_foreign_vector_snapshot_is_ignored(tmp_path: Path, make_skill) -> None:
    home = tmp_path / "home"
    with LocalSkillStore(home, embeddings=HASHING) as s:
        s.save_many([make_skill(f"skill-{i}") for i in range(20)])
        s.search("warm", user_id="alice", wait=True)
        s.save_index_snapshot(force=True)
    path = home / "index" / "vectors.snapshot"
    good = path.read_bytes()
    for bad in (b"garbage", good[:-100], good + b"x", good.replace(b"autoskill-vectors-2", b"autoskill-vectors-9")):
        path.write_bytes(bad)
        with LocalSkillStore(home, embeddings=HASHING) as s:
            assert len(s.search("skill", user_id="alice", top_k=50, wait=True)) == 20
            assert s._vector_snapshot_n == -1
            assert s.index.vector_count == 20
    path.write_bytes(good)
    with LocalSkillStore(home, embeddings={"provider": "hashing", "dims": 128}) as s:  # another embedder
        hits = s.search("skill", user_id="alice", top_k=50, wait=True)
        assert len(hits) == 20 and s._vector_snapshot_n == 0
        assert s.index.vector_count == 20 and s.index.signature != HASHING_SIGNATURE


def test_a_large_store_rescans_at_open_on_a_thread_and_still_picks_up_hand_edits(
        tmp_path: Path, make_skill, monkeypatch) -> None:
    from autoskill_mcp.store import local

    home = tmp_path / "home"
    with LocalSkillStore(home, embeddings=HASHING) as s:
        saved = s.save_many([make_skill(f"skill-{i}") for i in range(30)])
        s.search("warm", user_id="alice", wait=True)
        s.save_index_snapshot(force=True)
        md = s.skill_dir(saved[3].id) / "SKILL.md"
    # edited and added by hand while no process runs
    md.write_text(md.read_text().replace("Check it.", "Polish the zanzibar gearbox."))
    _touch_later(md)
    dropped = home / "Users" / "alice" / "hand-made"
    dropped.mkdir()
    (dropped / "SKILL.md").write_text("---\nname: hand-made\ndescription: Tunes a quokka carburettor. "
                                      "Use when tuning.\n---\nBody.\n")
    monkeypatch.setattr(local, "BACKGROUND_SCAN_FROM", 10)  # this store now counts as large
    with LocalSkillStore(home, embeddings=HASHING) as s:
        assert s._rescan is not None  # the open did not wait for the folders
        # a hit is checked against its folder before it is served, rescan finished or not
        assert "zanzibar" in s.get(saved[3].id).instructions
        assert s.wait_for_rescan(timeout=30)
        assert [h.skill.name for h in s.search("zanzibar gearbox", user_id="alice", top_k=1)] == ["skill-3"]
        assert [h.skill.name for h in s.search("quokka carburettor", user_id="alice", top_k=1)] == ["hand-made"]
        assert s.versions(s.find("hand-made", user_id="alice").id)[0].reason == "found on disk"
    monkeypatch.setattr(local, "BACKGROUND_SCAN_FROM", 10**9)
    with LocalSkillStore(home, embeddings=HASHING) as s:  # a small store rescans before the open returns
        assert s._rescan is None
        assert [h.skill.name for h in s.search("zanzibar gearbox", user_id="alice", top_k=1)] == ["skill-3"]


def test_rows_snapshot_restores_the_catalog_view_and_replays_later_changes(tmp_path: Path, make_skill) -> None:
    home = tmp_path / "home"
    with LocalSkillStore(home, embeddings=HASHING) as s:
        saved = s.save_many([make_skill(f"skill-{i}") for i in range(220)])
        s.search("warm", user_id="alice", wait=True)
        assert s.save_index_snapshot(force=True)
    assert (home / "index" / "rows.snapshot").is_file()
    with LocalSkillStore(home, embeddings=HASHING) as other:  # changes after the snapshot
        other.save(other.get(saved[5].id).copy(description="Now about sourdough. Use when baking."))
        other.delete(saved[6].id)
        other.save(make_skill("brand-new"))
        other.save_index_snapshot()  # nearly current: the rows snapshot is left as it was
    with LocalSkillStore(home, embeddings=HASHING) as restored:
        assert restored._rows_snapshot_seq >= 0
        want = {r.id: r for r in restored.catalog.live_rows()}
        assert set(restored._rows) == set(want)
        for skill_id, row in want.items():
            held = restored._rows[skill_id]
            assert (held.name, held.description, held.version, held.seq, held.mtime_ns, held.text_hash) == (
                row.name, row.description, row.version, row.seq, row.mtime_ns, row.text_hash)
        assert [h.skill.name for h in restored.search("sourdough", user_id="alice", top_k=1)] == ["skill-5"]
        assert restored.find("skill-6", user_id="alice") is None
    (home / "index" / "rows.snapshot").write_bytes(b"autoskill-rows-1 garbage")
    with LocalSkillStore(home, embeddings=HASHING) as s:  # a damaged one is ignored: the catalog is read
        assert s._rows_snapshot_seq == -1 and len(s._rows) == 220
