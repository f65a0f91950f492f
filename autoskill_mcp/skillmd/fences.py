"""Fenced code blocks in a Markdown body: what is inside one is neither a heading nor a link.

CommonMark's rule: a fence is 3+ backticks or tildes indented at most 3 spaces; it is
closed by a fence of the same character, at least as long, with nothing after it.
"""

from __future__ import annotations

import re

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def step(fence: str | None, line: str) -> tuple[str | None, bool]:
    """(the fence open after `line`, whether `line` itself opens or closes one), given the fence open before it."""
    m = FENCE.match(line)
    if m is None:
        return fence, False
    marker = m[1]
    if fence is None:
        return marker, True
    if marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker):].strip():
        return None, True
    return fence, False
