"""Ids, names and versions are matched whole: a trailing newline (what `$` lets through) is refused.

`re.match(r"^...$")` accepts "alice\\n", because `$` also matches before a final newline;
such a user id became a folder named "alice\\n". Every entry point refuses it instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autoskill_mcp import AutoSkill, AutoSkillConfig, InvalidInputError, LocalSkillStore
from autoskill_mcp.store.layout import check_user_id

HASHING = {"provider": "hashing", "dims": 256}
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("user", ["alice\n", "alice\r\n", "\nalice", "al\nice", "alice\x00"])
def test_check_user_id_refuses_line_breaks(user: str) -> None:
    with pytest.raises(InvalidInputError):
        check_user_id(user)


def test_sdk_upsert_with_a_newline_user_makes_no_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with AutoSkill(AutoSkillConfig(store={"path": str(home)}, embeddings=HASHING)) as sdk:
        with pytest.raises(InvalidInputError):
            sdk.upsert(user_id="alice\n", name="notes", description="Notes. Use when taking notes.")
        assert sdk.store.summaries(user_id=None, scope="all") == []
    users = home / "Users"
    assert not users.exists() or os.listdir(users) == []


def test_a_newline_user_folder_on_disk_is_not_scanned(tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = home / "Users" / "alice\n" / "notes"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text("---\nname: notes\ndescription: Notes. Use when taking notes.\n---\nx\n")
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store:
        assert store.summaries(user_id=None, scope="all") == []


def test_the_cli_refuses_a_newline_user_with_exit_2(tmp_path: Path) -> None:
    env = {**os.environ, "AUTOSKILL_HOME": str(tmp_path / "home"), "AUTOSKILL_USER": "alice\n"}
    src = tmp_path / "src" / "notes"
    src.mkdir(parents=True)
    (src / "SKILL.md").write_text("---\nname: notes\ndescription: Notes. Use when taking notes.\n---\nx\n")
    for args in (["import", str(src.parent)], ["list"], ["search", "notes"]):
        proc = subprocess.run([sys.executable, "-m", "autoskill_mcp.cli", *args, "--embeddings", "hashing"],
                              capture_output=True, text=True, env=env, timeout=120, cwd=REPO)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert "invalid user id" in proc.stderr
    assert not (tmp_path / "home" / "Users" / "alice\n").exists()


def test_the_mcp_command_refuses_a_newline_user_with_exit_2(tmp_path: Path) -> None:
    env = {**os.environ, "AUTOSKILL_HOME": str(tmp_path / "home")}
    for args in (["--new-token", "bob\n"], ["--user", "alice\n"]):
        proc = subprocess.run([sys.executable, "-m", "autoskill_mcp", "mcp", *args], capture_output=True, text=True,
                              env=env, timeout=120, cwd=REPO, stdin=subprocess.DEVNULL)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert "invalid user id" in proc.stderr and "Traceback" not in proc.stderr
    tokens = tmp_path / "home" / "mcp" / "tokens.json"
    assert not tokens.exists()
