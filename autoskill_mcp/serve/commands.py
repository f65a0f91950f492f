"""Commands a user types as a chat message, answered here without calling the upstream.

`/extract_now [hint]` queues the conversation so far for extraction at once (the hint says what
to learn from it) and answers with a short confirmation, shaped like the upstream's answer would
be: a `chat.completion`, or its stream of chunks when the request asked to stream.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass

EXTRACT_NOW = "/extract_now"


@dataclass(frozen=True)
class ExtractNow:
    """A `/extract_now` message: the hint after the command ('' for none)."""

    hint: str


def parse(text: str) -> ExtractNow | None:
    """The command in a user message's text, or None when the message is not one."""
    stripped = text.strip()
    if stripped != EXTRACT_NOW and not stripped.startswith(EXTRACT_NOW + " ") \
            and not stripped.startswith(EXTRACT_NOW + "\n"):
        return None
    return ExtractNow(hint=stripped[len(EXTRACT_NOW):].strip())


def completion(text: str, model: str) -> dict[str, object]:
    """A `chat.completion` object answering with `text`."""
    return {
        "id": f"chatcmpl-autoskill-{uuid.uuid4().hex[:16]}", "object": "chat.completion",
        "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def completion_stream(text: str, model: str) -> bytes:
    """The same answer as server-sent `chat.completion.chunk` events, ending with `data: [DONE]`."""
    ident, created = f"chatcmpl-autoskill-{uuid.uuid4().hex[:16]}", int(time.time())

    def chunk(delta: dict[str, str], finish: str | None) -> bytes:
        doc = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return b"data: " + json.dumps(doc).encode() + b"\n\n"

    return (chunk({"role": "assistant", "content": text}, None) + chunk({}, "stop") + b"data: [DONE]\n\n")
