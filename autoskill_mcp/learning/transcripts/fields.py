"""Raw field values into the normalized model's values: timestamps, clipped text, compact JSON.

Every agent stores the same few kinds of value in its own way (ISO strings, epoch seconds or
milliseconds, content as a string or a list of typed blocks); readers convert them here so the
rules (what counts as text, how much of a tool's output is kept) are the same for all formats.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

TOOL_TEXT_LIMIT = 4_000      # characters kept of a tool call's input or output
TEXT_LIMIT = 100_000         # characters kept of any other text (a pasted log in a prompt, a long reply)

_EPOCH_MS_FLOOR = 100_000_000_000     # 1973 in ms, 5138 in s: above it a number is milliseconds
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_TEXT_BLOCKS = {"text", "input_text", "output_text", "summary_text"}


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


#: a cut backs up this far, at most, to the start of the word it falls in
_CUT_BACK = 1024
_TOKEN_CHAR = re.compile(r"[A-Za-z0-9_\-.+/=~$%]")
_NOT_TOKEN_CHAR = re.compile(r"[^A-Za-z0-9_\-.+/=~$%]")


def clip(text: str, limit: int = TEXT_LIMIT) -> str:
    """Keep the head of an over-long text and say how much was cut.

    The cut falls between words: texts are clipped before they are redacted, and half a token
    (`ghp_` and 20 of its 36 characters) no longer looks like one, so it would be kept as text.
    """
    if len(text) <= limit:
        return text
    end = limit
    if _TOKEN_CHAR.match(text, end) and _TOKEN_CHAR.match(text, end - 1):
        head = text[max(0, limit - _CUT_BACK):limit]
        # back to the last space; in minified JSON, to the last character no token holds (`"`, `,`)
        boundary = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
        if boundary < 0:
            boundary = max((m.start() for m in _NOT_TOKEN_CHAR.finditer(head)), default=-1)
        if boundary >= 0:
            end = limit - len(head) + boundary + 1
    return f"{text[:end]}\n… [{len(text) - end} more characters cut]"


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def compact_json(value: Any) -> str:
    """A tool's arguments as compact JSON text (strings are kept as they are: often JSON already)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        return str(value)


def parse_ts(value: Any) -> datetime | None:
    """ISO-8601 text or epoch seconds / milliseconds as a datetime; None when unreadable.

    Epoch numbers and ISO strings with a zone give timezone-aware values; an ISO string without
    a zone stays naive because the format did not say which zone it meant.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text.isdigit():
            return parse_ts(int(text))
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if abs(value) >= _EPOCH_MS_FLOOR else value
        if not 315_532_800 <= seconds <= 7_258_118_400:      # 1980 .. 2200: anything else is not a time
            return None
        return datetime.fromtimestamp(seconds, tz=UTC)
    return None


def text_of(content: Any, *, sep: str = "\n") -> str:
    """The readable text of message content: a string, or the text parts of a list of blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return as_str(content.get("text")) or as_str(content.get("value"))
    parts: list[str] = []
    for block in as_list(content):
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and (as_str(block.get("type")) in _TEXT_BLOCKS or "type" not in block):
            text = as_str(block.get("text")) or as_str(block.get("value"))
            if text:
                parts.append(text)
    return sep.join(parts)
