"""Input found by fuzzing (issue 13), through the real `autoskill` command: a clear report, never a
traceback, and what can be done with the rest of the input is done."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("AUTOSKILL_")}
    e.update(AUTOSKILL_HOME=str(tmp_path / "home"), AUTOSKILL_USER="alice", PYTHONPATH=str(REPO))
    return e


def autoskill(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autoskill_mcp", *args, "--embeddings", "hashing"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def test_validate_reports_a_link_target_too_long_for_the_file_system(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "long-link"
    folder.mkdir()
    (folder / "SKILL.md").write_text(
        "---\nname: long-link\ndescription: Links far. Use when linking.\n---\n\n[x](" + "a" * 300 + ")\n",
        encoding="utf-8")
    proc = autoskill(env, "validate", "--json", str(folder))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)["files"][0]["diagnostics"]
    assert [d["code"] for d in found] == ["SKL063"]


def test_ingest_of_a_folder_reports_a_corrupt_database_and_queues_the_rest(env: dict[str, str],
                                                                           tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    session = folder / "session.jsonl"
    session.write_bytes(
        (REPO / "autoskill_mcp" / "examples" / "transcripts" / "claude-code-session.jsonl").read_bytes()
    )
    fixture = REPO / "tests" / "fixtures" / "transcripts" / "cursor" / "ide_state_vscdb"
    data = bytearray((fixture / "cursor-history__composer-global-state.vscdb").read_bytes())
    at = data.find(b"CREATE TABLE")
    data[at + 7:at + 12] = b"\xff\xfe\xfd\xfc\xfb"  # schema bytes that are not UTF-8
    broken = folder / "old-cursor.vscdb"
    broken.write_bytes(bytes(data))
    proc = autoskill(env, "ingest", "--json", str(folder))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert [j["source"] for j in report["jobs"]] == [str(session)]
    assert [s["path"] for s in report["skipped"]] == [str(broken)]
    assert "database" in report["skipped"][0]["error"]
    human = autoskill(env, "ingest", str(folder))
    assert human.returncode == 0 and f"skipped {broken}: " in human.stdout, human.stdout
