"""Progress bars on the commands that run over many skills: shown on a terminal, never in a pipe or with --json.

Each command runs as a real subprocess twice: stderr on a pseudo-terminal (what a person sees)
and stderr on a pipe (what a script or CI sees).
"""

from __future__ import annotations

import errno
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
N = 300


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("progress") / "src"
    for i in range(N):
        folder = root / f"skill-{i:04d}"
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(f"---\nname: skill-{i:04d}\ndescription: Does task {i}. "
                                         f"Use when doing task {i}.\n---\n# Task {i}\n\n1. Step.\n")
    return root


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOSKILL_")}
    env.update(AUTOSKILL_HOME=str(home), AUTOSKILL_USER="alice", PYTHONPATH=str(REPO), TERM="xterm-256color",
               COLUMNS="120")
    return env


def on_terminal(env: dict[str, str], args: list[str], out: Path) -> tuple[int, str]:
    """Run with stderr on a pseudo-terminal; (exit code, everything drawn there)."""
    master, slave = pty.openpty()
    with out.open("wb") as stdout:
        proc = subprocess.Popen([sys.executable, "-m", "autoskill_mcp", *args], stdin=subprocess.DEVNULL,
                                stdout=stdout, stderr=slave, env=env)
    os.close(slave)
    drawn = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError as exc:  # EIO: the child closed its end
            if exc.errno != errno.EIO:
                raise
            break
        if not chunk:
            break
        drawn += chunk
    os.close(master)
    return proc.wait(120), drawn.decode("utf-8", "replace")


def in_a_pipe(env: dict[str, str], args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autoskill_mcp", *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


COMMANDS = [
    (["import", "{src}"], "saving skills"),
    (["validate", "{src}"], "validating"),
    (["export", "--all", "--dest", "{out}"], "exporting skills"),
    (["doctor"], "validating skills"),
    (["prune"], "looking for skills to prune"),
    (["search", "task 7", "--wait"], "embedding skills"),
    (["reindex"], "indexing skills"),
]


@pytest.mark.parametrize(("args", "label"), COMMANDS, ids=[c[0][0] for c in COMMANDS])
def test_a_terminal_shows_progress_and_a_pipe_or_json_shows_none(tmp_path: Path, source: Path,
                                                                  args: list[str], label: str) -> None:
    home = tmp_path / "home"
    env = environment(home)
    if args[0] != "import":
        assert in_a_pipe(env, ["import", str(source), "--embeddings", "hashing"]).returncode == 0
    argv = [a.format(src=source, out=tmp_path / "out") for a in args] + ["--embeddings", "hashing"]
    code, drawn = on_terminal(env, argv, tmp_path / "stdout.txt")
    assert code == 0, drawn
    assert label in drawn and "━" in drawn, drawn[-2000:]
    if args[0] in ("import", "validate", "export", "doctor"):
        assert f"{N}/{N}" in drawn
    piped = in_a_pipe(env, argv + (["--overwrite"] if args[0] in ("import", "export") else []))
    assert piped.returncode == 0, piped.stderr
    assert label not in piped.stderr and "━" not in piped.stderr
    code, drawn = on_terminal(env, argv + ["--json"] + (["--overwrite"] if args[0] in ("import", "export") else []),
                              tmp_path / "stdout.json")
    assert code == 0 and label not in drawn and "━" not in drawn
