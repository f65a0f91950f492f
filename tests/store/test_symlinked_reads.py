"""Reads never follow a symlink: a linked SKILL.md, skill folder or resource is not indexed nor served.

A SKILL.md that was a link to an env file used to be parsed and its secret served as the
skill's description. The rescan, library folders, reads of a known skill and import now see
only regular files in real folders; a known skill whose file became a link keeps serving its
last good version (nothing stored is lost) and the store reports the link as a problem.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from autoskill_mcp import AutoSkill, AutoSkillConfig, InvalidInputError, LocalSkillStore

HASHING = {"provider": "hashing", "dims": 256}
SECRET = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
GOOD = "---\nname: {name}\ndescription: Writes release notes. Use when cutting a release.\n---\n# Notes\n"


def env_file(tmp_path: Path) -> Path:
    """An env file laid out so that, read as a SKILL.md, its secret would become the description."""
    path = tmp_path / "outside" / ".env"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"---\nname: leak\ndescription: {SECRET}\n---\n{SECRET}\n", encoding="utf-8")
    return path


def everything_served(store: LocalSkillStore, user: str) -> str:
    """All a client could be given: listings, full skills, files, search hits."""
    out = []
    for s in store.summaries(user_id=user, scope="all"):
        out.append(repr(s))
        skill = store.get(s.id, include_files=True)
        out.append(repr(skill))
        out.append(store.read_skill_md(s.id).decode("utf-8", "replace"))
    out += [repr(h.skill) for h in store.search("AWS secret access key", user_id=user, scope="all")]
    return "\n".join(out)


def test_a_symlinked_skill_md_in_a_user_folder_is_not_indexed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = home / "Users" / "alice" / "leak"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").symlink_to(env_file(tmp_path))
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store:
        assert store.summaries(user_id="alice", scope="all") == []
        assert SECRET not in everything_served(store, "alice")
        assert any("symbolic link" in p for p in store.problems.values())


def test_a_symlinked_skill_md_in_a_library_is_not_indexed(tmp_path: Path) -> None:
    lib = tmp_path / "team-skills"
    (lib / "leak").mkdir(parents=True)
    (lib / "leak" / "SKILL.md").symlink_to(env_file(tmp_path))
    (lib / "nested" / "deeper").mkdir(parents=True)
    (lib / "nested" / "deeper" / "SKILL.md").symlink_to(env_file(tmp_path))
    (lib / "linked-folder").symlink_to(env_file(tmp_path).parent, target_is_directory=True)
    (lib / "ok").mkdir()
    (lib / "ok" / "SKILL.md").write_text(GOOD.format(name="ok"))
    with LocalSkillStore(tmp_path / "home", embeddings=HASHING, background=False, library_dirs=[lib]) as store:
        assert [s.name for s in store.summaries(user_id="alice", scope="all")] == ["ok"]
        assert SECRET not in everything_served(store, "alice")


def test_a_known_skill_whose_skill_md_becomes_a_link_keeps_its_last_good_version(tmp_path: Path) -> None:
    with AutoSkill(AutoSkillConfig(store={"path": str(tmp_path / "home")}, embeddings=HASHING,
                                   default_user="alice")) as sdk:
        skill = sdk.upsert(name="release-notes", description="Writes release notes. Use when cutting a release.",
                           instructions="# Notes", files={"references/a.md": "alpha\n"})
        store = sdk.store
        assert isinstance(store, LocalSkillStore)
        folder = store.skill_dir(skill.id)
        assert folder is not None
        good = store.read_skill_md(skill.id)
        (folder / "SKILL.md").unlink()
        (folder / "SKILL.md").symlink_to(env_file(tmp_path))
        store.sync()
        served = store.get(skill.id)
        assert served is not None and served.description == skill.description
        assert store.read_skill_md(skill.id) == good
        assert SECRET not in everything_served(store, "alice")
        assert any("symbolic link" in p for p in store.problems.values())
        assert len(store.versions(skill.id)) == 1


def test_a_known_skill_whose_folder_becomes_a_link_serves_nothing_from_it(tmp_path: Path) -> None:
    with AutoSkill(AutoSkillConfig(store={"path": str(tmp_path / "home")}, embeddings=HASHING,
                                   default_user="alice")) as sdk:
        skill = sdk.upsert(name="release-notes", description="Writes release notes. Use when cutting a release.",
                           instructions="# Notes", files={"references/a.md": "alpha\n"})
        store = sdk.store
        assert isinstance(store, LocalSkillStore)
        folder = store.skill_dir(skill.id)
        assert folder is not None
        good = store.read_skill_md(skill.id)
        decoy = env_file(tmp_path).parent
        (decoy / "SKILL.md").write_text(f"---\nname: release-notes\ndescription: {SECRET}\n---\nx\n")
        (decoy / "references").mkdir()
        (decoy / "references" / "a.md").write_text(SECRET)
        shutil.rmtree(folder)
        folder.symlink_to(decoy, target_is_directory=True)
        store.sync()
        assert store.read_skill_md(skill.id) == good
        assert store.list_files(skill.id) == []
        with pytest.raises(InvalidInputError):
            store.read_file(skill.id, "references/a.md")
        assert SECRET not in everything_served(store, "alice")


def test_a_symlinked_resource_is_neither_listed_nor_read(tmp_path: Path) -> None:
    with AutoSkill(AutoSkillConfig(store={"path": str(tmp_path / "home")}, embeddings=HASHING,
                                   default_user="alice")) as sdk:
        skill = sdk.upsert(name="release-notes", description="Writes release notes. Use when cutting a release.",
                           files={"references/a.md": "alpha\n"})
        folder = sdk.store.skill_dir(skill.id)
        assert folder is not None
        secret = env_file(tmp_path)
        (folder / "references" / "env.md").symlink_to(secret)
        (folder / "assets").symlink_to(secret.parent, target_is_directory=True)
        assert [f.path for f in sdk.store.list_files(skill.id)] == ["references/a.md"]
        for rel in ("references/env.md", "assets/.env"):
            with pytest.raises(InvalidInputError):
                sdk.store.read_file(skill.id, rel)


def test_a_fifo_planted_as_skill_md_does_not_hang_the_rescan(tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = home / "Users" / "alice" / "fifo"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "SKILL.md")
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store:
        assert store.summaries(user_id="alice") == []


def test_import_never_follows_a_symlinked_skill_md_or_resource(tmp_path: Path) -> None:
    src = tmp_path / "src"
    secret = env_file(tmp_path)
    (src / "leak").mkdir(parents=True)
    (src / "leak" / "SKILL.md").symlink_to(secret)
    (src / "lower").mkdir()
    (src / "lower" / "skill.md").symlink_to(secret)
    (src / "ok" / "references").mkdir(parents=True)
    (src / "ok" / "SKILL.md").write_text(GOOD.format(name="ok"))
    (src / "ok" / "references" / "env.md").symlink_to(secret)
    (src / "ok" / "assets").symlink_to(secret.parent, target_is_directory=True)
    (src / "linked").symlink_to(secret.parent, target_is_directory=True)
    with AutoSkill(AutoSkillConfig(store={"path": str(tmp_path / "home")}, embeddings=HASHING,
                                   default_user="alice")) as sdk:
        report = sdk.import_skills(src)
        assert report.imported == ["ok"]
        ok = sdk.store.find("ok", user_id="alice")
        assert ok is not None and [f.path for f in sdk.store.list_files(ok.id)] == []
        assert SECRET not in everything_served(sdk.store, "alice")  # type: ignore[arg-type]
