"""Hostile names and paths through the SDK, import, export and the rescan: none is accepted.

Traversal (`../../x`), NUL, bidirectional controls (U+202E and friends) and 10,000-character
names are refused with an InvalidInputError (or skipped with a reason by import and the rescan),
and nothing is created anywhere: no folder, no catalog row, no file outside the store.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autoskill_mcp import AutoSkill, AutoSkillConfig, InvalidInputError

HASHING = {"provider": "hashing", "dims": 256}
HOSTILE_NAMES = ["../../x", "..", "a/../../b", "a\\..\\b", "x\x00y", "evil\u202egnp", "rtl\u200fmark",
                 "\u2066isolated\u2069", "zero\u200bwidth", "x" * 10_000]
HOSTILE_PATHS = ["../../x.md", "references/../../x.md", "/etc/x.md", "references/x\x00.md",
                 "references/\u202egnp.md", "references/" + "x" * 10_000 + ".md", "references\\..\\x.md"]
DESC = "Writes release notes. Use when cutting a release."


@pytest.fixture
def sdk(tmp_path: Path) -> AutoSkill:
    with AutoSkill(AutoSkillConfig(store={"path": str(tmp_path / "home")}, embeddings=HASHING,
                                   default_user="alice")) as s:
        yield s


def _everything(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_upsert_refuses_a_hostile_name(sdk: AutoSkill, tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        sdk.upsert(name=name, description=DESC, instructions="x")
    assert len(str(err.value)) < 400  # a 10k name is not echoed whole
    assert sdk.store.summaries(user_id=None, scope="all") == []
    assert not (sdk.store.root / "Users").exists()
    assert sorted(os.listdir(tmp_path)) == ["home"]


@pytest.mark.parametrize("user", HOSTILE_NAMES)
def test_upsert_refuses_a_hostile_user(sdk: AutoSkill, user: str) -> None:
    with pytest.raises(InvalidInputError):
        sdk.upsert(user_id=user, name="release-notes", description=DESC)
    assert not (sdk.store.root / "Users").exists()


@pytest.mark.parametrize("rel", HOSTILE_PATHS)
def test_upsert_refuses_a_hostile_resource_path(sdk: AutoSkill, tmp_path: Path, rel: str) -> None:
    with pytest.raises(InvalidInputError):
        sdk.upsert(name="release-notes", description=DESC, files={rel: "x"})
    assert sdk.store.summaries(user_id=None, scope="all") == []
    assert sorted(os.listdir(tmp_path)) == ["home"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_lookups_by_a_hostile_name_find_nothing(sdk: AutoSkill, name: str) -> None:
    sdk.upsert(name="release-notes", description=DESC)
    assert sdk.store.find(name, user_id="alice") is None
    assert sdk.get(name) is None


def _skill_md(name: str) -> str:
    quoted = name.replace("\\", "\\\\").replace('"', '\\"').replace("\x00", "\\0")
    return f'---\nname: "{quoted}"\ndescription: {DESC}\n---\nbody\n'


def test_import_skips_hostile_names_and_resource_files(sdk: AutoSkill, tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i, name in enumerate(HOSTILE_NAMES):
        (src / f"s{i}").mkdir(parents=True)
        (src / f"s{i}" / "SKILL.md").write_text(_skill_md(name), encoding="utf-8")
    rtl_folder = src / "folder\u202egnp"
    rtl_folder.mkdir()
    (rtl_folder / "SKILL.md").write_text(f"---\ndescription: {DESC}\n---\nbody\n", encoding="utf-8")
    ok = src / "ok"
    (ok / "references").mkdir(parents=True)
    (ok / "SKILL.md").write_text(_skill_md("ok"), encoding="utf-8")
    (ok / "references" / "fine.md").write_text("fine")
    (ok / "references" / "\u202egnp.md").write_text("sneaky")
    report = sdk.import_skills(src)
    assert report.imported == ["ok"]
    assert len(report.skipped) == len(HOSTILE_NAMES) + 1
    stored = sdk.store.find("ok", user_id="alice")
    assert stored is not None and [f.path for f in sdk.store.list_files(stored.id)] == ["references/fine.md"]
    assert sorted(os.listdir(tmp_path)) == ["home", "src"]


def test_the_rescan_never_indexes_a_hostile_name_so_export_cannot_write_it(sdk: AutoSkill, tmp_path: Path) -> None:
    users = sdk.store.root / "Users" / "alice"
    for i, name in enumerate(HOSTILE_NAMES):
        (users / f"s{i}").mkdir(parents=True)
        (users / f"s{i}" / "SKILL.md").write_text(_skill_md(name), encoding="utf-8")
    sdk.store.sync()  # type: ignore[attr-defined]
    assert sdk.store.summaries(user_id="alice") == []
    problems = sdk.store.problems  # type: ignore[attr-defined]
    assert len(problems) == len(HOSTILE_NAMES) and all("name" in p for p in problems.values())
    dest = tmp_path / "dest"
    assert sdk.write_skill_dirs(user_id="alice", root_dir=dest) == []
    assert _everything(dest) == []


def test_a_known_skill_renamed_on_disk_to_a_hostile_name_keeps_its_name(sdk: AutoSkill, tmp_path: Path) -> None:
    skill = sdk.upsert(name="release-notes", description=DESC)
    folder = sdk.store.skill_dir(skill.id)
    assert folder is not None
    (folder / "SKILL.md").write_text(_skill_md("../../release-notes"), encoding="utf-8")
    st = (folder / "SKILL.md").stat()
    os.utime(folder / "SKILL.md", ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    served = sdk.get(skill.id)
    assert served is not None and served.name == "release-notes"
    written = sdk.write_skill_dirs(user_id="alice", root_dir=tmp_path / "dest")
    assert [Path(p).name for p in written] == ["release-notes"]
    assert sorted(os.listdir(tmp_path)) == ["dest", "home"]
