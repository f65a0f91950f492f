"""Validation profiles: which client a SKILL.md is written for, and which keys that client knows.

* ``spec``: the Agent Skills specification as skills-ref enforces it (the default).
* ``claude-code``: Claude Code's loader (extension keys, lenient name/description).
* ``codex``: OpenAI Codex's loader (ASCII names, ``metadata.short-description``).
* ``claude-upload``: claude.ai / Skills API uploads and ``package_skill.py`` (strictest).
* ``evomaster``: EvoMaster's skills module (the spec, plus a top-level ``skill_type``:
  ``knowledge`` or ``operator``; we keep it as ``metadata.skill_type``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath, PureWindowsPath

from ..skill import SKILL_TYPE_KEY

SPEC_KEYS: tuple[str, ...] = ("name", "description", "license", "compatibility", "metadata", "allowed-tools")

# Claude Code frontmatter keys beyond the spec (code.claude.com/docs/en/skills).
CLAUDE_CODE_KEYS: tuple[str, ...] = (
    "when_to_use",
    "argument-hint",
    "arguments",
    "disable-model-invocation",
    "user-invocable",
    "disallowed-tools",
    "model",
    "effort",
    "context",
    "agent",
    "background",
    "hooks",
    "paths",
    "shell",
)

# EvoMaster's frontmatter key beyond the spec: `knowledge` (read) or `operator` (ships scripts/ to run).
EVOMASTER_KEYS: tuple[str, ...] = (SKILL_TYPE_KEY,)

SPEC = "spec"
CLAUDE_CODE = "claude-code"
CODEX = "codex"
CLAUDE_UPLOAD = "claude-upload"
EVOMASTER = "evomaster"


@dataclass(frozen=True)
class Profile:
    """A target client: its name, a one-line description and the top-level keys it understands."""

    name: str
    title: str
    known_keys: tuple[str, ...]


PROFILES: dict[str, Profile] = {
    SPEC: Profile(SPEC, "Agent Skills specification (skills-ref)", SPEC_KEYS),
    CLAUDE_CODE: Profile(CLAUDE_CODE, "Claude Code (~/.claude/skills, .claude/skills)", SPEC_KEYS + CLAUDE_CODE_KEYS),
    CODEX: Profile(CODEX, "OpenAI Codex (~/.codex/skills, .codex/skills)", SPEC_KEYS),
    CLAUDE_UPLOAD: Profile(CLAUDE_UPLOAD, "claude.ai / Skills API upload", SPEC_KEYS),
    EVOMASTER: Profile(EVOMASTER, "EvoMaster (knowledge and operator skills)", SPEC_KEYS + EVOMASTER_KEYS),
}


def get_profile(name: str | None) -> Profile:
    """The profile called ``name``; unknown names raise ValueError listing the valid ones."""
    key = (name or SPEC).strip().lower()
    if key not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; use one of: {', '.join(PROFILES)}")
    return PROFILES[key]


def detect_profile(path: str | PurePath | None) -> str:
    """Guess the target client from where the file lives; ``spec`` when nothing says otherwise."""
    if path is None:
        return SPEC
    text = str(path)
    pure: PurePath = PureWindowsPath(text) if "\\" in text and "/" not in text else PurePosixPath(text)
    parts = [p.lower() for p in pure.parts]
    for i, part in enumerate(parts[:-1]):
        if parts[i + 1] != "skills":
            continue
        if part == ".claude":
            return CLAUDE_CODE
        if part == ".codex":
            return CODEX
        # /etc/codex/skills and $CODEX_HOME/skills when CODEX_HOME is a "codex" folder.
        if part == "codex":
            return CODEX
        if part == ".agents" and any(p in (".codex", "codex") for p in parts[:i]):
            return CODEX
    return SPEC
