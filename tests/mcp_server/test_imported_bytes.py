"""An imported skill folder is served as its author wrote it: same SKILL.md bytes, same digests.

The folder is the parity test's (tests/mcp_server/test_parity.py), imported with `autoskill
import`, then served from the store (not as a library) by a real `autoskill mcp` subprocess.
When agentskills-mcp-server can run here, its `skills/list` for the source folder must match too.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
import yaml
from mcp import StdioServerParameters

from bench import peer_servers as peers

from .helpers import PYTHON, REPO, server_env
from .test_parity import demo_folder, snapshot

pytestmark = pytest.mark.anyio


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def imported_store(tmp_path: Path) -> tuple[Path, Path]:
    folder = demo_folder(tmp_path / "skills")
    home = tmp_path / "home"
    home.mkdir()
    env = server_env(home)
    proc = subprocess.run([PYTHON, "-m", "autoskill_mcp", "import", str(folder)], env=env, cwd=str(REPO),
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return folder, home


async def test_imported_skill_md_bytes_and_digests_are_the_source_folders(tmp_path: Path) -> None:
    folder, home = imported_store(tmp_path)
    for md in folder.glob("*/SKILL.md"):
        stored = home / "Users" / "alice" / md.parent.name / "SKILL.md"
        assert stored.read_bytes() == md.read_bytes(), md.parent.name
    ours = await snapshot(StdioServerParameters(command=PYTHON, args=["-m", "autoskill_mcp", "mcp", "--no-worker"],
                                                env=server_env(home), cwd=str(REPO)))
    assert len(ours["skills"]) == 4
    for entry in ours["skills"]:
        name = entry["uri"].removeprefix("skill://").split("/")[0]
        source = folder / name
        expected = sorted((f"skill://{name}/{p.relative_to(source).as_posix()}", digest(p.read_bytes()),
                           p.stat().st_size) for p in source.rglob("*") if p.is_file())
        assert entry["resources"] == expected
        text = (source / "SKILL.md").read_text(encoding="utf-8")
        assert entry["frontmatter"] == yaml.safe_load(text.split("---\n")[1])
    for uri, (_, data) in ours["reads"].items():
        name, _, rel = uri.removeprefix("skill://").partition("/")
        assert data == (folder / name / rel).read_bytes(), uri


async def test_imported_folder_is_listed_as_the_reference_server_lists_the_source(tmp_path: Path) -> None:
    if peers.find_python() is None:
        pytest.skip("agentskills-mcp-server needs Python >= 3.12 and none was found on this machine")
    try:
        venv = peers.ensure_peer("agentskills")
    except RuntimeError as exc:
        pytest.skip(f"agentskills-mcp-server cannot be installed here: {exc}")
    folder, home = imported_store(tmp_path)
    oracle = await snapshot(StdioServerParameters(command=str(venv / "bin" / "agentskills"),
                                                  args=["serve", str(folder)], cwd=str(tmp_path)))
    ours = await snapshot(StdioServerParameters(command=PYTHON, args=["-m", "autoskill_mcp", "mcp", "--no-worker"],
                                                env=server_env(home), cwd=str(REPO)))
    assert ours["skills"] == oracle["skills"]
    assert ours["reads"] == oracle["reads"]
