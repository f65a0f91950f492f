"""Writes never go through a symlink: a linked `references/` (or skill folder, or user folder) is refused.

A skill folder in the store can hold links nobody made through us (a hand edit, a git checkout
of `Users/alice`). Writing `references/x.md` into such a folder used to land wherever the link
pointed. Every write now walks its path below the store root refusing any link, and what was
stored before stays as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autoskill_mcp import AutoSkill, AutoSkillConfig, InvalidInputError, LocalSkillStore

HASHING = {"provider": "hashing", "dims": 256}
DESC = "Writes release notes. Use when cutting a release."


@pytest.fixture
def sdk(tmp_path: Path) -> AutoSkill:
    with AutoSkill(AutoSkillConfig(store={"path": str(tmp_path / "home")}, embeddings=HASHING,
                                   default_user="alice")) as s:
        yield s


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    d = tmp_path / "outside"
    d.mkdir()
    return d


def _tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("sub", ["references", "scripts", "assets"])
def test_upsert_files_into_a_symlinked_resource_folder_is_refused(sdk: AutoSkill, outside: Path, sub: str) -> None:
    skill = sdk.upsert(name="release-notes", description=DESC, instructions="# Notes",
                       files={f"{sub}/a.md": "first\n"})
    folder = sdk.store.skill_dir(skill.id)
    assert folder is not None
    (folder / sub / "a.md").unlink()
    (folder / sub).rmdir()
    (folder / sub).symlink_to(outside, target_is_directory=True)
    before = [v.version for v in sdk.versions(skill.id)]
    skill_md = (folder / "SKILL.md").read_bytes()
    with pytest.raises(InvalidInputError, match="symbolic link"):
        sdk.upsert(name="release-notes", description=DESC, instructions="# Notes v2",
                   files={"notes.md": "written first\n", f"{sub}/b.md": "escaped\n"})
    assert _tree(outside) == {}
    assert not (folder / "notes.md").exists()  # a refused save writes nothing at all
    assert [v.version for v in sdk.versions(skill.id)] == before
    assert (folder / "SKILL.md").read_bytes() == skill_md


def test_a_symlinked_resource_file_is_not_written_through(sdk: AutoSkill, outside: Path) -> None:
    victim = outside / "victim.txt"
    victim.write_text("keep me\n")
    skill = sdk.upsert(name="release-notes", description=DESC, files={"references/a.md": "first\n"})
    folder = sdk.store.skill_dir(skill.id)
    assert folder is not None
    (folder / "references" / "a.md").unlink()
    (folder / "references" / "a.md").symlink_to(victim)
    with pytest.raises(InvalidInputError, match="symbolic link"):
        sdk.upsert(name="release-notes", description=DESC, files={"references/a.md": "overwritten\n"})
    assert victim.read_text() == "keep me\n"


def test_a_symlinked_skill_folder_is_not_written_into(sdk: AutoSkill, outside: Path) -> None:
    users = sdk.store.root / "Users" / "alice"
    users.mkdir(parents=True)
    (users / "release-notes").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidInputError, match="symbolic link"):
        sdk.upsert(name="release-notes", description=DESC, instructions="# Notes")
    assert _tree(outside) == {}
    assert sdk.store.summaries(user_id="alice") == []


def test_a_symlinked_user_folder_is_not_written_into(sdk: AutoSkill, outside: Path) -> None:
    (sdk.store.root / "Users").mkdir(parents=True, exist_ok=True)
    (sdk.store.root / "Users" / "mallory").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidInputError, match="symbolic link"):
        sdk.upsert(user_id="mallory", name="release-notes", description=DESC)
    assert _tree(outside) == {}


def test_a_rename_never_moves_a_folder_through_a_link(sdk: AutoSkill, outside: Path) -> None:
    skill = sdk.upsert(name="release-notes", description=DESC)
    shared = sdk.store.root / "Common"
    shared.symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidInputError, match="symbolic link"):
        sdk.save(skill.copy(scope=skill.scope.SHARED))
    assert _tree(outside) == {}
    assert sdk.get(skill.id) is not None and (sdk.store.skill_dir(skill.id) / "SKILL.md").is_file()


def test_delete_of_a_skill_whose_id_looks_like_a_path_stays_in_the_store(tmp_path: Path, make_skill) -> None:
    with LocalSkillStore(tmp_path / "home", embeddings=HASHING, background=False) as store:
        saved = store.save(make_skill(id="../../escaped"))
        folder = store.skill_dir(saved.id)
        assert store.delete(saved.id) is True
        assert folder is not None and not folder.exists()
    assert sorted(os.listdir(tmp_path)) == ["home"]
