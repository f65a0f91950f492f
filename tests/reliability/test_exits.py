"""Every command, server and script exits with its documented code, whatever threads it started."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from bench.bench_concurrency import command_exits  # noqa: E402 - after races_helpers' path

from .races_helpers import cli_env

INGEST_THEN_RETURN = textwrap.dedent(
    """
    import sys
    from autoskill_mcp import AutoSkill, AutoSkillConfig, Skill

    TOPICS = ["a config loader", "a Dockerfile", "a SQL migration", "a bash script", "a pytest fixture",
              "a changelog entry", "a REST endpoint", "a commit message", "a trip itinerary", "a README"]

    def main() -> int:
        sdk = AutoSkill(AutoSkillConfig())   # the default embedder: MiniLM through onnxruntime
        for i in range(48):
            topic = TOPICS[i % len(TOPICS)]
            sdk.ingest(messages=[
                {"role": "user", "content": f"Write {topic} for project {i}"},
                {"role": "assistant", "content": "Here it is."},
                {"role": "user", "content": f"No, for {topic} never use tabs; always use four spaces, header {i}."},
            ], user_id=f"user{i}")
        # A backlog of short texts: the embedding thread returns from onnxruntime every few milliseconds, so
        # it surely does so while the interpreter finalises unless it was stopped first.
        sdk.store.save_many([Skill(name=f"backlog-{i}", user_id="user0",
                                   description=f"Backlog skill {i}. Use in tests.", instructions=f"Step {i}.")
                             for i in range(600)])
        index = sdk.store.index
        before = index.vector_count
        sdk.store.start_filling_vectors(poll=0.05)  # what a queue worker does: embed the backlog behind
        with index._cond:  # the embedding thread notifies after every chunk: it is then into the next one
            index._cond.wait_for(lambda: index.vector_count > before, timeout=300)
        print("pending", index.pending, flush=True)
        global HEAP
        HEAP = [[i, {}] for i in range(2_000_000)]  # a big heap: the interpreter takes a while to finalise it
        return 0                             # no close(): a script may just end

    sys.exit(main())
    """
)


def test_a_script_that_ingests_with_the_default_embedder_and_returns_exits_0(tmp_path: Path) -> None:
    script = tmp_path / "ingest.py"
    script.write_text(INGEST_THEN_RETURN)
    proc = subprocess.run([sys.executable, str(script)], env=cli_env(tmp_path / "home"), capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "terminate called" not in proc.stderr
    assert proc.stdout.startswith("pending ")


HANDSHAKE = [
    {"jsonrpc": "2.0", "id": 1, "method": "initialize",
     "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}},
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
     "params": {"name": "search_skills", "arguments": {"query": "write a commit message"}}},
]


def _seed_examples(home: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "autoskill_mcp", "quickstart", "--home", str(home)],
                          env=cli_env(home), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_the_stdio_mcp_server_exits_0_when_stdin_closes_while_the_model_still_loads(tmp_path: Path) -> None:
    import json

    home = tmp_path / "home"
    _seed_examples(home)  # the default embedder: the search below starts MiniLM's load in the background
    proc = subprocess.Popen([sys.executable, "-m", "autoskill_mcp", "mcp", "-v"], env=cli_env(home),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("".join(json.dumps(m) + "\n" for m in HANDSHAKE).encode())
    proc.stdin.flush()
    for line in proc.stdout:
        if json.loads(line).get("id") == 2:
            break
    proc.stdin.close()  # the client is gone
    proc.stdin = None  # (communicate must not flush it)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()[-3000:]
    assert b"Traceback" not in err and b"terminate called" not in err, err.decode()[-3000:]


def test_the_http_mcp_server_exits_0_after_a_graceful_stop_on_sigterm(tmp_path: Path) -> None:
    import signal
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "autoskill_mcp", "mcp", "--http", "--port", str(port),
                             "--embeddings", "hashing"], env=cli_env(tmp_path / "home"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    assert b"serving streamable HTTP" in proc.stderr.readline()  # said once the socket listens
    import httpx2

    answer = httpx2.post(f"http://127.0.0.1:{port}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                         headers={"Accept": "application/json, text/event-stream"}, timeout=60)
    assert answer.status_code < 500  # it serves: its signal handlers are in place
    proc.send_signal(signal.SIGTERM)  # what a service manager sends
    assert proc.wait(timeout=60) == 0, proc.stderr.read().decode()[-3000:]


def test_every_command_and_server_exits_with_its_documented_code(tmp_path: Path) -> None:
    wrong = [(label, code, want) for label, code, want in command_exits(tmp_path) if code != want]
    assert wrong == []
