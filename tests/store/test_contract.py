"""The `SkillStore` contract, run against every backend: the local folder store and the team store
on PostgreSQL (a real server on 127.0.0.1, a fresh database per test). One suite, parametrized by
the `open_store_again` fixture (tests/conftest.py); what only one backend does is tested beside it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from autoskill_mcp import ConflictError, InvalidInputError, NotFoundError, Scope, SkillStatus, skillmd
from autoskill_mcp.store import SkillStore

Opener = Callable[..., SkillStore]


def test_get_round_trips_every_field(any_store: SkillStore, make_skill) -> None:
    original = make_skill(tags=["git", "style"], triggers=["commit message", "write a commit"],
                          license="MIT", metadata={"author": "alice"})
    saved = any_store.save(original)
    loaded = any_store.get(saved.id)
    assert loaded is not None
    for field in ("id", "name", "description", "instructions", "tags", "triggers", "license", "metadata", "version"):
        assert getattr(loaded, field) == getattr(original, field), field
    assert loaded.user_id == "alice" and loaded.scope is Scope.USER
    assert any_store.get("no-such-id") is None


def test_unchanged_save_adds_no_version_and_changed_save_bumps_patch(any_store: SkillStore, make_skill) -> None:
    skill = any_store.save(make_skill())
    seq = any_store.change_seq()
    again = any_store.save(skill.copy())
    assert again.version == "0.1.0"
    assert len(any_store.versions(skill.id)) == 1
    assert any_store.change_seq() == seq  # nothing written, nothing to replay
    edited = any_store.save(skill.copy(instructions=skill.instructions + "\n3. Push."))
    assert edited.version == "0.1.1"
    assert [v.version for v in any_store.versions(skill.id)] == ["0.1.0", "0.1.1"]
    assert any_store.change_seq() > seq


def test_names_are_unique_per_user_but_not_across_users(any_store: SkillStore, make_skill) -> None:
    any_store.save(make_skill(user="alice"))
    any_store.save(make_skill(user="bob"))
    with pytest.raises(ConflictError):
        any_store.save(make_skill(user="alice"))


def test_invalid_names_become_spec_names_and_lookalikes_are_refused(any_store: SkillStore, make_skill) -> None:
    saved = any_store.save(make_skill(name="Write Commit Messages"))
    assert saved.name == "write-commit-messages"
    assert any_store.find("write-commit-messages", user_id="alice").id == saved.id
    with pytest.raises(ConflictError, match="looks like"):
        any_store.save(make_skill(name="write-commit-messageѕ"))  # a Cyrillic dze for the last s


@pytest.mark.parametrize("user", ["../x", "a/b", "", ".hidden", "x" * 200, "a\x00b"])
def test_unsafe_user_ids_are_refused(any_store: SkillStore, make_skill, user: str) -> None:
    with pytest.raises(InvalidInputError):
        any_store.save(make_skill(user=user))
    assert any_store.summaries(user_id=None) == []


@pytest.mark.parametrize("rel", ["../../x", "/etc/passwd", "a/../../b", "scripts\\x.sh", ".env", "SKILL.md"])
def test_unsafe_resource_paths_are_refused(any_store: SkillStore, make_skill, rel: str) -> None:
    with pytest.raises(InvalidInputError):
        any_store.save(make_skill(files={rel: b"x"}))
    assert any_store.summaries(user_id="alice") == []


def test_files_are_listed_read_and_kept_whole(any_store: SkillStore, make_skill) -> None:
    saved = any_store.save(make_skill(files={"scripts/run.sh": b"#!/bin/sh\necho hi\n", "references/a.md": b"A"}))
    assert [(f.path, f.size) for f in any_store.list_files(saved.id)] == [
        ("references/a.md", 1), ("scripts/run.sh", 18)]
    assert any_store.read_file(saved.id, "scripts/run.sh") == b"#!/bin/sh\necho hi\n"
    assert any_store.get(saved.id, include_files=True).files["references/a.md"] == b"A"
    for bad in ("../../../secret.txt", "/etc/passwd"):
        with pytest.raises(InvalidInputError):
            any_store.read_file(saved.id, bad)
    with pytest.raises(NotFoundError):
        any_store.read_file(saved.id, "references/missing.md")
    with pytest.raises(NotFoundError):
        any_store.list_files("no-such-id")
    # a save that names some files keeps the others; replace_files drops them
    any_store.save(saved.copy(files={"references/b.md": b"B"}))
    assert [f.path for f in any_store.list_files(saved.id)] == ["references/a.md", "references/b.md",
                                                                 "scripts/run.sh"]
    any_store.save(saved.copy(instructions="only b", files={"references/b.md": b"B"}), replace_files=True)
    assert [f.path for f in any_store.list_files(saved.id)] == ["references/b.md"]


def test_read_skill_md_serves_the_stored_text(any_store: SkillStore, make_skill) -> None:
    saved = any_store.save(make_skill())
    text = any_store.read_skill_md(saved.id).decode()
    assert skillmd.to_skill(skillmd.parse(text)).skill.instructions == saved.instructions
    with pytest.raises(NotFoundError):
        any_store.read_skill_md(saved.id, user_id="bob")


def test_save_verbatim_keeps_the_exact_bytes(any_store: SkillStore, make_skill) -> None:
    data = (b"---\nname: csv-cleaning\ndescription: Cleans CSV files.   Use for messy CSVs.\n"
            b"metadata:\n  origin: 'someone else'\n---\n\n#  Clean   it\n\nKeep   the spacing.\n")
    skill = skillmd.to_skill(skillmd.parse(data)).skill.copy(user_id="alice")
    [saved] = any_store.save_verbatim([(skill, data)])
    assert any_store.read_skill_md(saved.id) == data
    assert any_store.get(saved.id).name == "csv-cleaning"
    assert [v.version for v in any_store.versions(saved.id)] == [saved.version]


def test_secrets_are_redacted_on_save(any_store: SkillStore, make_skill) -> None:
    key = "sk-proj-" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY"
    saved = any_store.save(make_skill(instructions=f"1. export OPENAI_API_KEY={key}\n2. run it"))
    assert key not in any_store.read_skill_md(saved.id).decode()
    assert key not in any_store.get(saved.id).instructions
    assert saved.redactions


def test_delete_hides_the_skill_and_keeps_history(any_store: SkillStore, make_skill) -> None:
    saved = any_store.save(make_skill(files={"scripts/a.sh": b"one"}))
    assert any_store.delete(saved.id) is True
    assert any_store.get(saved.id) is None
    assert any_store.find(saved.name, user_id="alice") is None
    assert any_store.summaries(user_id="alice") == []
    assert any_store.search("commit messages", user_id="alice") == []
    assert any_store.versions(saved.id)[0].version == "0.1.0"
    assert any_store.get_version(saved.id, "0.1.0").files == {"scripts/a.sh": b"one"}
    assert any_store.delete(saved.id) is False
    again = any_store.save(make_skill())  # the name is free again
    assert again.id != saved.id


def test_rollback_survives_a_restart(open_store_again: Opener, make_skill) -> None:
    with open_store_again() as s:
        v1 = s.save(make_skill(instructions="first way"))
        s.save(v1.copy(instructions="second way"))
        s.save(v1.copy(instructions="third way"))
    with open_store_again() as s:
        restored = s.rollback(v1.id, "0.1.0")
        assert restored.instructions == "first way"
        assert restored.version == "0.1.3"  # versions only move forward
        history = s.versions(v1.id)
        assert [v.version for v in history] == ["0.1.0", "0.1.1", "0.1.2", "0.1.3"]
        assert history[-1].reason == "rollback to 0.1.0" and history[-1].current
        assert len({v.content_hash for v in history}) == 4 and all(len(v.content_hash) == 64 for v in history)
        previous = s.rollback(v1.id)  # default: the previous version's content
        assert previous.instructions == "third way"


def test_rollback_restores_resource_files(any_store: SkillStore, make_skill) -> None:
    v1 = any_store.save(make_skill(files={"scripts/a.sh": b"one"}))
    any_store.save(v1.copy(instructions="changed", files={"scripts/a.sh": b"two", "scripts/b.sh": b"new"}))
    any_store.rollback(v1.id, "0.1.0")
    assert any_store.read_file(v1.id, "scripts/a.sh") == b"one"
    assert [f.path for f in any_store.list_files(v1.id)] == ["scripts/a.sh"]
    with pytest.raises(NotFoundError):
        any_store.rollback("no-such-id")


def test_get_version_and_unknown_version(any_store: SkillStore, make_skill) -> None:
    v1 = any_store.save(make_skill(instructions="old"))
    any_store.save(v1.copy(instructions="new"))
    assert any_store.get_version(v1.id, "0.1.0").instructions == "old"
    assert any_store.get_version(v1.id, "v0.1.0").instructions == "old"
    assert any_store.get_version(v1.id, "#2").instructions == "new"
    with pytest.raises(NotFoundError):
        any_store.get_version(v1.id, "9.9.9")
    with pytest.raises(NotFoundError):
        any_store.versions("no-such-id")


def test_expected_version_guards_against_lost_updates(any_store: SkillStore, make_skill) -> None:
    saved = any_store.save(make_skill())
    any_store.save(saved.copy(instructions="someone else's edit"))
    with pytest.raises(ConflictError):
        any_store.save(saved.copy(instructions="my edit"), expected_version="0.1.0")
    assert any_store.get(saved.id).instructions == "someone else's edit"
    assert any_store.save(saved.copy(instructions="my edit"), expected_version="0.1.1").version == "0.1.2"


def test_a_refused_batch_writes_nothing(any_store: SkillStore, make_skill) -> None:
    any_store.save(make_skill("taken-name"))
    with pytest.raises(ConflictError):
        any_store.save_many([make_skill("fresh-one"), make_skill("taken-name")])
    assert [s.name for s in any_store.summaries(user_id="alice")] == ["taken-name"]


def test_visibility_between_users_and_precedence(any_store: SkillStore, make_skill) -> None:
    mine = any_store.save(make_skill("git-commit-messages", user="alice", files={"references/a.md": b"A"}))
    shared = any_store.save(make_skill("git-commit-messages", user="", scope=Scope.SHARED,
                                       description="The team's commit style. Use when committing."))
    bob_only = any_store.save(make_skill("bob-notes", user="bob"))
    # alice's own copy wins over the shared one; bob sees the shared one and his own
    assert any_store.find("git-commit-messages", user_id="alice").id == mine.id
    assert any_store.find("git-commit-messages", user_id="bob").id == shared.id
    assert any_store.find("git-commit-messages", user_id="bob", scope="user") is None
    assert [(s.name, s.scope) for s in any_store.visible("alice")] == [("git-commit-messages", "user")]
    assert [(s.name, s.scope) for s in any_store.visible("bob")] == [("bob-notes", "user"),
                                                                      ("git-commit-messages", "shared")]
    # another user's own skill is absent to them, as if it did not exist
    assert any_store.get(mine.id, user_id="bob") is None
    assert any_store.get(mine.id, user_id="alice") is not None
    assert any_store.find("bob-notes", user_id="alice") is None
    with pytest.raises(NotFoundError):
        any_store.list_files(mine.id, user_id="bob")
    with pytest.raises(NotFoundError):
        any_store.read_file(mine.id, "references/a.md", user_id="bob")
    assert [s.id for s in any_store.summaries(user_id="bob", scope="all")] == [shared.id, bob_only.id] or \
        {s.id for s in any_store.summaries(user_id="bob", scope="all")} == {shared.id, bob_only.id}
    assert {s.id for s in any_store.summaries(user_id=None, scope="all")} == {mine.id, shared.id, bob_only.id}
    assert [h.skill.id for h in any_store.search("bob notes", user_id="alice")] == []


def test_summaries_leave_out_archived_skills_unless_asked(any_store: SkillStore, make_skill) -> None:
    saved = any_store.save(make_skill())
    any_store.save(saved.copy(status=SkillStatus.ARCHIVED))
    assert any_store.summaries(user_id="alice") == []
    [archived] = any_store.summaries(user_id="alice", include_archived=True)
    assert archived.status == "archived" and archived.version == "0.1.1"


def test_search_respects_users_scopes_tags_and_status(any_store: SkillStore, make_skill) -> None:
    any_store.save(make_skill("git-commit-messages", user="alice", tags=["git"]))
    any_store.save(make_skill("git-branch-naming", user="bob", tags=["git"]))
    any_store.save(make_skill("git-rebase-workflow", user="", scope=Scope.SHARED, tags=["workflow"]))
    names = lambda hits: sorted(h.skill.name for h in hits)  # noqa: E731
    assert names(any_store.search("git", user_id="alice", scope="user")) == ["git-commit-messages"]
    assert names(any_store.search("git", user_id="alice", scope="all")) == ["git-commit-messages",
                                                                            "git-rebase-workflow"]
    assert names(any_store.search("git", user_id="alice", scope="shared")) == ["git-rebase-workflow"]
    assert names(any_store.search("git", user_id="alice", tags=["workflow"])) == ["git-rebase-workflow"]
    archived = any_store.find("git-commit-messages", user_id="alice")
    any_store.save(archived.copy(status=SkillStatus.ARCHIVED))
    assert names(any_store.search("git", user_id="alice", scope="user")) == []


def test_search_reports_scores_and_contributions(any_store: SkillStore, make_skill) -> None:
    any_store.save(make_skill("git-commit-messages"))
    any_store.save(make_skill("docker-images", description="Builds slim Docker images. Use for Dockerfiles."))
    hits = any_store.search("commit message", user_id="alice", top_k=2, wait=True)
    assert hits[0].skill.name == "git-commit-messages"
    assert hits[0].score >= hits[-1].score
    assert hits[0].keyword is not None and hits[0].vector is not None
    assert hits[0].mode == "hybrid" and hits[0].note is None
    assert "keyword" in hits[0].why()
    assert any_store.search("zebra quantum accordion", user_id="alice") == []
    with pytest.raises(InvalidInputError):
        any_store.search("x", user_id="alice", scope="everything")
    with pytest.raises(InvalidInputError):
        any_store.search("x", user_id="alice", top_k=0)
    with pytest.raises(InvalidInputError):
        any_store.search("   ", user_id="alice")


def test_search_never_waits_for_a_costly_embedder(open_store_again: Opener, make_skill) -> None:
    store = open_store_again(embeddings={"provider": "minilm"})
    store.save_many([make_skill("git-commit-messages"), make_skill("docker-images")])
    [hit] = store.search("commit messages", user_id="alice", top_k=1)
    assert hit.skill.name == "git-commit-messages"
    assert hit.mode == "keyword" and hit.note == "vector: pending 2 of 2"
    [hit] = store.search("commit messages", user_id="alice", top_k=1, wait=True)
    assert hit.mode == "hybrid" and hit.note is None and hit.vector is not None


def test_usage_counters(any_store: SkillStore, make_skill) -> None:
    saved = any_store.save(make_skill())
    any_store.record_usage(saved.id, retrieved=2)
    any_store.record_usage(saved.id, used=1)
    usage = any_store.usage(saved.id)
    assert (usage["retrieved"], usage["used"]) == (2, 1)
    with pytest.raises(NotFoundError):
        any_store.record_usage("nope", used=1)


def test_usage_is_counted_per_user_in_one_write(any_store: SkillStore, make_skill) -> None:
    a, b = any_store.save(make_skill("skill-a")), any_store.save(make_skill("skill-b"))
    any_store.record_usage_many([(a.id, "alice", 1, 0), (a.id, "bob", 2, 1), (b.id, "bob", 0, 1),
                                 ("gone", "bob", 1, 0)])
    any_store.record_usage(a.id, retrieved=1, user_id="alice")
    assert any_store.usage(a.id, user_id="alice") == {
        "retrieved": 2,
        "used": 0,
        "last_used_at": None,
        "last_retrieved_at": any_store.usage(a.id, user_id="alice")["last_retrieved_at"],
    }
    total = any_store.usage(a.id)
    assert (total["retrieved"], total["used"]) == (4, 1)
    assert total["by_user"] == {"alice": {"retrieved": 2, "used": 0}, "bob": {"retrieved": 2, "used": 1}}
    assert any_store.usage(b.id, user_id="alice")["used"] == 0 and any_store.usage(b.id, user_id="bob")["used"] == 1


def test_a_second_handle_sees_writes_without_restart(open_store_again: Opener, make_skill) -> None:
    reader, writer = open_store_again(), open_store_again()
    assert reader.search("commit", user_id="alice") == []
    saved = writer.save(make_skill())
    assert [h.skill.id for h in reader.search("commit", user_id="alice")] == [saved.id]
    writer.save(saved.copy(description="Changed description. Use when committing."))
    assert reader.get(saved.id).description.startswith("Changed")
    writer.delete(saved.id)
    assert reader.search("commit", user_id="alice") == []
    assert reader.change_seq() == writer.change_seq()
