"""Shared helpers for the transcript reader tests: the real fixture tree and small file builders."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest

# The repository carries its test data (tests/fixtures/SOURCES.md says where it came from).
FIXTURES = Path(os.environ.get("AUTOSKILL_TRANSCRIPT_FIXTURES",
                               Path(__file__).resolve().parents[2] / "fixtures" / "transcripts"))

AGENT_HOME_VARS = ("CLAUDE_CONFIG_DIR", "CODEX_HOME", "GEMINI_CLI_HOME", "CURSOR_CONFIG_DIR", "COPILOT_HOME",
                   "CLINE_DIR", "APPDATA", "XDG_CONFIG_HOME")


def fixture(rel: str) -> Path:
    """A fixture file by its path under fixtures/transcripts; missing fixtures fail, never skip."""
    path = FIXTURES / rel
    if not path.exists():
        pytest.fail(f"transcript fixture {rel} not found under {FIXTURES}: tests/fixtures/transcripts is part "
                    f"of the repository")
    return path


def write_jsonl(path: Path, records: Iterable[object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def copy(src: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dest)
    else:
        shutil.copyfile(src, dest)
    return dest


@pytest.fixture(autouse=True)
def no_agent_home_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own agent settings must not leak into discovery tests."""
    for var in AGENT_HOME_VARS:
        monkeypatch.delenv(var, raising=False)
