"""`autoskill sync`, run as real subprocesses: once, as a dry run, into an agent's folder, and live (--watch)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

SKILL = "---\nname: {name}\ndescription: {desc}\n---\n{body}\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = os.environ.copy()
    e.update(AUTOSKILL_HOME=str(tmp_path / "home"), AUTOSKILL_USER="alice", HOME=str(tmp_path / "user-home"))
    return e


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "autoskill_mcp.cli", *args, "--embeddings", "hashing"]


def run(env: dict[str, str], *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cli(*args), capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    return proc


def skill_folder(root: Path, name: str, desc: str = "Does a thing. Use when testing.", body: str = "Do it.") -> Path:
    (root / name).mkdir(parents=True, exist_ok=True)
    (root / name / "SKILL.md").write_text(SKILL.format(name=name, desc=desc, body=body))
    return root


def wait_for(condition: Callable[[], bool], what: str, proc: subprocess.Popen[str] | None = None,
             timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the watcher exited ({proc.returncode}) before {what}: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def listed(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir() if not p.name.startswith(".")) if dest.exists() else []


def test_sync_once_dry_run_foreign_and_agent_folder(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "import", str(skill_folder(skill_folder(tmp_path / "src", "git-commit-messages"), "docker-images")))
    dest = tmp_path / "dest"
    skill_folder(dest, "docker-images", body="The user's own.")

    plan = run(env, "sync", "--dest", str(dest), "--dry-run").stdout
    assert "would add git-commit-messages" in plan and "would skip-foreign docker-images" in plan
    assert listed(dest) == ["docker-images"]

    report = json.loads(run(env, "sync", "--dest", str(dest), "--json").stdout)
    assert report["applied"] and report["counts"] == {"add": 1, "skip-foreign": 1}
    assert listed(dest) == ["docker-images", "git-commit-messages"]
    assert "The user's own." in (dest / "docker-images" / "SKILL.md").read_text()

    claude = tmp_path / "user-home" / ".claude" / "skills"
    out = run(env, "sync", "--to", "claude-code").stdout
    assert f"{claude}: 2 add" in out and listed(claude) == ["docker-images", "git-commit-messages"]

    run(env, "delete", "docker-images", "-y")
    assert json.loads(run(env, "sync", "--to", "claude-code", "--json").stdout)["counts"] == {
        "remove": 1, "unchanged": 1}
    assert listed(claude) == ["git-commit-messages"]
    run(env, "sync", code=2)  # neither --to nor --dest


def test_watch_follows_another_process_and_exits_0_on_sigterm(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "import", str(skill_folder(tmp_path / "src1", "git-commit-messages")))
    dest = tmp_path / "watched"
    watcher = subprocess.Popen(cli("sync", "--dest", str(dest), "--watch", "--poll", "0.1", "--json"), env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: listed(dest) == ["git-commit-messages"], "the first sync", watcher)

        run(env, "import", str(skill_folder(tmp_path / "src2", "docker-images")))  # another process writes
        wait_for(lambda: listed(dest) == ["docker-images", "git-commit-messages"], "the new skill", watcher)

        run(env, "delete", "git-commit-messages", "-y")
        wait_for(lambda: listed(dest) == ["docker-images"], "the deleted skill to go", watcher)

        watcher.send_signal(signal.SIGTERM)
        out, err = watcher.communicate(timeout=60)
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.communicate()
    assert watcher.returncode == 0, err
    reports = [json.loads(line) for line in out.splitlines()]
    assert reports[0]["counts"] == {"add": 1}
    assert any(r["counts"].get("add") == 1 and r["counts"].get("unchanged") == 1 for r in reports[1:])
    assert any(r["counts"].get("remove") == 1 for r in reports[1:])


def test_watch_exits_0_on_ctrl_c(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "import", str(skill_folder(tmp_path / "src", "git-commit-messages")))
    dest = tmp_path / "watched"
    watcher = subprocess.Popen(cli("sync", "--dest", str(dest), "--watch", "--poll", "0.1"), env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: listed(dest) == ["git-commit-messages"], "the first sync", watcher)
        watcher.send_signal(signal.SIGINT)
        out, err = watcher.communicate(timeout=60)
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.communicate()
    assert watcher.returncode == 0, err
    assert "add git-commit-messages" in out and "Traceback" not in err
