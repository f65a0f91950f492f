"""How to run an operator skill's script, as its own files tell it: read, never executed.

An EvoMaster operator skill ships `scripts/` the agent runs. For the context block to say
how, the usage comes from what is written down: a command in SKILL.md that names the script
(`python scripts/fill.py IN OUT`), else the script's own head (a `usage:` line, the module
docstring, the leading comment block, argparse's `description=`). Nothing here runs a script
or asks it for `--help`: a stored skill is data, and running it is the agent's call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

#: where an operator skill keeps what the agent runs
SCRIPTS_DIR = "scripts/"
#: how much of a script is read for its usage (docstrings and comment headers sit at the top)
HEAD_BYTES = 8192
#: at most this many scripts per skill are described
MAX_SCRIPTS = 20
_MAX_USAGE = 240
#: what runs a script of each suffix (EvoMaster's `run_script` mapping)
RUNNERS: dict[str, str] = {".py": "python", ".sh": "bash", ".bash": "bash", ".js": "node", ".mjs": "node",
                           ".cjs": "node", ".ts": "npx tsx", ".rb": "ruby", ".pl": "perl", ".ps1": "pwsh"}

_USAGE_LINE = re.compile(r"^\W*usage\s*:\s*(.+)$", re.IGNORECASE)
_DOCSTRING = re.compile(r'^(?:[rRuU]?)("""|\'\'\')(.*?)(?:\1|$)', re.DOTALL)
_ARGPARSE = re.compile(r"ArgumentParser\([^)]*?description\s*=\s*(['\"])(.+?)\1", re.DOTALL)
_COMMENT = re.compile(r"^\s*(?:#+|//+|--|;+|/?\*+/?)\s?(.*)$")


@dataclass(frozen=True)
class ScriptUsage:
    """One script of an operator skill: its path, what runs it, and how to call it (None: nothing says)."""

    path: str
    runner: str | None
    usage: str | None

    def to_dict(self) -> dict[str, str | None]:
        return {"path": self.path, "runner": self.runner, "usage": self.usage}


def is_script(path: str) -> bool:
    """Whether a resource path is one of the skill's scripts (a file below `scripts/`)."""
    return path.startswith(SCRIPTS_DIR) and len(path) > len(SCRIPTS_DIR)


def script_usage(path: str, head: bytes, instructions: str = "") -> ScriptUsage:
    """The usage of the script at `path` (its first bytes in `head`), SKILL.md's own word first."""
    runner = RUNNERS.get(PurePosixPath(path).suffix.lower())
    usage = _from_instructions(path, instructions) or _from_head(head[:HEAD_BYTES].decode("utf-8", "replace"))
    return ScriptUsage(path, runner, _one_line(usage) if usage else None)


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_USAGE else flat[: _MAX_USAGE - 1].rstrip() + "…"


def _from_instructions(path: str, instructions: str) -> str | None:
    """A command SKILL.md gives for the script: a `code span` naming it, else a code-block line naming it."""
    if not instructions:
        return None
    name = re.escape(path)
    span = re.search(rf"`([^`\n]*{name}[^`\n]*)`", instructions)
    if span:
        return span.group(1).strip()
    in_block = False
    for line in instructions.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_block = not in_block
            continue
        if in_block and path in stripped:
            return stripped.lstrip("$> ").strip()
    return None


def _from_head(text: str) -> str | None:
    """What the top of a script says of itself: its summary line, with its `usage:` line when separate.

    A `usage:` line counts only inside the docstring or a comment (`usage: str = ""` in code is not one).
    """
    lines = text.splitlines()[:120]
    doc = _docstring_text(lines) or ""
    comments = [m.group(1) for line in lines if (m := _COMMENT.match(line))]
    usage = next((m.group(1).strip() for line in [*doc.splitlines(), *comments] if (m := _USAGE_LINE.match(line))),
                 None)
    summary = _first_line(doc) or _comment_block(lines) or _argparse(text)
    if summary and usage and usage.lower() not in summary.lower():
        return f"{summary.rstrip('.')}. Usage: {usage}"
    if usage:
        return f"Usage: {usage}"
    return summary


def _code_start(lines: list[str]) -> int:
    """The first line past a shebang, encoding cookie and blank lines."""
    i = 0
    while i < len(lines) and (not lines[i].strip() or (i == 0 and lines[i].startswith("#!"))
                              or re.match(r"^#.*coding[:=]", lines[i])):
        i += 1
    return i


def _docstring_text(lines: list[str]) -> str | None:
    """A Python module docstring's text (the script's first statement), or None."""
    match = _DOCSTRING.match("\n".join(lines[_code_start(lines):]))
    return match.group(2) if match else None


def _first_line(text: str) -> str | None:
    return next((line.strip() for line in text.splitlines() if line.strip()), None)


def _comment_block(lines: list[str]) -> str | None:
    """The first line of the comment block that opens the script (`#`, `//`, `/* */`, `--`)."""
    for line in lines[_code_start(lines):_code_start(lines) + 30]:
        if not line.strip():
            continue
        match = _COMMENT.match(line)
        if not match or line.lstrip().startswith(('"""', "'''")):
            return None
        text = match.group(1).strip().rstrip("*/").strip()
        if text and not text.startswith("!") and not re.match(r"^-\*-.*-\*-$", text):
            return text
    return None


def _argparse(text: str) -> str | None:
    match = _ARGPARSE.search(text)
    return match.group(2).strip() if match else None
