"""The MCP start-up bench when the peer servers cannot be installed: reported in the table, exit 0.

pip is pointed at an index on a closed loopback port (no config files, no find-links), and
the peer cache at an empty folder, so installing either peer fails the way it does offline.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def offline_pip_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "AUTOSKILL_"))}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL=f"http://127.0.0.1:{closed_port()}/simple",
               PIP_RETRIES="0", PIP_TIMEOUT="5", PIP_DISABLE_PIP_VERSION_CHECK="1",
               AUTOSKILL_PEER_CACHE=str(tmp_path / "peers"), PYTHONPATH=str(REPO))
    return env


def test_peers_that_cannot_be_installed_are_rows_that_say_so(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.bench_mcp_startup", "--rounds", "1", "--large", "20"],
        cwd=REPO,
        env=offline_pip_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    for peer in ("skillz 0.1.14", "agentskills-mcp-server 0.7.0"):
        (row,) = [r for r in rows if r.startswith(f"| {peer}:")]
        assert "| not measured |" in row and "peer not measured:" in row
    assert any(r.startswith("| autoskill (4 skills)") and " s |" in r for r in rows)
    assert "Traceback" not in proc.stderr
