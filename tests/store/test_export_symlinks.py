"""Export never writes through a link below the folder it was given.

`<dest>/<name>` being a link (to a project, a dotfiles folder), or its SKILL.md or a
subfolder being one, used to be followed and the file where it pointed overwritten. The
folder named as the destination is taken as named (`~/.claude/skills` may itself be a link
to a dotfiles checkout); nothing below it is followed, and a refused export writes nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autoskill_mcp import AutoSkill, AutoSkillConfig, InvalidInputError
from autoskill_mcp.store import export_skills

HASHING = {"provider": "hashing", "dims": 256}
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def sdk(tmp_path: Path) -> AutoSkill:
    with AutoSkill(AutoSkillConfig(store={"path": str(tmp_path / "home")}, embeddings=HASHING,
                                   default_user="alice")) as s:
        s.upsert(name="release-notes", description="Writes release notes. Use when cutting a release.",
                 instructions="# Notes", files={"references/a.md": "alpha\n"})
        yield s


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    d = tmp_path / "project"
    (d / "references").mkdir(parents=True)
    (d / "SKILL.md").write_text("precious\n")
    (d / "references" / "a.md").write_text("precious too\n")
    return d


def _snapshot(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def _ids(sdk: AutoSkill) -> list[str]:
    return [s.id for s in sdk.store.summaries(user_id="alice")]


def test_a_linked_skill_folder_in_the_destination_is_refused(sdk: AutoSkill, tmp_path: Path, victim: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "release-notes").symlink_to(victim, target_is_directory=True)
    before = _snapshot(victim)
    with pytest.raises(InvalidInputError, match="symbolic link"):
        export_skills(sdk.store, _ids(sdk), dest, overwrite=True)
    assert _snapshot(victim) == before


def test_a_linked_skill_md_or_subfolder_in_the_destination_is_refused(sdk: AutoSkill, tmp_path: Path,
                                                                      victim: Path) -> None:
    before = _snapshot(victim)
    for link, target in (("SKILL.md", victim / "SKILL.md"), ("references", victim / "references")):
        dest = tmp_path / f"dest-{link}"
        (dest / "release-notes").mkdir(parents=True)
        (dest / "release-notes" / link).symlink_to(target)
        with pytest.raises(InvalidInputError, match="symbolic link"):
            export_skills(sdk.store, _ids(sdk), dest, overwrite=True)
        with pytest.raises(InvalidInputError, match="symbolic link"):
            sdk.write_skill_dirs(user_id="alice", root_dir=dest)
        assert _snapshot(victim) == before
        assert not (dest / "release-notes" / "references" / "a.md").exists() or link == "references"


def test_the_named_destination_may_itself_be_a_link(sdk: AutoSkill, tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "skills"
    real.mkdir(parents=True)
    (tmp_path / "skills-link").symlink_to(real, target_is_directory=True)
    written = export_skills(sdk.store, _ids(sdk), tmp_path / "skills-link")
    assert (real / "release-notes" / "SKILL.md").is_file() and len(written) == 1
    assert (real / "release-notes" / "references" / "a.md").read_text() == "alpha\n"


def test_the_cli_refuses_a_linked_destination_with_exit_2(sdk: AutoSkill, tmp_path: Path, victim: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "release-notes").symlink_to(victim, target_is_directory=True)
    before = _snapshot(victim)
    env = {**os.environ, "AUTOSKILL_HOME": str(sdk.config.home), "AUTOSKILL_USER": "alice"}
    proc = subprocess.run([sys.executable, "-m", "autoskill_mcp.cli", "export", "--all", "--dest", str(dest),
                           "--overwrite", "--embeddings", "hashing"], capture_output=True, text=True, env=env,
                          timeout=120, cwd=REPO)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "symbolic link" in proc.stderr
    assert _snapshot(victim) == before
