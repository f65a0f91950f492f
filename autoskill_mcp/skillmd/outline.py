"""The outline of a SKILL.md: frontmatter keys (with metadata's children) and body headings, nested.

Ranges index the text as given (code points, like every range in this package).
Headings inside fenced code are not headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import fences
from .parser import FieldNode, ParsedSkillMd
from .positions import LineIndex, Position, Range

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")


@dataclass
class Symbol:
    """One outline entry: ``kind`` is "frontmatter", "key" or "heading"."""

    name: str
    kind: str
    range: Range
    selection_range: Range
    detail: str = ""
    level: int = 0
    children: list[Symbol] = field(default_factory=list)


def outline(parsed: ParsedSkillMd) -> list[Symbol]:
    """The frontmatter (keys as children) followed by the heading tree of the body."""
    out: list[Symbol] = []
    if parsed.has_frontmatter and parsed.open_line is not None:
        index = parsed.index
        last = parsed.close_line if parsed.close_line is not None else index.line_count - 1
        rng = Range(Position(parsed.open_line, 0), Position(last, len(index.line_text(last))))
        fm = Symbol("frontmatter", "frontmatter", rng, index.line_range(parsed.open_line))
        fm.children = [_key_symbol(node) for node in parsed.fields.values()]
        out.append(fm)
    out.extend(_headings(parsed))
    return out


def _key_symbol(node: FieldNode) -> Symbol:
    detail = ""
    if node.kind == "scalar":
        detail = " ".join(str(node.value if node.value is not None else "").split())[:80]
    sym = Symbol(node.key, "key", node.full_range, node.key_range, detail)
    sym.children = [_key_symbol(child) for child in node.children.values()]
    return sym


def _headings(parsed: ParsedSkillMd) -> list[Symbol]:
    index = parsed.index
    roots: list[Symbol] = []
    stack: list[Symbol] = []
    fence: str | None = None
    for line in range(parsed.body_start_line, index.line_count):
        text = index.line_text(line)
        fence, is_fence = fences.step(fence, text)
        if is_fence:
            continue
        if fence is not None:
            continue
        h = _HEADING.match(text)
        if not h or not h[2].strip():
            continue
        level = len(h[1])
        start = text.index(h[2])
        sym = Symbol(h[2].strip(), "heading", index.line_range(line),
                     Range(Position(line, start), Position(line, start + len(h[2]))), level=level)
        while stack and stack[-1].level >= level:
            _close(stack.pop(), line, index)
        (stack[-1].children if stack else roots).append(sym)
        stack.append(sym)
    end = index.line_count
    while stack:
        _close(stack.pop(), end, index)
    return roots


def _close(sym: Symbol, next_line: int, index: LineIndex) -> None:
    """Extend a heading's range to the line before the next heading of its level or higher."""
    last = max(sym.range.start.line, next_line - 1)
    sym.range = Range(sym.range.start, Position(last, len(index.line_text(last))))
