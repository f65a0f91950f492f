"""Hover on a frontmatter key: what it is, its limits, which clients honour it.

Line based like completion, so it works while the YAML does not parse.
"""

from __future__ import annotations

import re

from lsprotocol import types

from ..skillmd.keys import KEY_DOCS, METADATA_KEYS
from ..skillmd.positions import Position, Range
from ..skillmd.profiles import PROFILES, SPEC_KEYS
from .base import AutoskillServer

_KEY = re.compile(r"^(\s*)([A-Za-z0-9_-]+)\s*:")


def hover(ls: AutoskillServer, params: types.HoverParams) -> types.Hover | None:
    """``textDocument/hover``."""
    snap = ls.snapshot(params.text_document.uri)
    if snap is None:
        return None
    pos = snap.positions.from_client(params.position)
    parsed = snap.parsed
    if not parsed.has_frontmatter or pos.line == 0:
        return None
    if parsed.close_line is not None and pos.line >= parsed.close_line:
        return None
    line = snap.positions.line(pos.line)
    m = _KEY.match(line)
    if not m or not m.start(2) <= pos.character <= m.end(2):
        return None
    key = m[2]
    if m[1]:
        parent = _parent(snap.positions.lines, pos.line)
        if parent != "metadata" or key not in METADATA_KEYS:
            return None
        text = f"**metadata.{key}**: {METADATA_KEYS[key]}"
    elif key in KEY_DOCS:
        text = KEY_DOCS[key].markdown()
        known = key in _profile_keys(snap.profile)
        if not known:
            text += f"\n\n*Not a `{snap.profile}` key:* move it under `metadata:` or switch the profile."
    else:
        return None
    rng = Range(Position(pos.line, m.start(2)), Position(pos.line, m.end(2)))
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                       range=snap.positions.range_to_client(rng))


def _parent(lines: list[str], line: int) -> str | None:
    for i in range(line - 1, 0, -1):
        text = lines[i]
        if text and not text[0].isspace():
            m = _KEY.match(text)
            return m[2] if m else None
    return None


def _profile_keys(profile: str) -> tuple[str, ...]:
    return PROFILES[profile].known_keys if profile in PROFILES else SPEC_KEYS
