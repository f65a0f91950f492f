"""OpenAI chat messages (`{"messages": […]}`, JSONL of those, bare lists) and ChatGPT exports.

`role: user` is the user's words; `system`/`developer` messages are
kept as META; assistant `tool_calls` (arguments are a JSON string) pair with `role: tool`
results through `tool_call_id` (legacy `function_call` / `role: function` too). ShareGPT's
`{"conversations": [{from, value}]}` is read the same way.

ChatGPT's data export (`conversations.json`) stores each conversation as a tree (`mapping`);
the conversation shown to the user is the path from `current_node` back to the root. A user
message on that path whose parent also has another user child was edited and resent: it is a
CORRECTION "rewind".
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from autoskill_mcp.learning.session import Kind, Role, Session, skip
from autoskill_mcp.learning.transcripts.builder import SessionBuilder, tool_use
from autoskill_mcp.learning.transcripts.fields import as_dict, as_list, as_str, parse_ts, text_of
from autoskill_mcp.learning.transcripts.source import ReadOptions, TranscriptError, iter_jsonl, load_json, record_guard

AGENT = "openai-chat"
CHATGPT = "chatgpt"
_SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                   "system": "system", "tool": "tool", "function": "tool"}


def session_from_messages(messages: list[Any], *, agent: str = AGENT, session_id: str | None = None) -> Session:
    """A Session from an in-memory list of chat messages (content as a string or a list of parts).

    Without a session_id the id is a digest of the messages, so the same list gives the same id.
    """
    if not isinstance(messages, list):
        raise TranscriptError(f"messages must be a list of chat messages, not {type(messages).__name__}")
    if session_id is None:
        digest = hashlib.sha256(json.dumps(messages, sort_keys=True, default=str).encode()).hexdigest()
        session_id = f"chat-{digest[:16]}"
    session = Session(session_id=session_id, agent=agent)
    b = SessionBuilder(session, "memory")
    _messages(b, messages, "M")
    return b.finish()


def read(path: Path, opts: ReadOptions) -> list[Session]:
    """Conversations in a .json document (one, or a list of them) or a .jsonl file (one per line)."""
    if opts.doc is not None or path.suffix == ".json":
        doc = opts.doc if opts.doc is not None else load_json(path, opts.max_bytes)
        return _document(doc, path)
    sessions: list[Session] = []
    loose_messages: list[Any] = []                  # a JSONL of single messages is one conversation
    holder = Session(session_id=path.stem, agent=AGENT, path=str(path))
    for line, rec in iter_jsonl(path, holder, opts.max_bytes):
        with record_guard(holder, f"line {line}"):
            conversation = _conversation_messages(rec)
            if conversation is not None:
                sessions.append(_session(conversation, f"{path.stem}:L{line}", path, f"L{line}.M", rec))
            elif "role" in rec:
                loose_messages.append(rec)
            else:
                skip(holder, "unknown_line")
    if loose_messages:
        sessions.insert(0, _session(loose_messages, path.stem, path, "M", {}))
    if not sessions:
        detail = f" ({holder.warnings[0]})" if holder.warnings else ""
        raise TranscriptError(f"{path}: no chat conversations in it{detail}")
    sessions[0].warnings[:0] = holder.warnings
    for what, n in holder.skipped.items():
        sessions[0].skipped[what] = sessions[0].skipped.get(what, 0) + n
    return sessions


def _document(doc: Any, path: Path) -> list[Session]:
    if isinstance(doc, dict) and "mapping" in doc:
        return [_chatgpt(doc, path, 0)]
    if isinstance(doc, dict):
        messages = _conversation_messages(doc)
        if messages is None:
            raise TranscriptError(f"{path}: no `messages` list in this JSON document")
        return [_session(messages, path.stem, path, "M", doc)]
    items = as_list(doc)
    if items and all(isinstance(x, dict) and "mapping" in x for x in items):
        return [_chatgpt(x, path, n) for n, x in enumerate(items)]
    if items and all(isinstance(x, dict) and _conversation_messages(x) is not None for x in items):
        return [_session(_conversation_messages(x) or [], f"{path.stem}:{n}", path, f"C{n}.M", x)
                for n, x in enumerate(items)]
    return [_session(items, path.stem, path, "M", {})]


def _conversation_messages(rec: dict[str, Any]) -> list[Any] | None:
    if isinstance(rec.get("messages"), list):
        return rec["messages"]
    if isinstance(rec.get("conversations"), list):         # ShareGPT
        return [{"role": _SHAREGPT_ROLES.get(as_str(as_dict(m).get("from")), "user"),
                 "content": as_dict(m).get("value")}
                for m in rec["conversations"]]
    return None


def _session(messages: list[Any], sid: str, path: Path, prefix: str, rec: dict[str, Any]) -> Session:
    session = Session(session_id=as_str(rec.get("id")) or sid, agent=AGENT, path=str(path),
                      title=as_str(rec.get("title")) or None)
    b = SessionBuilder(session, str(path))
    _messages(b, messages, prefix)
    return b.finish()


def _messages(b: SessionBuilder, messages: list[Any], prefix: str) -> None:
    calls: dict[str, tuple[str, str]] = {}
    for n, raw in enumerate(messages):
        m = as_dict(raw)
        with record_guard(b.session, f"{prefix}{n}"):
            _message(b, m, f"{prefix}{n}", calls)


def _message(b: SessionBuilder, m: dict[str, Any], uid: str, calls: dict[str, tuple[str, str]]) -> None:
    role = as_str(m.get("role"))
    text = text_of(m.get("content")).strip()
    if role == "user":
        if text:
            b.add(Role.USER, Kind.PROMPT, text, uid=uid)
    elif role in ("system", "developer"):
        if text:
            b.add(Role.SYSTEM, Kind.META, text, uid=uid)
    elif role == "assistant":
        reasoning = as_str(m.get("reasoning_content")) or as_str(m.get("reasoning"))
        if reasoning.strip():
            b.add(Role.ASSISTANT, Kind.THINKING, reasoning, uid=f"{uid}/reasoning")
        if text:
            b.add(Role.ASSISTANT, Kind.REPLY, text, uid=uid)
        legacy = [{"function": m["function_call"]}] if m.get("function_call") else []
        requested = as_list(m.get("tool_calls")) or legacy
        for k, raw in enumerate(requested):
            call = as_dict(raw)
            function = as_dict(call.get("function"))
            name = as_str(function.get("name"))
            call_id = as_str(call.get("id")) or name
            use = tool_use(name, function.get("arguments"), call_id)
            calls[call_id] = (use.name, use.input)
            b.add(Role.ASSISTANT, Kind.TOOL_CALL, uid=f"{uid}/call{k}", tool=use)
    elif role in ("tool", "function"):
        call_id = as_str(m.get("tool_call_id")) or as_str(m.get("name"))
        name, args = calls.get(call_id, (as_str(m.get("name")) or "unknown", ""))
        b.add(Role.TOOL, Kind.TOOL_RESULT, uid=uid, tool=tool_use(name, args, call_id, text))
    else:
        skip(b.session, f"role.{role or 'none'}")


def _chatgpt(conversation: dict[str, Any], path: Path, n: int) -> Session:
    """One ChatGPT export conversation, on the branch the user last saw."""
    mapping = as_dict(conversation.get("mapping"))
    sid = as_str(conversation.get("conversation_id")) or as_str(conversation.get("id")) or f"{path.stem}:{n}"
    session = Session(session_id=sid, agent=CHATGPT, path=str(path), title=as_str(conversation.get("title")) or None,
                      started_at=parse_ts(conversation.get("create_time")),
                      ended_at=parse_ts(conversation.get("update_time")))
    b = SessionBuilder(session, f"{path}#{sid}")
    node_id = as_str(conversation.get("current_node"))
    if node_id not in mapping:                      # no pointer: the last node that has no children
        node_id = next((k for k in reversed(mapping) if not as_list(as_dict(mapping[k]).get("children"))), "")
    path_ids: list[str] = []
    seen: set[str] = set()
    while node_id and node_id in mapping and node_id not in seen:
        seen.add(node_id)
        path_ids.append(node_id)
        node_id = as_str(as_dict(mapping[node_id]).get("parent"))
    if len(mapping) > len(seen):
        skip(session, "abandoned_branch", len(mapping) - len(seen))
    calls: dict[str, tuple[str, str]] = {}
    for node_id in reversed(path_ids):
        node = as_dict(mapping[node_id])
        with record_guard(session, f"node {node_id}"):
            _chatgpt_node(b, mapping, node_id, node, calls)
    return b.finish()


def _chatgpt_node(b: SessionBuilder, mapping: dict[str, Any], node_id: str, node: dict[str, Any],
                  calls: dict[str, tuple[str, str]]) -> None:
    message = as_dict(node.get("message"))
    if not message:
        return
    role = as_str(as_dict(message.get("author")).get("role"))
    content = as_dict(message.get("content"))
    ctype = as_str(content.get("content_type"))
    ts = parse_ts(message.get("create_time"))
    text = "\n".join(p for p in (x if isinstance(x, str) else as_str(as_dict(x).get("text"))
                                 for x in as_list(content.get("parts"))) if p).strip()
    text = text or as_str(content.get("text")).strip()
    hidden = as_dict(message.get("metadata")).get("is_visually_hidden_from_conversation") is True
    if hidden or not text and ctype != "thoughts":
        skip(b.session, f"{role or 'node'}.{'hidden' if hidden else 'empty'}")
        return
    if role == "user":
        siblings = as_list(as_dict(mapping.get(as_str(node.get("parent")))).get("children"))
        edited = any(s != node_id and _author_role(mapping.get(s)) == "user" for s in siblings)
        if edited:
            b.add(Role.USER, Kind.CORRECTION, text, uid=node_id, ts=ts, correction="rewind")
        else:
            b.add(Role.USER, Kind.PROMPT, text, uid=node_id, ts=ts)
    elif role == "assistant" and ctype == "thoughts":
        thoughts = "\n".join(as_str(as_dict(t).get("content")) for t in as_list(content.get("thoughts"))).strip()
        if thoughts:
            b.add(Role.ASSISTANT, Kind.THINKING, thoughts, uid=node_id, ts=ts)
    elif role == "assistant" and as_str(message.get("recipient")) not in ("", "all"):
        name = as_str(message.get("recipient"))
        calls[name] = (name, text)
        b.add(Role.ASSISTANT, Kind.TOOL_CALL, uid=node_id, ts=ts, tool=tool_use(name, text, node_id))
    elif role == "assistant":
        b.add(Role.ASSISTANT, Kind.REPLY, text, uid=node_id, ts=ts)
    elif role == "tool":
        name = as_str(as_dict(message.get("author")).get("name")) or "tool"
        _, args = calls.get(name, (name, ""))
        b.add(Role.TOOL, Kind.TOOL_RESULT, uid=node_id, ts=ts, tool=tool_use(name, args, None, text))
    elif role == "system":
        b.add(Role.SYSTEM, Kind.META, text, uid=node_id, ts=ts)
    else:
        skip(b.session, f"role.{role or 'none'}")


def _author_role(node: Any) -> str:
    """The role of a ChatGPT export node's author ("" when any level is missing)."""
    return as_str(as_dict(as_dict(as_dict(node).get("message")).get("author")).get("role"))
