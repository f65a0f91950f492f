"""The body, the instructions an agent reads on activation (SKL060-SKL062, SKL068).

Size limits (lines, estimated tokens) and, for Claude Code, the ``$name`` and ``${CLAUDE_*}``
substitutions it makes: undeclared arguments outside code and unknown variables.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from .context import CheckContext

MAX_LINES = 500
MAX_TOKENS = 5000
CLAUDE_VARIABLES = frozenset(
    {
        "CLAUDE_SESSION_ID",
        "CLAUDE_EFFORT",
        "CLAUDE_SKILL_DIR",
        "CLAUDE_PROJECT_DIR",
        "CLAUDE_PLUGIN_ROOT",
        "CLAUDE_PLUGIN_DATA",
    }
)
_MAX_PER_RULE = 100  # body findings per rule; more is noise and costs time on huge files


def check_body(ctx: CheckContext) -> None:
    p = ctx.parsed
    body_line = min(p.body_start_line, p.index.line_count - 1)
    if not p.body.strip():
        at = p.close_line if p.close_line is not None else 0
        ctx.emit("SKL060", p.index.line_range(at))
    lines = p.index.line_count - (1 if p.text.endswith(("\n", "\r")) else 0)
    if lines > MAX_LINES:
        ctx.emit("SKL061", p.index.line_range(MAX_LINES), count=lines)
    tokens = len(p.body) // 4
    if tokens > MAX_TOKENS:
        ctx.emit("SKL062", p.index.line_range(body_line), count=tokens)
    if ctx.enabled("SKL068"):
        _check_substitutions(ctx)


def _check_substitutions(ctx: CheckContext) -> None:
    p = ctx.parsed
    declared = _declared_arguments(ctx.data.get("arguments"))
    unknown = [m for m in re.finditer(r"\$\{(CLAUDE_[A-Z0-9_]*)\}", p.body) if m[1] not in CLAUDE_VARIABLES]
    for m in unknown[:_MAX_PER_RULE]:
        rng = p.index.range(p.body_offset + m.start(), p.body_offset + m.end())
        ctx.emit(
            "SKL068",
            rng,
            problem=f"Unknown variable ${{{m[1]}}}: use one of " + ", ".join(sorted(CLAUDE_VARIABLES)),
        )
    if declared is None:
        return
    code = _code_spans(p.body)
    starts = [a for a, _ in code]
    reported = 0
    for m in re.finditer(r"(?<![\\\w$])\$([a-z_][A-Za-z0-9_]*)", p.body):
        if m[1] in declared:
            continue
        i = bisect.bisect_right(starts, m.start()) - 1
        if i >= 0 and m.start() < code[i][1]:
            continue
        reported += 1
        if reported > _MAX_PER_RULE:
            break
        rng = p.index.range(p.body_offset + m.start(), p.body_offset + m.end())
        ctx.emit(
            "SKL068", rng, problem=f"${m[1]} is not declared in `arguments`: add it there or escape it as \\${m[1]}"
        )


def _declared_arguments(value: Any) -> set[str] | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else re.split(r"[\s,]+", str(value))
    return {str(v).strip().lstrip("$") for v in items if str(v).strip()}


def _code_spans(body: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping offsets of fenced blocks and inline code, where `$x` is usually shell."""
    fences = [(m.start(), m.end()) for m in re.finditer(r"^(```|~~~).*?^\1[^\n]*$", body, re.S | re.M)]
    spans = list(fences)
    for m in re.finditer(r"`[^`\n]+`", body):
        spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged
