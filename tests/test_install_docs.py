"""The install instructions a newcomer reads work from this repository.

No index has `autoskill-mcp` yet, so a fenced install command must install from a clone, a path
or git, never the bare package name; and the `.vsix` the docs tell VS Code to install is the
one `editors/vscode/ci.sh` builds (vsce's name: `<name>-<version>.vsix`).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", REPO / "editors" / "vscode" / "README.md"]


def fenced_lines(path: Path) -> list[str]:
    blocks = re.findall(r"```(?:sh|bash)\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("doc", DOCS, ids=["README", "vscode-README"])
def test_every_install_command_installs_from_this_repository(doc: Path) -> None:
    installs = [line for line in fenced_lines(doc) if "pip install" in line]
    assert installs, f"{doc} says nowhere how to install"
    for line in installs:
        target = shlex.split(line.split("pip install", 1)[1].split("  #")[0])
        args = [a for a in target if not a.startswith("-q")]
        assert args and "autoskill-mcp" not in args, line
        assert any(a == "-e" or a.startswith((".", "/", "git+")) for a in args), line


@pytest.mark.parametrize("doc", DOCS, ids=["README", "vscode-README"])
def test_the_vsix_to_install_is_the_one_ci_builds(doc: Path) -> None:
    manifest = json.loads((REPO / "editors" / "vscode" / "package.json").read_text(encoding="utf-8"))
    vsix = f"{manifest['name']}-{manifest['version']}.vsix"
    text = doc.read_text(encoding="utf-8")
    assert re.search(rf"code --install-extension \S*{re.escape(vsix)}", text), f"{doc}: no install of {vsix}"
    assert "editors/vscode/ci.sh" in text or "./ci.sh" in text
