"""The frontmatter edits quick fixes are made of: replace a key's value, delete a key's lines, shorten text.

Several concepts fix a value the same way (quote it, set it, cut it to a limit), so the
edit is written once here and every check's fix lands on the same character range.
"""

from __future__ import annotations

from .. import yamltext
from ..diagnostics import Fix
from ..parser import FieldNode, ParsedSkillMd
from ..positions import Position, Range, TextEdit
from .context import type_name


def replace_value_fix(node: FieldNode, new_value: str, title: str) -> Fix:
    """Replace everything after the key (colon included) with ``: new_value``."""
    return Fix(title, [TextEdit(Range(node.key_range.end, node.value_range.end), f": {new_value}")])


def quote_fix(node: FieldNode, what: str) -> tuple[str, Fix] | None:
    """A value YAML read as something other than text (`name: 2024`, `description: yes`): the words
    for the message and a fix that quotes what was typed; None when nothing was typed to quote."""
    if node.kind != "scalar" or not node.scalar_text or not node.scalar_text.strip():
        return None
    return (f" (YAML reads `{node.scalar_text}` as {type_name(node.value)}): quote it",
            replace_value_fix(node, yamltext.double_quoted(node.scalar_text), f"Quote the {what}"))


def shorten_fix(node: FieldNode, value: str, limit: int, what: str) -> Fix | None:
    """Cut at the last sentence (else word) end within ``limit``, whitespace collapsed (every client's count)."""
    text = " ".join(value.split())
    if len(text) > limit:
        head = text[: limit + 1]
        cut = max(head.rfind(". "), head.rfind("! "), head.rfind("? "))
        text = head[: cut + 1] if cut >= limit // 2 else head[: max(head.rfind(" "), 1)].rstrip(" ,;:-")
        text = text[:limit]
    if not text or text == value:
        return None
    return replace_value_fix(node, yamltext.scalar(text), f"Shorten the {what} to {len(text)} characters")


def lines_of(parsed: ParsedSkillMd, node: FieldNode) -> Range:
    """The whole lines a key and its value occupy (for deletions)."""
    first = node.key_range.start.line
    last = node.value_range.end.line
    if last + 1 < parsed.index.line_count:
        return Range(Position(first, 0), Position(last + 1, 0))
    return Range(Position(first, 0), Position(last, len(parsed.index.line_text(last))))
