"""What a newcomer hits first: empty and meaningless queries, bad numbers, closed pipes, a port in use,
ingesting with nothing to ingest, and the worker's output. Every case runs the real command."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SESSION = REPO / "autoskill_mcp" / "examples" / "transcripts" / "claude-code-session.jsonl"
SKILL = "---\nname: {name}\ndescription: {desc}\n---\n{body}\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("AUTOSKILL_")}
    e.update(AUTOSKILL_HOME=str(tmp_path / "home"), AUTOSKILL_USER="alice", HOME=str(tmp_path / "user-home"),
             PYTHONPATH=str(REPO))
    (tmp_path / "user-home").mkdir()
    return e


def autoskill(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autoskill_mcp", *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


@pytest.fixture
def seeded(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    src = tmp_path / "src"
    for name, desc in [("git-commit-messages", "Writes commit messages. Use when committing code."),
                       ("docker-images", "Builds slim Docker images. Use when editing a Dockerfile.")]:
        (src / name).mkdir(parents=True)
        (src / name / "SKILL.md").write_text(SKILL.format(name=name, desc=desc, body="Steps."))
    assert autoskill(env, "import", str(src), "--embeddings", "hashing").returncode == 0
    return env


def test_an_empty_query_is_a_usage_error_and_gibberish_finds_nothing(seeded: dict[str, str]) -> None:
    for query in ("", "   "):
        proc = autoskill(seeded, "search", query, "--embeddings", "hashing")
        assert proc.returncode == 2 and "query is empty" in proc.stderr, proc.stderr
    gibberish = autoskill(seeded, "search", "qzxwv jjkpf", "--embeddings", "hashing")
    assert gibberish.returncode == 0 and gibberish.stdout.strip() == "no matching skills", gibberish.stdout
    hits = json.loads(autoskill(seeded, "search", "qzxwv jjkpf", "--json", "--embeddings", "hashing").stdout)
    assert hits["hits"] == []
    real = json.loads(autoskill(seeded, "search", "commit message", "--json", "--embeddings", "hashing").stdout)
    assert real["hits"][0]["name"] == "git-commit-messages"
    assert all(h["name"] != "docker-images" or h["keyword"] or h["vector"] for h in real["hits"])


@pytest.mark.parametrize("args", [
    ("context", "x", "--budget", "-5"), ("context", "x", "--budget", "0"), ("context", "x", "--budget", "lots"),
    ("search", "x", "-k", "0"), ("search", "x", "--top-k", "-1"), ("search", "x", "--min-score", "2"),
    ("search", "x", "--min-score", "nan"), ("prune", "--min-retrieved", "-1"), ("prune", "--max-used", "x"),
    ("prune", "--min-age-days", "-3"), ("jobs", "--limit", "0"), ("worker", "--lease", "0"),
    ("worker", "--idle-exit", "-1"), ("lsp", "--port", "70000"), ("mcp", "--port", "-2"),
    ("mcp", "--max-body", "0"),
])
def test_every_bad_number_is_a_usage_error_without_a_traceback(env: dict[str, str], args: tuple[str, ...]) -> None:
    proc = autoskill(env, *args)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "error: argument" in proc.stderr


def test_a_reader_that_leaves_early_ends_the_command_quietly(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    for i in range(300):  # enough JSON to fill the pipe, so the write after `head` left fails
        (bad / f"Skill_{i}").mkdir(parents=True)
        (bad / f"Skill_{i}" / "SKILL.md").write_text(f"---\nname: Bad_Name_{i}\ndescription: x\n---\n")
    proc = subprocess.Popen([sys.executable, "-m", "autoskill_mcp", "validate", "--json", str(bad)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(100).startswith(b"{")
    proc.stdout.close()  # what `| head` does once it has its lines
    err = proc.stderr.read().decode()
    assert proc.wait(60) == 141
    assert "Traceback" not in err and "BrokenPipe" not in err and err == ""


def test_a_port_in_use_is_said_before_claiming_to_serve(env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        proc = autoskill(env, "mcp", "--http", "--port", port)
    assert proc.returncode == 1, proc.stderr
    assert f"port {port} on 127.0.0.1 is in use" in proc.stderr
    assert "serving" not in proc.stderr and "Errno" not in proc.stderr and "Traceback" not in proc.stderr


def test_ingest_from_an_agent_with_no_sessions_says_where_it_looked(env: dict[str, str]) -> None:
    proc = autoskill(env, "ingest", "--agent", "claude-code", "--since", "7d")
    assert proc.returncode == 3
    where = Path(env["HOME"]) / ".claude" / "projects" / "*" / "*.jsonl"
    assert f"no claude-code sessions changed in the last 7d found in {where}" in proc.stderr
    assert "give transcript paths or --agent" not in proc.stderr


def test_a_job_without_sessions_says_so(env: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "state.vscdb"  # a Cursor database with no chats in it
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE ItemTable (key TEXT, value BLOB)")
        conn.execute("CREATE TABLE cursorDiskKV (key TEXT, value BLOB)")
    proc = autoskill(env, "ingest", str(db), "--wait", "--embeddings", "hashing")
    assert proc.returncode == 0, proc.stderr
    assert "no sessions in this transcript" in proc.stdout and "None" not in proc.stdout
    assert "no sessions" in autoskill(env, "jobs").stdout


def test_the_worker_prints_one_line_per_job_and_json_lines_with_json(env: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "other.jsonl"
    other.write_text(SESSION.read_text().replace("logging", "tracing"))
    assert autoskill(env, "ingest", str(SESSION), "--embeddings", "hashing").returncode == 0
    proc = autoskill(env, "worker", "--once", "--embeddings", "hashing")
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.splitlines()
    assert line.split()[1] == "done" and str(SESSION) in line and "created" in line
    assert autoskill(env, "ingest", str(other), "--embeddings", "hashing").returncode == 0
    quiet = autoskill(env, "worker", "--once", "--json", "--embeddings", "hashing")
    assert quiet.returncode == 0 and quiet.stderr == ""
    job, total = [json.loads(x) for x in quiet.stdout.splitlines()]
    assert job["state"] == "done" and job["source"] == str(other) and total == {"jobs_run": 1}


def test_validate_of_a_path_too_long_for_the_os_is_a_usage_error(tmp_path: Path) -> None:
    long = str(tmp_path / ("x" * 300) / "SKILL.md")
    out = subprocess.run([sys.executable, "-m", "autoskill_mcp", "validate", long], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr and "not a path this system can open" in out.stderr
