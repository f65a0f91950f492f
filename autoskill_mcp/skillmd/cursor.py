"""What the cursor is on in a SKILL.md that may be half typed: a key, a value, a metadata key, a link path.

Line based on purpose: while someone types, the frontmatter is invalid YAML most
of the time, and completion must still work. Characters are code points.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import fences
from .positions import split_lines

_DELIMITER = re.compile(r"^---[ \t]*$")
_KEY_LINE = re.compile(r"^([A-Za-z0-9_-]*)\s*:")
_LINK_OPEN = re.compile(r"\]\(\s*<?([^)\s>]*)$")
_CODE_PATH_OPEN = re.compile(r"(?<!`)`((?:scripts|references|assets)/[^`\s]*)$")


@dataclass(frozen=True)
class CursorContext:
    """``kind``: "key", "value", "metadata-key", "list-item", "link" or "none".

    ``key`` names the key whose value is being written ("value", "list-item");
    ``prefix`` is the text already typed, which a completion replaces between
    ``start`` and ``end`` on ``line``; ``present`` are the keys already written at that level.
    """

    kind: str
    line: int
    start: int = 0
    end: int = 0
    prefix: str = ""
    key: str = ""
    present: frozenset[str] = field(default_factory=frozenset)
    # For key contexts: the line already has `:` after the key, so a completion inserts the key alone.
    has_colon: bool = False


def context_at(text: str, line: int, character: int) -> CursorContext:
    """The completion context at a position (code points)."""
    lines = split_lines(text)
    if not 0 <= line < len(lines):
        return CursorContext("none", line)
    current = lines[line]
    character = max(0, min(character, len(current)))
    start_line = 1 if lines and _DELIMITER.match(lines[0].lstrip("\ufeff")) else None
    close = None
    if start_line is not None:
        close = next((i for i in range(1, len(lines)) if _DELIMITER.match(lines[i])), None)
    in_frontmatter = start_line is not None and line >= start_line and (close is None or line < close)
    if in_frontmatter:
        end_line = close if close is not None else len(lines)
        return _frontmatter_context(lines, start_line or 1, end_line, line, character)
    if start_line is not None and close is None:
        return CursorContext("none", line)
    return _body_context(lines, close, line, character)


def _frontmatter_context(lines: list[str], first: int, end: int, line: int, character: int) -> CursorContext:
    current = lines[line]
    before = current[:character]
    indent = len(current) - len(current.lstrip(" "))
    if indent == 0:
        present = frozenset(_top_keys(lines, first, end, skip=line))
        if ":" not in before:
            if before.startswith("#"):
                return CursorContext("none", line)
            colon = current.find(":")
            key_end = colon if colon >= 0 else len(current.rstrip())
            return CursorContext("key", line, 0, max(key_end, character), before.strip(), present=present,
                                 has_colon=colon >= 0)
        key = before.split(":", 1)[0].strip()
        value_start = before.index(":") + 1
        while value_start < len(current) and current[value_start] in " \t":
            value_start += 1
        if character < value_start:
            return CursorContext("none", line)
        typed = current[value_start:character]
        if key == "allowed-tools" or key == "disallowed-tools":
            # Space-separated tools: complete the last word only.
            word_start = value_start + max(typed.rfind(" ") + 1, typed.rfind(",") + 1)
            return CursorContext(
                "value", line, word_start, _word_end(current, character), current[word_start:character], key
            )
        quoted = typed[:1] in ("'", '"')
        start = value_start + (1 if quoted else 0)
        end = len(current.rstrip())
        if quoted and end > start and current[end - 1] == typed[:1]:
            end -= 1
        return CursorContext("value", line, start, max(end, character), current[start:character], key)
    parent = _parent_key(lines, first, line)
    stripped = current.lstrip(" ")
    if parent in ("allowed-tools", "disallowed-tools") and stripped.startswith("-"):
        item_start = indent + 1
        while item_start < len(current) and current[item_start] == " ":
            item_start += 1
        if character < item_start:
            return CursorContext("none", line)
        return CursorContext("list-item", line, item_start, max(len(current.rstrip()), character),
                             current[item_start:character], parent)
    if parent == "metadata" and ":" not in current[:character]:
        present = frozenset(_child_keys(lines, first, end, line))
        colon = current.find(":")
        key_end = colon if colon >= 0 else len(current.rstrip())
        return CursorContext("metadata-key", line, indent, max(key_end, character), current[indent:character],
                             "metadata", present, colon >= 0)
    return CursorContext("none", line)


def _word_end(current: str, character: int) -> int:
    end = character
    while end < len(current) and current[end] not in " ,":
        end += 1
    return end


def _top_keys(lines: list[str], first: int, end: int, *, skip: int) -> list[str]:
    out = []
    for i in range(first, end):
        if i == skip:
            continue
        m = _KEY_LINE.match(lines[i])
        if m and m[1]:
            out.append(m[1])
    return out


def _parent_key(lines: list[str], first: int, line: int) -> str | None:
    for i in range(line - 1, first - 1, -1):
        text = lines[i]
        if text and not text[0].isspace() and not text.startswith("#"):
            m = _KEY_LINE.match(text)
            return m[1] if m else None
    return None


def _child_keys(lines: list[str], first: int, end: int, line: int) -> list[str]:
    """Keys already written in the block around ``line`` (siblings under the same parent)."""
    out = []
    i = line - 1
    while i >= first and lines[i][:1].isspace():
        i -= 1
    j = i + 1
    while j < end and (lines[j][:1].isspace() or not lines[j]):
        if j != line:
            m = _KEY_LINE.match(lines[j].strip())
            if m and m[1]:
                out.append(m[1])
        j += 1
    return out


def _body_context(lines: list[str], close: int | None, line: int, character: int) -> CursorContext:
    first = (close + 1) if close is not None else 0
    fence: str | None = None
    for i in range(first, line):
        fence, _ = fences.step(fence, lines[i])
    if fence is not None:
        return CursorContext("none", line)
    current = lines[line]
    before = current[:character]
    m = _LINK_OPEN.search(before)
    stops = ")> \t#"
    if not m:
        # `scripts/run.py` in inline code: agents read these paths too, so complete them like links.
        m = _CODE_PATH_OPEN.search(before)
        stops = "` \t"
    if not m:
        return CursorContext("none", line)
    start = m.start(1)
    end = character
    while end < len(current) and current[end] not in stops:
        end += 1
    return CursorContext("link", line, start, end, m[1])
