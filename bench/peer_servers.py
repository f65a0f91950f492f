"""Peer MCP servers installed into throwaway virtualenvs (never project dependencies).

`agentskills-mcp-server` (the SEP-2640 reference, needs Python >= 3.12) and
`skillz` are used as a parity oracle by tests/mcp_server/test_parity.py and as
baselines by bench/bench_mcp_startup.py. Venvs live under
`$AUTOSKILL_PEER_CACHE` (default `~/.cache/autoskill-peers`) and are reused.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

PEERS: dict[str, tuple[str, ...]] = {
    "agentskills": ("agentskills-mcp-server[fs]==0.7.0", "agentskills-tools==0.7.0"),
    "skillz": ("skillz==0.1.14",),
}


def cache_dir() -> Path:
    return Path(os.environ.get("AUTOSKILL_PEER_CACHE") or Path.home() / ".cache" / "autoskill-peers")


def _version(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([python, "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
                             capture_output=True, text=True, timeout=30, check=True).stdout.split()
        return int(out[0]), int(out[1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def find_python(minimum: tuple[int, int] = (3, 12)) -> str | None:
    """A Python interpreter at least `minimum`: this one, one on PATH, or one under ~/.pyenv."""
    if sys.version_info[:2] >= minimum:
        return sys.executable
    candidates = [shutil.which(f"python3.{m}") for m in range(minimum[1], 20)]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3")), reverse=True)
    candidates += sorted(glob.glob("/usr/bin/python3.*[0-9]"), reverse=True)
    for python in filter(None, candidates):
        version = _version(python)
        if version is not None and version >= minimum:
            return python
    return None


def ensure_peer(name: str) -> Path:
    """The venv holding peer `name` (created and installed on first use); RuntimeError when impossible.

    Installation uses pip as configured (PIP_INDEX_URL, PIP_CONFIG_FILE, ...), so an index that
    is unreachable or lacks the package makes this raise, and the caller reports the peer as not
    measured instead of failing.
    """
    python = find_python()
    if python is None:
        raise RuntimeError("no Python >= 3.12 found (tried python3.12+, ~/.pyenv/versions, /usr/bin)")
    venv = cache_dir() / name
    marker = venv / ".installed"
    if marker.is_file() and marker.read_text() == "\n".join(PEERS[name]):
        return venv
    try:
        venv.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([python, "-m", "venv", "--clear", str(venv)], check=True, timeout=300,
                       capture_output=True, text=True)
        result = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *PEERS[name]],
                                capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.SubprocessError) as exc:  # no venv module, a hung index, a read-only cache
        raise RuntimeError(f"installing {name} failed: {exc}") from exc
    if result.returncode != 0:
        raise RuntimeError(f"installing {name} failed: {_last_line(result.stderr)}")
    marker.write_text("\n".join(PEERS[name]))
    return venv


def _last_line(stderr: str) -> str:
    """pip's last error line (the reason), not its whole log, so a table cell stays readable."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return (lines[-1] if lines else "pip exited with an error")[:300]
