"""In-memory inputs of the SDK: AutoSkill-style event lists and loaded OpenAI conversation data.

Transcript files go through `transcripts/`; these are the shapes callers pass as
Python objects (`ingest(events=...)`, `import_openai_conversations(data=...)`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..errors import InvalidInputError
from .session import Event, Kind, Role, Session, ToolUse

_ROLES = {"user": Role.USER, "human": Role.USER, "assistant": Role.ASSISTANT, "ai": Role.ASSISTANT,
          "model": Role.ASSISTANT, "tool": Role.TOOL, "function": Role.TOOL, "system": Role.SYSTEM,
          "developer": Role.SYSTEM}
#: wrapper keys under which exports keep their list of conversations
_WRAPPERS = ("conversations", "data", "items", "records", "sessions", "chats")
MAX_TEXT = 8000


def session_from_events(events: list[Any], *, agent: str = "sdk", session_id: str = "events") -> Session:
    """A Session from an agent trajectory: role/content dicts, and tool events kept as context."""
    session = Session(session_id, agent)
    for i, raw in enumerate(events):
        if not isinstance(raw, dict):
            session.skipped["non-dict event"] = session.skipped.get("non-dict event", 0) + 1
            continue
        role = _ROLES.get(str(raw.get("role") or "").lower())
        kind_name = str(raw.get("type") or raw.get("kind") or raw.get("event") or "").lower()
        text = _text(raw.get("content", raw.get("text", raw.get("message", ""))))
        uid = str(raw.get("id") or f"E{i}")
        if role is Role.USER:
            session.events.append(Event(Role.USER, Kind.PROMPT, text, uid=uid))
        elif role is Role.ASSISTANT and text:
            session.events.append(Event(Role.ASSISTANT, Kind.REPLY, text, uid=uid))
        elif "tool" in kind_name or "call" in kind_name or "name" in raw or role is Role.TOOL:
            name = str(raw.get("name") or raw.get("tool") or kind_name or "tool")
            args = raw.get("input", raw.get("arguments", raw.get("args")))
            output = raw.get("output", raw.get("result"))
            tool = ToolUse(name, _json(args), output=None if output is None else _text(output)[:MAX_TEXT],
                           is_error=bool(raw.get("is_error") or raw.get("error")))
            session.events.append(Event(Role.ASSISTANT, Kind.TOOL_CALL, text, uid=uid, tool=tool))
        else:
            session.skipped[kind_name or "unknown"] = session.skipped.get(kind_name or "unknown", 0) + 1
    return session


def conversations_in(data: Any) -> Iterator[list[dict[str, Any]]]:
    """Each conversation's messages in loaded OpenAI-style data, whatever the wrapper.

    Accepts {"messages": [...]}, a list of those, one bare list of messages, request
    logs ({"body": {"messages"}, "response": {"choices": [{"message"}]}}), and lists
    under the usual wrapper keys.
    """
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"conversation data is not JSON: {exc}") from exc
    if isinstance(data, dict):
        if isinstance(data.get("messages"), list):
            yield list(data["messages"])
            return
        body = data.get("body") if isinstance(data.get("body"), dict) else data.get("request")
        if isinstance(body, dict) and isinstance(body.get("messages"), list):
            messages = list(body["messages"])
            reply = _response_message(data.get("response"))
            yield messages + ([reply] if reply else [])
            return
        for key in _WRAPPERS:
            if isinstance(data.get(key), list):
                yield from conversations_in(data[key])
                return
        raise InvalidInputError("no conversation found: expected 'messages', a request log or a list of conversations")
    if isinstance(data, list):
        if data and all(isinstance(m, dict) and "role" in m for m in data):
            yield list(data)
            return
        for item in data:
            yield from conversations_in(item)
        return
    raise InvalidInputError(f"conversation data must be JSON objects or lists, not {type(data).__name__}")


def _response_message(response: Any) -> dict[str, Any] | None:
    if isinstance(response, dict):
        choices = response.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            message = choices[0].get("message")
            return message if isinstance(message, dict) else None
    return None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, list):
        parts = [p.get("text", "") if isinstance(p, dict) else str(p) for p in value]
        return "\n".join(x for x in parts if x)[:MAX_TEXT]
    return "" if value is None else _json(value)[:MAX_TEXT]


def _json(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:MAX_TEXT]
    try:
        return json.dumps(value, ensure_ascii=False)[:MAX_TEXT]
    except (TypeError, ValueError):
        return str(value)[:MAX_TEXT]
