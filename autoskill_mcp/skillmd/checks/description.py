"""The ``description`` key (SKL021-SKL026): present, a string, within the limits, and useful to an agent.

Agents choose skills from the description alone, so besides the hard limits this module
holds the (English-only) heuristics for a description that says what and when.
"""

from __future__ import annotations

import re

from .. import yamltext
from ..diagnostics import Fix
from ..positions import Position, Range, TextEdit
from ..profiles import CODEX
from ..sections import first_paragraph
from .context import CheckContext
from .edits import quote_fix, shorten_fix

MAX_DESCRIPTION = 1024
MAX_LISTING = 1536

_WHEN = re.compile(r"\b(when|whenever|if|use (?:it |this )?(?:for|to|on))\b", re.I)
_PERSON = re.compile(r"^\s*(i|i'm|i am|we|you|you're|my|our)\b|\b(i can|i will|you can|we can)\b", re.I)


def check_description(ctx: CheckContext) -> None:
    node = ctx.parsed.fields.get("description")
    if node is None:
        para = first_paragraph(ctx.parsed.body)
        text = (para or "Describe what this skill does. Use when ...")[:MAX_DESCRIPTION]
        name_node = ctx.parsed.fields.get("name")
        at = Position(name_node.value_range.end.line + 1, 0) if name_node else Position(1, 0)
        edit = TextEdit(Range(at, at), f"description: {yamltext.scalar(text)}\n")
        ctx.emit("SKL021", ctx.frontmatter_head(), fix=Fix("Add a description", [edit]))
        return
    value = node.value
    if not isinstance(value, str) or not value.strip():
        quoted = quote_fix(node, "description")
        found, fix = quoted if quoted else (": write what the skill does and when to use it", None)
        ctx.emit("SKL022", node.value_range if node.source else node.key_range, fix=fix, found=found)
        return
    rng = node.value_range
    count = len(" ".join(value.split())) if ctx.profile == CODEX else len(value)
    if count > MAX_DESCRIPTION:
        how = ", counted after collapsing whitespace" if ctx.profile == CODEX else ""
        fix = shorten_fix(node, value, MAX_DESCRIPTION, "description")
        ctx.emit("SKL023", rng, fix=fix, count=count, how=how, excess=count - MAX_DESCRIPTION)
    if "<" in value or ">" in value:
        ctx.emit("SKL024", rng)
    when = ctx.data.get("when_to_use")
    if isinstance(when, str) and len(value) + len(when) > MAX_LISTING:
        ctx.emit("SKL025", rng, count=len(value) + len(when))
    problems = _description_problems(value, has_when=isinstance(when, str) and bool(when.strip()))
    if problems:
        ctx.emit("SKL026", rng, problems="; ".join(problems))


def _description_problems(text: str, *, has_when: bool) -> list[str]:
    """Heuristic quality notes (English only: other scripts are not judged)."""
    stripped = " ".join(text.split())
    letters = [c for c in stripped if c.isalpha()]
    if not letters or sum(c.isascii() for c in letters) / len(letters) < 0.8:
        return []
    problems = []
    if len(stripped) < 20 or len(stripped.split()) < 4:
        problems.append("is very short: say what the skill does and when to use it")
    if not has_when and not _WHEN.search(stripped):
        problems.append("does not say when to use the skill: add 'Use when ...'")
    if _PERSON.search(stripped):
        problems.append("is written in the first or second person: write 'Processes X', not 'I can' or 'You can'")
    return problems
