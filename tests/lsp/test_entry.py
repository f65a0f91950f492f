"""Starting the server: `python -m autoskill_mcp lsp` (fast path), `autoskill lsp --tcp` for debugging."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def test_module_entry_skips_the_cli_imports() -> None:
    code = ("import sys\nfrom autoskill_mcp.entry import main\n"
            "try:\n    main(['lsp', '--help'])\nexcept SystemExit as e:\n    code = e.code\n"
            "print('cli' if 'autoskill_mcp.cli' in sys.modules else 'no-cli', code)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split()[-2:] == ["no-cli", "0"], out.stderr
    assert "--tcp" in out.stdout


def _frame(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def _read_message(sock: socket.socket) -> dict[str, object]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, rest = data.split(b"\r\n\r\n", 1)
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(rest) < length:
        rest += sock.recv(4096)
    return json.loads(rest[:length])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cli_lsp_over_tcp_answers_initialize(tmp_path: Path) -> None:
    port = _free_port()
    env_home = tmp_path / "home"
    proc = subprocess.Popen([sys.executable, "-m", "autoskill_mcp.cli", "lsp", "--tcp", "--port", str(port),
                             "--home", str(env_home)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"server did not listen: {proc.stderr.read() if proc.stderr else b''!r}")
                time.sleep(0.1)
        with sock:
            sock.sendall(_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                 "params": {"capabilities": {}, "processId": None, "rootUri": None}}))
            reply = _read_message(sock)
        result = reply["result"]
        assert isinstance(result, dict)
        assert result["serverInfo"]["name"] == "autoskill-lsp"
        assert "autoskill.saveToStore" in result["capabilities"]["executeCommandProvider"]["commands"]
        assert result["capabilities"]["diagnosticProvider"]["identifier"] == "autoskill"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
