"""Positions between the core (code points, LSP line breaks) and the client's negotiated encoding.

The core counts characters as Python string indices; a client counts UTF-16 code
units (the LSP default) or UTF-8 bytes when it offered them. Lines are split the
way the core splits them (``\\n``, ``\\r\\n``, ``\\r``), so ranges never drift on
text that ``str.splitlines`` would cut elsewhere (form feeds, U+2028).
"""

from __future__ import annotations

from lsprotocol import types

from ..skillmd.positions import Position, Range, TextEdit, split_lines

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def _units(text: str, encoding: str) -> int:
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", errors="surrogatepass"))
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


class PositionMap:
    """Converts positions for one version of one document's text."""

    def __init__(self, text: str, encoding: str | None) -> None:
        self.lines = split_lines(text)
        value = getattr(encoding, "value", encoding) or UTF16
        self.encoding = value if value in (UTF8, UTF16, UTF32) else UTF16

    def line(self, n: int) -> str:
        return self.lines[n] if 0 <= n < len(self.lines) else ""

    def to_client(self, pos: Position) -> types.Position:
        """A core position (code points) as the client counts it."""
        if pos.line >= len(self.lines):
            return types.Position(line=len(self.lines) - 1, character=_units(self.lines[-1], self.encoding))
        line = self.lines[pos.line]
        return types.Position(line=pos.line, character=_units(line[: max(0, pos.character)], self.encoding))

    def range_to_client(self, rng: Range) -> types.Range:
        return types.Range(start=self.to_client(rng.start), end=self.to_client(rng.end))

    def from_client(self, pos: types.Position) -> Position:
        """A client position as a core position (clamped to the line; never splits a character)."""
        line = self.line(pos.line)
        if self.encoding == UTF32 or line.isascii():
            return Position(pos.line, min(pos.character, len(line)))
        units = 0
        for i, ch in enumerate(line):
            if units >= pos.character:
                return Position(pos.line, i)
            units += _units(ch, self.encoding)
        return Position(pos.line, len(line))

    def range_from_client(self, rng: types.Range) -> Range:
        return Range(self.from_client(rng.start), self.from_client(rng.end))

    def edit_to_client(self, edit: TextEdit) -> types.TextEdit:
        return types.TextEdit(range=self.range_to_client(edit.range), new_text=edit.new_text)


def range_from_dict(data: dict[str, dict[str, int]]) -> Range:
    """A core range from its ``to_dict`` form (as carried in a diagnostic's data)."""
    start, end = data["start"], data["end"]
    return Range(
        Position(int(start["line"]), int(start["character"])), Position(int(end["line"]), int(end["character"]))
    )
