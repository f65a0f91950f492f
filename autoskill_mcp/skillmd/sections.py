"""The Markdown body: our managed sections (triggers, examples) and other layouts' sections.

Managed sections are appended after the instructions and recognised only by their
marker comments at the *end* of the body, so a user's own "## Examples" heading
inside the instructions is never mistaken for ours.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from . import yamlbounds

TRIGGERS_HEADING = "## Triggers"
TRIGGERS_MARKER = "<!-- autoskill:triggers -->"
EXAMPLES_HEADING = "## Examples"
EXAMPLES_MARKER = "<!-- autoskill:examples -->"

_FENCE = re.compile(r"^(`{3,})$")
_BACKTICK_RUN = re.compile(r"`+")
_NEEDS_JSON = re.compile(r"[\r\n\x85\u2028\u2029]")


@dataclass
class ManagedBody:
    """A body split into the instructions and the managed sections found at its end."""

    instructions: str
    triggers: list[str] = field(default_factory=list)
    examples: list[Any] = field(default_factory=list)
    has_triggers: bool = False
    has_examples: bool = False
    warnings: list[str] = field(default_factory=list)


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def render_trigger(trigger: str) -> str:
    """One bullet's text; JSON-quoted when a plain line would not read back the same."""
    if (
        not trigger
        or trigger != trigger.strip()
        or trigger.startswith('"')
        or _NEEDS_JSON.search(trigger)
    ):
        return json.dumps(trigger, ensure_ascii=False)
    return trigger


def read_trigger(text: str) -> str:
    """Inverse of :func:`render_trigger` (a bullet that is not valid JSON stays as written)."""
    if text.startswith('"'):
        try:
            value = json.loads(text)
        except ValueError:
            return text
        if isinstance(value, str):
            return value
    return text


def render_managed(instructions: str, triggers: list[str], examples: list[dict[str, Any]]) -> str:
    """Instructions followed by the non-empty managed sections, ending with one newline."""
    parts: list[str] = []
    text = instructions.rstrip()
    if text:
        parts.append(text)
    if triggers:
        bullets = "\n".join(f"- {render_trigger(t)}" for t in triggers)
        parts.append(f"{TRIGGERS_HEADING}\n{TRIGGERS_MARKER}\n{bullets}")
    if examples:
        dumped = _dump_examples(examples)
        longest = max((len(m) for m in _BACKTICK_RUN.findall(dumped)), default=0)
        fence = "`" * max(3, longest + 1)
        parts.append(f"{EXAMPLES_HEADING}\n{EXAMPLES_MARKER}\n{fence}yaml\n{dumped}\n{fence}")
    return "\n\n".join(parts) + "\n" if parts else ""


def _dump_examples(examples: list[dict[str, Any]]) -> str:
    """Readable YAML (unicode as is) unless a character such as U+0085 would not read back;
    then everything non-ASCII is escaped, which always round-trips."""
    options: dict[str, Any] = {"sort_keys": False, "default_flow_style": False, "width": 2**31 - 1}
    dumped = yaml.safe_dump(examples, allow_unicode=True, **options)
    if yaml.safe_load(dumped) != examples:
        dumped = yaml.safe_dump(examples, allow_unicode=False, **options)
    return dumped.rstrip("\n")


def split_managed(body: str) -> ManagedBody:
    """Find our managed sections at the end of ``body``; the rest is the instructions."""
    lines = normalize_newlines(body).rstrip().split("\n")
    result = ManagedBody(instructions="")
    end = len(lines)

    examples_at = _find_examples(lines)
    if examples_at is not None:
        start, fence_open, fence_close = examples_at
        block = "\n".join(lines[fence_open + 1 : fence_close])
        try:
            loaded = yamlbounds.safe_load(block, "the block") if block.strip() else []
        except Exception as exc:  # a hand-edited block that no longer parses
            loaded = None
            result.warnings.append(f"the managed Examples block is not valid YAML ({exc}); kept in the instructions")
        if isinstance(loaded, list):
            result.examples = loaded
            result.has_examples = True
            end = start
        elif loaded is not None:
            result.warnings.append("the managed Examples block is not a YAML list; kept in the instructions")

    triggers_at = _find_triggers(lines, end)
    if triggers_at is not None:
        heading, last = triggers_at
        result.triggers = [read_trigger(line[2:]) for line in lines[heading + 2 : last]]
        result.has_triggers = True
        end = heading

    result.instructions = "\n".join(lines[:end]).rstrip().lstrip("\n")
    return result


def _find_examples(lines: list[str]) -> tuple[int, int, int] | None:
    """(heading line, opening fence line, closing fence line) of a trailing managed block."""
    if not lines:
        return None
    close = len(lines) - 1
    m = _FENCE.match(lines[close])
    if not m:
        return None
    opening = f"{m[1]}yaml"
    for i in range(close - 1, 1, -1):
        if lines[i] == opening and lines[i - 1] == EXAMPLES_MARKER and lines[i - 2] == EXAMPLES_HEADING:
            return i - 2, i, close
    return None


def _find_triggers(lines: list[str], end: int) -> tuple[int, int] | None:
    """(heading line, end of bullets) of a managed Triggers section just before ``end``."""
    j = end
    while j > 0 and lines[j - 1] == "":
        j -= 1
    i = j
    while i > 0 and lines[i - 1].startswith("- "):
        i -= 1
    if i >= 2 and i < j and lines[i - 1] == TRIGGERS_MARKER and lines[i - 2] == TRIGGERS_HEADING:
        return i - 2, j
    return None


def markdown_section(body: str, title: str, stop_titles: tuple[str, ...] | None = None) -> str | None:
    """Text under ``## <title>`` up to the next ``## `` heading (or one of ``stop_titles``)."""
    lines = normalize_newlines(body).split("\n")
    target = f"## {title}".lower()
    for i, line in enumerate(lines):
        if line.strip().lower() != target:
            continue
        out: list[str] = []
        for line2 in lines[i + 1 :]:
            head = line2.strip().lower()
            if stop_titles is None and line2.startswith("## "):
                break
            if stop_titles is not None and head in {f"## {t}".lower() for t in stop_titles}:
                break
            out.append(line2)
        return "\n".join(out).strip("\n").rstrip()
    return None


def bullets(section: str) -> list[str]:
    """The text of ``- `` / ``* `` bullet lines in a section."""
    out = []
    for line in section.split("\n"):
        s = line.strip()
        if s[:2] in ("- ", "* ") and s[2:].strip():
            out.append(s[2:].strip())
    return out


def first_heading(body: str) -> str | None:
    """The text of the first ``# `` heading (AutoSkill writes the name there)."""
    for line in normalize_newlines(body).split("\n"):
        s = line.strip()
        if s.startswith("# "):
            return s[2:].strip() or None
        if s:
            return None
    return None


def first_paragraph(body: str) -> str | None:
    """The first paragraph of prose, skipping headings and fenced code (Claude Code's fallback)."""
    out: list[str] = []
    in_fence = False
    for line in normalize_newlines(body).split("\n"):
        s = line.strip()
        if s.startswith("```") or s.startswith("~~~"):
            if out:
                break
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if not s:
            if out:
                break
            continue
        if s.startswith("#") or s.startswith("<!--"):
            if out:
                break
            continue
        out.append(s)
    text = " ".join(out).strip()
    return text or None
