"""What each frontmatter key means: its purpose, limits, accepted values and the clients that honour it.

Editors use this for hover and completion; the rules keep their own limits in
``validate`` (this module reads them from there, so the two never disagree).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..skill import SKILL_TYPE_KEY, SKILL_TYPES
from .profiles import CLAUDE_CODE_KEYS, PROFILES, SPEC_KEYS
from .validate import MAX_COMPATIBILITY, MAX_DESCRIPTION, MAX_LISTING

SPEC_URL = "https://agentskills.io/specification"
CLAUDE_CODE_URL = "https://code.claude.com/docs/en/skills"
EVOMASTER_URL = "https://github.com/sjtu-sai-agents/EvoMaster"

BOOLEAN_VALUES: tuple[str, ...] = ("true", "false")

# The licences skills most often carry (SPDX identifiers, spdx.org/licenses).
SPDX_IDS: tuple[str, ...] = (
    "Apache-2.0", "MIT", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0", "GPL-2.0-only", "GPL-2.0-or-later",
    "GPL-3.0-only", "GPL-3.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only",
    "LGPL-3.0-or-later", "AGPL-3.0-only", "AGPL-3.0-or-later", "EPL-2.0", "CDDL-1.0", "EUPL-1.2", "Unlicense",
    "0BSD", "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "Zlib", "BSL-1.0", "Artistic-2.0",
    "MIT-0", "OFL-1.1", "PostgreSQL", "Python-2.0", "WTFPL", "Proprietary",
)

# Tool names Claude Code and other clients accept in allowed-tools (patterns such as Bash(git:*) also work).
TOOL_NAMES: tuple[str, ...] = (
    "Bash", "Read", "Write", "Edit", "MultiEdit", "Glob", "Grep", "LS", "WebFetch", "WebSearch", "Task",
    "TodoWrite", "NotebookEdit", "NotebookRead", "Bash(git:*)", "Bash(npm:*)", "Bash(python:*)",
    "Bash(pytest:*)", "Bash(jq:*)",
)

# metadata keys clients or conventions give a meaning to.
METADATA_KEYS: dict[str, str] = {
    "short-description": "Codex shows it in its skill picker (at most 500 characters).",
    "version": "The skill's version; quote it (`\"1.10\"`), or YAML reads it as a number.",
    "author": "Who wrote or maintains the skill.",
    "tags": "Space- or comma-separated keywords (metadata values are strings).",
    "category": "A grouping for catalogues.",
    "homepage": "Where the skill is documented.",
    "repository": "Where the skill's source lives.",
    "source": "Where the skill came from (a session, a repository...).",
    "created": "When the skill was written (quote dates: `\"2026-01-31\"`).",
    "updated": "When the skill last changed (quote dates).",
    SKILL_TYPE_KEY: "EvoMaster's kind of skill: `knowledge` (read) or `operator` (its scripts/ are run); unquoted.",
}


@dataclass(frozen=True)
class KeyDoc:
    """Documentation for one frontmatter key."""

    key: str
    what: str
    limits: str
    clients: str
    values: tuple[str, ...] = ()
    url: str = SPEC_URL

    def markdown(self) -> str:
        """The hover text: what it is, its limits and values, which clients honour it."""
        lines = [f"**{self.key}**: {self.what}", "", f"*Limits:* {self.limits}", "", f"*Clients:* {self.clients}"]
        if self.values:
            lines += ["", "*Values:* " + ", ".join(f"`{v}`" for v in self.values)]
        lines += ["", f"[Documentation]({self.url})"]
        return "\n".join(lines)


_ALL = "the Agent Skills spec; Claude Code, Codex, Cursor and VS Code/Copilot"
_CC = "Claude Code only (`claude-code` profile); skills-ref and claude.ai uploads reject it"

KEY_DOCS: dict[str, KeyDoc] = {
    d.key: d
    for d in [
        KeyDoc("name", "The skill's identifier, used for slash commands and to match the folder.",
               "Required. 1-64 characters: lowercase a-z, 0-9 and hyphens; no leading, trailing or double "
               "hyphens; must equal the parent folder's name.", _ALL + " (Claude Code defaults it to the folder)"),
        KeyDoc("description", "What the skill does and when to use it: agents pick skills from this alone.",
               f"Required. 1-{MAX_DESCRIPTION} characters; no XML tags for claude.ai; third person; "
               "say 'Use when ...'.", _ALL + " (Claude Code falls back to the body's first paragraph)"),
        KeyDoc("license", "The licence: an SPDX id or the name of a licence file bundled with the skill.",
               "Optional. Keep it short (`Apache-2.0`, `Proprietary. LICENSE.txt has complete terms`).",
               "the spec; Claude Code accepts and ignores it", SPDX_IDS[:8]),
        KeyDoc("compatibility", "Environment requirements: product, system packages, network access.",
               f"Optional. 1-{MAX_COMPATIBILITY} characters. Most skills do not need it.",
               "the spec, Cursor; Codex's quick_validate rejects it; Claude Code ignores it"),
        KeyDoc("metadata", "Client-specific properties as a map of string keys to string values.",
               "Optional. A mapping; quote values that YAML would read as numbers, booleans or dates.",
               _ALL + "; Codex reads `short-description`"),
        KeyDoc("allowed-tools", "Tools pre-approved while the skill is active (experimental).",
               "Optional. One space-separated string, e.g. `Bash(git:*) Read`; Claude Code also takes a "
               "comma-separated string or a YAML list.", "Claude Code; support elsewhere varies", TOOL_NAMES[:4]),
        KeyDoc("when_to_use", "Extra trigger text appended to the description in Claude Code's listing.",
               f"description + when_to_use is cut at {MAX_LISTING} characters.", _CC, url=CLAUDE_CODE_URL),
        KeyDoc("argument-hint", "Shown after the slash command, e.g. `[issue-number]`.", "A short string.",
               _CC + "; VS Code/Copilot also reads it", url=CLAUDE_CODE_URL),
        KeyDoc("arguments", "Named arguments for `$name` substitution in the body.",
               "A space-separated string or a list of names.", _CC, url=CLAUDE_CODE_URL),
        KeyDoc("disable-model-invocation", "When true, only the user can invoke the skill (the model cannot).",
               "A boolean (true/false, yes/no, on/off, 1/0).", _CC + "; Cursor and VS Code read it too",
               BOOLEAN_VALUES, CLAUDE_CODE_URL),
        KeyDoc("user-invocable", "When false, the skill is hidden from the / menu.",
               "A boolean.", _CC + "; VS Code/Copilot reads it too", BOOLEAN_VALUES, CLAUDE_CODE_URL),
        KeyDoc("disallowed-tools", "Tools the skill may not use.", "A string or a list of tool names.", _CC,
               url=CLAUDE_CODE_URL),
        KeyDoc("model", "The model that runs the skill.", "A `/model` value, or `inherit`.", _CC,
               ("inherit", "sonnet", "opus", "haiku"), CLAUDE_CODE_URL),
        KeyDoc("effort", "Reasoning effort while the skill runs.", "One of the listed values.", _CC,
               ("low", "medium", "high", "xhigh", "max"), CLAUDE_CODE_URL),
        KeyDoc("context", "`fork` runs the skill in a sub-agent with its own context.", "Only `fork`.", _CC,
               ("fork",), CLAUDE_CODE_URL),
        KeyDoc("agent", "The sub-agent type used when `context: fork`.", "A string; needs `context: fork`.", _CC,
               url=CLAUDE_CODE_URL),
        KeyDoc("background", "Run a forked skill in the background (default true).",
               "A boolean; needs `context: fork`.", _CC, BOOLEAN_VALUES, CLAUDE_CODE_URL),
        KeyDoc("hooks", "Hooks scoped to the skill, in the same format as agent hooks.", "A mapping of hook events.",
               _CC, url=CLAUDE_CODE_URL),
        KeyDoc("paths", "Globs that limit when the skill activates automatically.",
               "A comma-separated string or a list of globs.", _CC, url=CLAUDE_CODE_URL),
        KeyDoc("shell", "The shell for `!`cmd`` blocks.", "`bash` or `powershell`.", _CC, ("bash", "powershell"),
               CLAUDE_CODE_URL),
        KeyDoc(SKILL_TYPE_KEY, "EvoMaster's kind of skill: `knowledge` is read; `operator` also ships scripts/ "
               "the agent runs (autoskill lists them with their usage, never runs them).",
               "`knowledge` or `operator`. Stored as `metadata.skill_type`, unquoted.",
               "EvoMaster (`evomaster` profile); elsewhere write it under metadata:", SKILL_TYPES, EVOMASTER_URL),
    ]
}


def keys_for_profile(profile: str) -> tuple[str, ...]:
    """Top-level keys to offer in ``profile`` (spec keys first)."""
    known = PROFILES[profile].known_keys if profile in PROFILES else SPEC_KEYS
    return tuple(k for k in known if k in KEY_DOCS)


def values_for(key: str) -> tuple[str, ...]:
    """Every value worth completing for ``key`` (empty when the value is free text)."""
    if key == "license":
        return SPDX_IDS
    if key == "allowed-tools":
        return TOOL_NAMES
    doc = KEY_DOCS.get(key)
    return doc.values if doc else ()


__all__ = [
    "BOOLEAN_VALUES", "CLAUDE_CODE_KEYS", "KEY_DOCS", "KeyDoc", "METADATA_KEYS", "SPDX_IDS", "TOOL_NAMES",
    "keys_for_profile", "values_for",
]
