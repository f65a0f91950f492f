"""Import of foreign skill folders and export to folders and agents."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from autoskill_mcp import LocalSkillStore, Scope
from autoskill_mcp.store import ImportLimits, export_skills, import_skill_dirs

AUTOSKILL_SKILLBANK = """---
id: "3f1c9a52-0000-4000-8000-000000000001"
name: "weekly-report-writer"
description: "Writes weekly status reports in the user's format."
version: "0.1.7"
tags:
  - writing
  - reports
triggers:
  - write my weekly report
  - status update
examples:
  - input: "Summarise this week's work"
    output: "A three-section report"
---

# weekly-report-writer

Writes weekly status reports in the user's format.

## Prompt

# Goal
Produce the weekly report.

# Constraints & Style
- Three sections: Done, Next, Risks.

## Triggers
- write my weekly report
"""

CLAUDE_CODE = """---
name: deploy-staging
description: Deploys the current branch to staging. Use when the user says deploy.
disable-model-invocation: true
argument-hint: "[branch]"
allowed-tools:
  - Bash(git:*)
  - Read
---
Run `make deploy-staging BRANCH=$ARGUMENTS`.
"""


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_autoskill_skillbank_imports_with_meaning_kept(store: LocalSkillStore, tmp_path: Path) -> None:
    src = tmp_path / "SkillBank" / "Users" / "u1"
    _write(src, "weekly-report-writer/SKILL.md", AUTOSKILL_SKILLBANK)
    report = import_skill_dirs(store, tmp_path / "SkillBank", user_id="alice")
    assert report.imported == ["weekly-report-writer"] and not report.skipped
    skill = store.find("weekly-report-writer", user_id="alice")
    assert skill.id == "3f1c9a52-0000-4000-8000-000000000001"
    assert skill.version == "0.1.7"
    assert skill.tags == ["writing", "reports"]
    assert skill.triggers == ["write my weekly report", "status update"]
    assert skill.examples[0].input == "Summarise this week's work"
    assert "Three sections: Done, Next, Risks." in skill.instructions
    assert "## Prompt" not in skill.instructions
    # Rules were reported as warnings (extra top-level keys), not as a refusal.
    assert any("id" in message or "SKL010" in message for _, message in report.warnings)


def test_claude_code_skill_keeps_its_extension_keys_and_exports_them_back(
    store: LocalSkillStore, tmp_path: Path
) -> None:
    _write(tmp_path / "claude", "deploy-staging/SKILL.md", CLAUDE_CODE)
    import_skill_dirs(store, tmp_path / "claude", user_id="alice")
    skill = store.find("deploy-staging", user_id="alice")
    assert skill.extensions["disable-model-invocation"] is True
    assert skill.extensions["argument-hint"] == "[branch]"
    assert skill.allowed_tools == "Bash(git:*) Read"
    # The stored copy is the author's file as written (served as it was); the catalog has the id.
    assert (store.skill_dir(skill.id) / "SKILL.md").read_bytes() == (tmp_path / "claude" / "deploy-staging"
                                                                       / "SKILL.md").read_bytes()
    # Written by us (an edit through the store), it is spec-valid: the extension keys go under metadata.
    edited = store.save(skill.copy(instructions=skill.instructions + "\n\nThen check the logs."))
    stored = (store.skill_dir(edited.id) / "SKILL.md").read_text()
    assert "disable-model-invocation" not in yaml.safe_load(stored.split("---")[1])
    # Exported for Claude Code, they are top-level keys again.
    out = export_skills(store, [skill.id], tmp_path / "claude-out", profile="claude-code")[0]
    front = yaml.safe_load((out / "SKILL.md").read_text().split("---")[1])
    assert front["disable-model-invocation"] is True and front["argument-hint"] == "[branch]"


def test_unusable_files_are_skipped_with_a_reason(store: LocalSkillStore, tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src, "no-desc/SKILL.md", "---\nname: no-desc\n---\n")
    _write(src, "broken/SKILL.md", "---\nname: [oops\n---\nbody\n")
    _write(src, "good-one/SKILL.md", "---\nname: good-one\ndescription: Does a thing. Use for things.\n---\nBody\n")
    report = import_skill_dirs(store, src, user_id="alice")
    assert report.imported == ["good-one"]
    reasons = dict(report.skipped)
    assert set(reasons) == {str(src / "no-desc"), str(src / "broken")}
    assert all(reason for reason in reasons.values())


def test_import_never_follows_symlinks_out_of_the_source(store: LocalSkillStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _write(outside, "evil/SKILL.md", "---\nname: evil\ndescription: Outside. Use never.\n---\n")
    (tmp_path / "secret.txt").write_text("top secret")
    src = tmp_path / "src"
    _write(src, "good-one/SKILL.md", "---\nname: good-one\ndescription: Does a thing. Use for things.\n---\n")
    os.symlink(outside / "evil", src / "evil-link")
    os.symlink(tmp_path / "secret.txt", src / "good-one" / "leak.txt")
    report = import_skill_dirs(store, src, user_id="alice")
    assert report.imported == ["good-one"]
    skill = store.find("good-one", user_id="alice")
    assert store.list_files(skill.id) == []
    assert any("symlink" in m for _, m in report.warnings)


def test_import_limits(store: LocalSkillStore, tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src, "big-md/SKILL.md", "---\nname: big-md\ndescription: Big. Use never.\n---\n" + "x" * 5000)
    _write(src, "ok-skill/SKILL.md", "---\nname: ok-skill\ndescription: Fine. Use always.\n---\n")
    (src / "ok-skill" / "assets").mkdir()
    (src / "ok-skill" / "assets" / "huge.bin").write_bytes(b"\0" * 3000)
    (src / "ok-skill" / "assets" / "small.txt").write_text("small")
    _write(src, "a/b/c/d/e/f/g/h/deep/SKILL.md", "---\nname: deep\ndescription: Too deep. Use never.\n---\n")
    limits = ImportLimits(max_skill_md_bytes=1000, max_file_bytes=2000, max_depth=4)
    report = import_skill_dirs(store, src, user_id="alice", limits=limits)
    assert report.imported == ["ok-skill"]
    assert [p for p, _ in report.skipped] == [str(src / "big-md")]
    skill = store.find("ok-skill", user_id="alice")
    assert [f.path for f in store.list_files(skill.id)] == ["assets/small.txt"]


def test_reimport_skips_or_updates(store: LocalSkillStore, tmp_path: Path) -> None:
    src = tmp_path / "src"
    path = _write(
        src, "good-one/SKILL.md", "---\nname: good-one\ndescription: Does a thing. Use for things.\n---\nv1\n"
    )
    import_skill_dirs(store, src, user_id="alice")
    again = import_skill_dirs(store, src, user_id="alice")
    assert again.imported == [] and "already exists" in again.skipped[0][1]
    same = import_skill_dirs(store, src, user_id="alice", overwrite=True)
    assert same.unchanged == ["good-one"]
    path.write_text(path.read_text().replace("v1", "v2"))
    changed = import_skill_dirs(store, src, user_id="alice", overwrite=True)
    assert changed.updated == ["good-one"]
    assert store.find("good-one", user_id="alice").version == "0.1.1"


def test_import_into_shared_scope(store: LocalSkillStore, tmp_path: Path) -> None:
    _write(
        tmp_path / "src", "team-style/SKILL.md", "---\nname: team-style\ndescription: Team style. Use always.\n---\n"
    )
    import_skill_dirs(store, tmp_path / "src", user_id="alice", scope=Scope.SHARED)
    assert (store.root / "Common" / "team-style" / "SKILL.md").is_file()
    assert store.find("team-style", user_id="bob").scope is Scope.SHARED


def test_export_writes_folders_and_refuses_to_clobber(store: LocalSkillStore, tmp_path: Path, make_skill) -> None:
    saved = store.save(make_skill(files={"scripts/a.sh": b"echo a"}))
    dest = tmp_path / "out"
    [folder] = export_skills(store, [saved.id], dest)
    assert (folder / "scripts/a.sh").read_bytes() == b"echo a"
    assert export_skills(store, [saved.id], dest)  # identical content: fine
    (folder / "SKILL.md").write_text("---\nname: other\n---\n")
    import pytest

    from autoskill_mcp import InvalidInputError

    with pytest.raises(InvalidInputError):
        export_skills(store, [saved.id], dest)
    export_skills(store, [saved.id], dest, overwrite=True)
    assert "git-commit-messages" in (folder / "SKILL.md").read_text()


def test_a_scan_cut_short_by_its_bound_says_so(store: LocalSkillStore, tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i in range(6):
        _write(src, f"group-{i}/skill-{i}/SKILL.md", f"---\nname: skill-{i}\ndescription: S {i}. Use for {i}.\n---\n")
    report = import_skill_dirs(store, src, user_id="alice", limits=ImportLimits(max_dirs_scanned=4))
    assert len(report.imported) < 6
    assert any("stopped after scanning 4 folders" in m for _, m in report.warnings)
    full = import_skill_dirs(store, src, user_id="alice")
    assert len(report.imported) + len(full.imported) == 6 and not any("stopped" in m for _, m in full.warnings)


def test_an_invalid_name_is_reported_as_the_name_actually_stored(store: LocalSkillStore, tmp_path: Path) -> None:
    _write(tmp_path / "src", "Bad_Name/SKILL.md", "---\nname: Bad_Name\ndescription: Does X. Use for X.\n---\nBody\n")
    report = import_skill_dirs(store, tmp_path / "src", user_id="alice")
    assert report.imported == ["bad-name"] and store.find("bad-name", user_id="alice") is not None
    messages = [m for _, m in report.warnings]
    assert "name 'Bad_Name' is not a valid spec name: stored as 'bad-name'" in messages
    assert not any("kept as given" in m for m in messages)


def test_unknown_frontmatter_keys_keep_their_yaml_value(store: LocalSkillStore, tmp_path: Path) -> None:
    _write(tmp_path / "src", "tinted/SKILL.md",
           "---\nname: tinted\ndescription: Does X. Use for X.\ncolour: blue\naudience: workflow\n---\nBody\n")
    import_skill_dirs(store, tmp_path / "src", user_id="alice")
    skill = store.find("tinted", user_id="alice")
    assert skill.extensions == {"colour": "blue", "audience": "workflow"}
    saved = store.save(skill.copy(instructions="Body, edited through the store"))  # now written by us
    text = (store.skill_dir(saved.id) / "SKILL.md").read_text()
    assert '  x-colour: "blue"\n' in text and '  x-audience: "workflow"\n' in text and '\\"' not in text
    assert store.get(saved.id).extensions == {"colour": "blue", "audience": "workflow"}


def test_a_top_level_skill_type_of_any_value_is_kept_in_metadata(store: LocalSkillStore, tmp_path: Path) -> None:
    _write(tmp_path / "src", "typed/SKILL.md",
           "---\nname: typed\ndescription: Does X. Use for X.\nskill_type: workflow\n---\nBody\n")
    report = import_skill_dirs(store, tmp_path / "src", user_id="alice")
    assert any(m.startswith("SKL043: skill_type is `workflow`") for _, m in report.warnings)
    skill = store.find("typed", user_id="alice")
    assert skill.metadata == {"skill_type": "workflow"} and skill.extensions == {} and skill.skill_type is None
    saved = store.save(skill.copy(instructions="Body, edited through the store"))
    assert '  skill_type: "workflow"\n' in (store.skill_dir(saved.id) / "SKILL.md").read_text()


def test_an_imported_file_keeps_its_bytes_and_the_catalog_keeps_id_and_version(
        store: LocalSkillStore, tmp_path: Path) -> None:
    src = tmp_path / "src"
    text = "---\nname: pdf-tools\ndescription: 'Extract text. Use for PDFs.'\n---\n# PDF\n"
    _write(src, "pdf-tools/SKILL.md", text)
    assert import_skill_dirs(store, src, user_id="alice").imported == ["pdf-tools"]
    skill = store.find("pdf-tools", user_id="alice")
    stored = store.skill_dir(skill.id) / "SKILL.md"
    assert stored.read_bytes() == text.encode() and skill.version == "0.1.0"
    assert "autoskill-id" not in stored.read_text()
    again = import_skill_dirs(store, src, user_id="alice", overwrite=True)
    assert again.unchanged == ["pdf-tools"] and len(store.versions(skill.id)) == 1
    changed = text.replace("# PDF", "# PDF\n\nUse pdfplumber.")
    _write(src, "pdf-tools/SKILL.md", changed)
    assert import_skill_dirs(store, src, user_id="alice", overwrite=True).updated == ["pdf-tools"]
    now = store.get(skill.id)
    assert now is not None and now.version == "0.1.1" and "pdfplumber" in now.instructions
    assert stored.read_bytes() == changed.encode()
    store.sync()  # a rescan sees the same bytes the catalog recorded: no new version
    assert [v.version for v in store.versions(skill.id)] == ["0.1.0", "0.1.1"]
