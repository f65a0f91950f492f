"""LSP-style positions, ranges and text edits over a SKILL.md text.

Lines are split on ``\\n``, ``\\r\\n`` and ``\\r`` only (the LSP line breaks, not
``str.splitlines``' longer list). ``character`` counts Python ``str`` indices,
i.e. Unicode code points of the text as given to :func:`parse`; an LSP adapter
that negotiated UTF-16 converts with its own position codec.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, order=True)
class Position:
    """A 0-based line and character, ordered as in the text."""

    line: int
    character: int

    def to_dict(self) -> dict[str, int]:
        return {"line": self.line, "character": self.character}


@dataclass(frozen=True)
class Range:
    """A half-open span [start, end) between two positions."""

    start: Position
    end: Position

    @classmethod
    def of(cls, start_line: int, start_char: int, end_line: int, end_char: int) -> Range:
        """Shorthand used by callers that think in four numbers."""
        return cls(Position(start_line, start_char), Position(end_line, end_char))

    @classmethod
    def point(cls, line: int, character: int) -> Range:
        """An empty range, where an insertion goes."""
        return cls(Position(line, character), Position(line, character))

    def contains(self, pos: Position) -> bool:
        return self.start <= pos <= self.end

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start.to_dict(), "end": self.end.to_dict()}


@dataclass(frozen=True)
class TextEdit:
    """Replace ``range`` with ``new_text``: the unit of every quick fix."""

    range: Range
    new_text: str

    def to_dict(self) -> dict[str, Any]:
        return {"range": self.range.to_dict(), "newText": self.new_text}


class LineIndex:
    """Maps between absolute string offsets and (line, character) positions."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        starts.extend(m.end() for m in _LINE_BREAK.finditer(text))
        self.line_starts: list[int] = starts

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def position(self, offset: int) -> Position:
        """The position of a string offset (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.line_starts, offset) - 1
        # An offset inside a "\r\n" pair belongs to the end of the line before it.
        return Position(line, offset - self.line_starts[line])

    def offset(self, pos: Position) -> int:
        """The string offset of a position (clamped to the line's end)."""
        if pos.line < 0:
            return 0
        if pos.line >= len(self.line_starts):
            return len(self.text)
        start = self.line_starts[pos.line]
        return min(start + max(pos.character, 0), self.line_end(pos.line))

    def line_end(self, line: int) -> int:
        """Offset just before the line break that ends ``line``."""
        if line + 1 < len(self.line_starts):
            end = self.line_starts[line + 1] - 1
            if end > 0 and self.text[end] == "\n" and self.text[end - 1] == "\r":
                end -= 1
            return end
        return len(self.text)

    def line_text(self, line: int) -> str:
        """The text of one line without its line break."""
        if not 0 <= line < len(self.line_starts):
            return ""
        return self.text[self.line_starts[line] : self.line_end(line)]

    def range(self, start: int, end: int) -> Range:
        return Range(self.position(start), self.position(end))

    def line_range(self, line: int) -> Range:
        """The whole of one line, without its break."""
        return Range(Position(line, 0), Position(line, len(self.line_text(line))))


def split_lines(text: str) -> list[str]:
    """Lines split on LSP line breaks only (a trailing break yields a last empty line)."""
    return _LINE_BREAK.split(text)


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping edits, as an editor would, and return the new text."""
    index = LineIndex(text)
    spans = sorted(
        ((index.offset(e.range.start), index.offset(e.range.end), e.new_text) for e in edits),
        key=lambda s: (s[0], s[1]),
    )
    out: list[str] = []
    cursor = 0
    for start, end, new_text in spans:
        if start < cursor:
            raise ValueError("overlapping text edits")
        out.append(text[cursor:start])
        out.append(new_text)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)
