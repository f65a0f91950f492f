"""The assistant's answer read back from what the upstream sent, for the conversation that gets queued.

The bytes go to the client unchanged; this only reads a copy: a chat completion's first choice,
or the `delta.content` pieces of a streamed one (server-sent events, `data: {...}` lines, ending
with `data: [DONE]`). A copy over `MAX_ANSWER_BYTES` is not kept (nothing is queued from it).
"""

from __future__ import annotations

import json
from typing import Any

#: a streamed answer larger than this is not kept for extraction
MAX_ANSWER_BYTES = 4 * 1024 * 1024


def from_completion(body: bytes) -> str | None:
    """The first choice's message text of a `chat.completion` body, or None when it is not one."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return _message_text(doc, "message")


def _message_text(doc: Any, key: str) -> str | None:
    if not isinstance(doc, dict) or not isinstance(doc.get("choices"), list) or not doc["choices"]:
        return None
    choice = doc["choices"][0]
    part = choice.get(key) if isinstance(choice, dict) else None
    content = part.get("content") if isinstance(part, dict) else None
    return content if isinstance(content, str) else None


class StreamedAnswer:
    """Collects a streamed completion's text as its bytes go by (feed every chunk, then read `text`)."""

    def __init__(self) -> None:
        self._buffer = b""
        self._size = 0
        self.pieces: list[str] = []
        self.complete = False
        self.too_large = False

    def feed(self, chunk: bytes) -> None:
        """Read the complete lines in `chunk` (with what was left of the previous one)."""
        self._size += len(chunk)
        if self._size > MAX_ANSWER_BYTES:
            self.too_large, self._buffer = True, b""
            return
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            self._line(line.strip())

    def _line(self, line: bytes) -> None:
        if not line.startswith(b"data:"):
            return
        data = line[5:].strip()
        if data == b"[DONE]":
            self.complete = True
            return
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            return
        piece = _message_text(doc, "delta")
        if piece:
            self.pieces.append(piece)

    @property
    def text(self) -> str | None:
        """The answer's text; None when it was too large or the stream did not finish."""
        if self.too_large or not self.complete:
            return None
        return "".join(self.pieces)
