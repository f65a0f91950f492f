"""A look-alike of an existing name in the same scope is a conflict, not a second skill.

`ｇｉｔ-commit-messages` (fullwidth) is the same name once NFKC-normalised, as skills-ref compares
names: it is stored as `git-commit-messages` and an upsert by that name updates the existing
skill. `gіt-commit-messages` (Cyrillic і) stays a different string, but a reader cannot tell it
apart: saving it beside the original is a ConflictError that names the original.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autoskill_mcp import AutoSkill, AutoSkillConfig, ConflictError, LocalSkillStore, Scope

HASHING = {"provider": "hashing", "dims": 256}
CYRILLIC = "g\u0456t-commit-messages"
GREEK = "git-c\u03bfmmit-messages"
FULLWIDTH = "ｇｉｔ-commit-messages"
DESC = "Writes commit messages. Use when committing."


@pytest.fixture
def sdk(tmp_path: Path) -> AutoSkill:
    with AutoSkill(AutoSkillConfig(store={"path": str(tmp_path / "home")}, embeddings=HASHING,
                                   default_user="alice")) as s:
        s.upsert(name="git-commit-messages", description=DESC, instructions="Imperative subject.")
        yield s


def names(sdk: AutoSkill, user: str = "alice", scope: str = "user") -> list[str]:
    return sorted(s.name for s in sdk.store.summaries(user_id=user, scope=scope))


@pytest.mark.parametrize("twin", [CYRILLIC, GREEK])
def test_a_confusable_name_beside_an_existing_one_is_a_conflict(sdk: AutoSkill, make_skill, twin: str) -> None:
    with pytest.raises(ConflictError, match="looks like the existing skill 'git-commit-messages'"):
        sdk.upsert(name=twin, description=DESC, instructions="Sneaky.")
    with pytest.raises(ConflictError, match="looks like"):
        sdk.store.save(make_skill(twin))
    with pytest.raises(ConflictError, match="looks like"):
        sdk.store.save_many([make_skill(twin)])
    assert names(sdk) == ["git-commit-messages"]
    assert len(list((sdk.store.root / "Users" / "alice").iterdir())) == 1


def test_a_fullwidth_name_is_the_same_name(sdk: AutoSkill, make_skill) -> None:
    original = sdk.store.find("git-commit-messages", user_id="alice")
    assert original is not None
    updated = sdk.upsert(name=FULLWIDTH, description=DESC, instructions="Imperative subject, 72 chars.")
    assert updated.id == original.id and updated.name == "git-commit-messages" and updated.version == "0.1.1"
    with pytest.raises(ConflictError):
        sdk.store.save(make_skill(FULLWIDTH))  # a new id under the same name
    assert names(sdk) == ["git-commit-messages"]
    assert sdk.store.find(FULLWIDTH, user_id="alice") is not None


def test_renaming_into_a_look_alike_is_a_conflict(sdk: AutoSkill) -> None:
    other = sdk.upsert(name="release-notes", description="Writes release notes. Use when releasing.")
    with pytest.raises(ConflictError, match="looks like"):
        sdk.store.save(other.copy(name=CYRILLIC))
    assert names(sdk) == ["git-commit-messages", "release-notes"]


def test_look_alikes_in_other_scopes_or_users_are_allowed(sdk: AutoSkill) -> None:
    sdk.upsert(name=CYRILLIC, description=DESC, user_id="bob")
    sdk.upsert(name=CYRILLIC, description=DESC, scope="shared")
    assert names(sdk, "bob") == [CYRILLIC]
    assert names(sdk, "alice", "shared") == [CYRILLIC]


def test_an_existing_look_alike_pair_on_disk_can_still_be_updated(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for name in ("git-commit-messages", CYRILLIC):
        folder = home / "Users" / "alice" / name
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(f"---\nname: {name}\ndescription: {DESC}\n---\nx\n", encoding="utf-8")
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store:
        twin = store.find(CYRILLIC, user_id="alice")
        assert twin is not None and twin.scope is Scope.USER
        saved = store.save(twin.copy(instructions="y"))
        assert saved.version == "0.1.1"


def test_import_skips_a_look_alike_with_a_reason(sdk: AutoSkill, tmp_path: Path) -> None:
    src = tmp_path / "src"
    for name in (CYRILLIC, "release-notes", "rel\u0435ase-notes"):
        (src / name).mkdir(parents=True)
        (src / name / "SKILL.md").write_text(f"---\nname: {name}\ndescription: {DESC}\n---\nx\n", encoding="utf-8")
    report = sdk.import_skills(src, overwrite=True)
    assert report.imported == ["release-notes"]
    reasons = " ".join(r for _, r in report.skipped)
    assert "looks like the existing skill 'git-commit-messages'" in reasons
    assert "looks like 'release-notes'" in reasons
    assert names(sdk) == ["git-commit-messages", "release-notes"]


def test_a_catalog_from_before_look_alike_keys_gets_them_on_open(tmp_path: Path, make_skill) -> None:
    import sqlite3

    home = tmp_path / "home"
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store:
        store.save(make_skill("git-commit-messages"))
    with sqlite3.connect(home / "catalog.sqlite3") as conn:  # the schema an older version wrote
        conn.execute("DROP INDEX skills_owner_key")
        conn.execute("ALTER TABLE skills DROP COLUMN name_key")
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store:
        with pytest.raises(ConflictError, match="looks like"):
            store.save(make_skill(CYRILLIC))
