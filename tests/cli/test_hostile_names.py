"""Hostile names through the CLI (traversal, bidirectional controls, 10,000 characters): exit 2, nothing written.

NUL cannot reach a program through argv, so it is tried through the SDK and MCP tests instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HOSTILE = ["../../x", "..", "a/../../b", "evil\u202egnp", "rtl\u200fmark", "x" * 10_000]
SKILL = "---\nname: release-notes\ndescription: Writes release notes. Use when cutting a release.\n---\n# Notes\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    src = tmp_path / "src" / "release-notes"
    src.mkdir(parents=True)
    (src / "SKILL.md").write_text(SKILL)
    e = {**os.environ, "AUTOSKILL_HOME": str(tmp_path / "home"), "AUTOSKILL_USER": "alice"}
    assert cli(e, "import", str(tmp_path / "src")).returncode == 0
    return e


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autoskill_mcp.cli", *args, "--embeddings", "hashing"],
                          capture_output=True, text=True, env=env, timeout=120, cwd=REPO)


def snapshot(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if "catalog" not in p.name
                  and "snapshot" not in str(p) and not p.name.startswith("."))


@pytest.mark.parametrize("name", HOSTILE)
def test_commands_taking_a_skill_refuse_a_hostile_one_with_exit_2(env: dict[str, str], tmp_path: Path,
                                                                  name: str) -> None:
    before = snapshot(tmp_path)
    for args in (["show", name], ["delete", name, "-y"], ["versions", name], ["rollback", name],
                 ["export", name, "--dest", str(tmp_path / "dest")], ["list", "--user", name]):
        proc = cli(env, *args)
        assert proc.returncode == 2, (args[0], proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and len(proc.stderr) < 600
    assert snapshot(tmp_path) == before


def test_import_of_hostile_names_imports_none(env: dict[str, str], tmp_path: Path) -> None:
    src = tmp_path / "hostile"
    for i, name in enumerate(HOSTILE):
        (src / f"s{i}").mkdir(parents=True)
        (src / f"s{i}" / "SKILL.md").write_text(SKILL.replace("name: release-notes", f'name: "{name}"'))
    proc = cli(env, "import", str(src), "--json")
    assert proc.returncode == 0, proc.stderr
    import json

    report = json.loads(proc.stdout)
    assert report["imported"] == [] and len(report["skipped"]) == len(HOSTILE)
