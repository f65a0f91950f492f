"""Running `autoskill hook AGENT` as the agents do: a subprocess in a temporary home, a real queue."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from autoskill_mcp.learning.queue import Job, JobQueue

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
TRANSCRIPTS = FIXTURES / "transcripts"
PAYLOADS = FIXTURES / "hooks"
#: variables that move agents' folders: the tests own HOME, so none may leak in from the machine
AGENT_VARS = ("CLAUDE_CONFIG_DIR", "CODEX_HOME", "GEMINI_CLI_HOME", "CURSOR_CONFIG_DIR", "COPILOT_HOME",
              "CLINE_DIR", "APPDATA", "XDG_CONFIG_HOME")


@dataclass
class Sandbox:
    """A user's home (where the agents keep their files) and autoskill's home (the queue)."""

    home: Path
    store: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in AGENT_VARS}
        env.update(HOME=str(self.home), AUTOSKILL_HOME=str(self.store), AUTOSKILL_USER="alice",
                   PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        env.update(extra)
        return env

    def place(self, fixture: str, where: str) -> Path:
        """Copy a transcript fixture to where the agent would have written it."""
        dest = self.home / where
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(TRANSCRIPTS / fixture, dest)
        return dest

    def hook(self, agent: str, stdin: str | None = None, *args: str) -> subprocess.CompletedProcess[str]:
        """`autoskill hook AGENT` with the payload on stdin (or none: stdin is then closed)."""
        return subprocess.run([sys.executable, "-m", "autoskill_mcp", "hook", agent, "--no-worker", *args],
                              input=stdin or "", env=self.env(), capture_output=True, text=True, timeout=60)

    def jobs(self) -> list[Job]:
        with JobQueue(self.store) as q:
            return q.list()

    def log(self) -> list[str]:
        path = self.store / "logs" / "hooks.log"
        return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []


def autoskill_on_path(folder: Path) -> str:
    """A PATH whose `autoskill` is this working copy (as `pipx install` would provide), then the system's."""
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "autoskill"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m autoskill_mcp "$@"\n')
    exe.chmod(0o755)
    return os.pathsep.join((str(folder), "/usr/bin", "/bin"))


def payload(name: str, **fill: str) -> str:
    """A documented payload from tests/fixtures/hooks, its `$NAME` placeholders filled in."""
    text = (PAYLOADS / name).read_text(encoding="utf-8")
    for key, value in fill.items():
        text = text.replace(f"${key}", json.dumps(value)[1:-1])
    assert "$" not in text.replace("$schema", ""), f"{name}: unfilled placeholder"
    return text


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    (tmp_path / "home").mkdir()
    return Sandbox(home=tmp_path / "home", store=tmp_path / "autoskill")
