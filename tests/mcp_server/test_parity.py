"""Parity with agentskills-mcp-server (the SEP-2640 reference) serving the same folder.

Both servers run as real stdio subprocesses; the oracle runs from a throwaway
Python >= 3.12 venv (bench/peer_servers.py). Compared: `skills/list` entries
(URI, verbatim frontmatter, every file's digest and size), the resource URIs
and MIME types, and the bytes each resource read returns.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from bench import peer_servers as peers

from .helpers import PYTHON, REPO, all_skills, server_env

pytestmark = pytest.mark.anyio


PDF_SKILL = """---
name: pdf-tools
description: Extract text and tables from PDF files. Use when the user mentions PDFs or forms.
license: Apache-2.0
compatibility: Requires python3 and pdfplumber
allowed-tools: Bash(python3:*) Read
metadata:
  author: example-org
  version: "1.0"
---
# PDF tools

1. Run `scripts/extract.py input.pdf`.
2. See [the reference](references/REFERENCE.md).
"""


def demo_folder(root: Path) -> Path:
    files: dict[str, bytes] = {
        "pdf-tools/SKILL.md": PDF_SKILL.encode(),
        "pdf-tools/scripts/extract.py": b"import sys\nprint(sys.argv[1])\n",
        "pdf-tools/references/REFERENCE.md": "# Reference\n\nTables: `page.extract_tables()` \u2014 ok\n".encode(),
        "pdf-tools/assets/logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(40)),
        "code-review/SKILL.md": b"---\nname: code-review\ndescription: Review a pull request for bugs and style.\n"
                                b"---\n# Review\n\nUse references/checklist.md.\n",
        "code-review/references/checklist.md": b"- tests\r\n- docs\r\n",
        "git-workflow/SKILL.md": b"---\nname: git-workflow\ndescription: Branch, rebase and merge the team's way.\n"
                                 b"---\n# Git\n",
        "docker-debugging/SKILL.md": b"---\nname: docker-debugging\ndescription: Debug containers that exit at "
                                     b"start-up.\n---\n# Docker\n",
    }
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


async def snapshot(params: StdioServerParameters) -> dict[str, Any]:
    async with Client(params, raise_exceptions=True) as c:
        skills = sorted(
            ({"uri": s["uri"], "frontmatter": s["frontmatter"],
              "resources": sorted((r["uri"], r["digest"], r["size"]) for r in s["resources"])}
             for s in await all_skills(c)), key=lambda s: s["uri"])
        listed = sorted((r.uri, r.mime_type) for r in (await c.list_resources()).resources)
        reads: dict[str, tuple[str, bytes]] = {}
        for uri, _ in listed:
            item = (await c.read_resource(uri)).contents[0]
            text = getattr(item, "text", None)
            reads[uri] = ("text", text.encode()) if text is not None else ("blob", base64.b64decode(item.blob))
        return {"skills": skills, "resources": listed, "reads": reads}


async def test_skills_surface_matches_agentskills_mcp_server(tmp_path: Path) -> None:
    if peers.find_python() is None:
        pytest.skip("agentskills-mcp-server needs Python >= 3.12 and none was found on this machine")
    venv = peers.ensure_peer("agentskills")
    folder = demo_folder(tmp_path / "skills")
    oracle = await snapshot(StdioServerParameters(command=str(venv / "bin" / "agentskills"),
                                                  args=["serve", str(folder)], cwd=str(tmp_path)))
    home = tmp_path / "home"
    home.mkdir()
    ours = await snapshot(StdioServerParameters(
        command=PYTHON, args=["-m", "autoskill_mcp", "mcp", "--library", str(folder), "--no-worker"],
        env=server_env(home), cwd=str(REPO)))
    assert len(oracle["skills"]) == 4
    assert ours["skills"] == oracle["skills"]
    assert ours["resources"] == oracle["resources"]
    assert ours["reads"] == oracle["reads"]
