"""Gemini CLI chat recordings (`~/.gemini/tmp/<project>/chats/session-*.json` / `.jsonl`).

The legacy file is one JSON document; from 0.40 the file is an
append-only log replayed the way gemini-cli's ChatRecordingService reads it: a line with an `id`
upserts that message (last write wins, first position kept), `{"$set": …}` merges metadata (a
non-empty `messages` array there replaces the conversation, as in the writer), and
`{"$rewindTo": id}` deletes that message and everything after it. The first user message written
after a rewind is the rephrased request: a CORRECTION "rewind".

Tool calls and their results live inside the `gemini` message; a call the user cancelled is a
CORRECTION "rejected_tool", and the "Request cancelled." notice (Esc) a CORRECTION "interrupt".
Also read: `/chat save` checkpoints (`[{role, parts}]` or `{history: […]}`). Sub-agent recordings
under `chats/<parentSessionId>/` are returned with the main session, linked by parent id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autoskill_mcp.learning.session import Kind, Role, Session, skip
from autoskill_mcp.learning.transcripts.builder import SessionBuilder, tool_use
from autoskill_mcp.learning.transcripts.fields import as_dict, as_list, as_str, compact_json, parse_ts, text_of
from autoskill_mcp.learning.transcripts.source import ReadOptions, TranscriptError, iter_jsonl, load_json, record_guard

AGENT = "gemini"
CANCELLED_NOTICE = "Request cancelled."
NOTICE_TYPES = {"info", "error", "warning"}


def read(path: Path, opts: ReadOptions) -> list[Session]:
    """The recording in `path`, and its sub-agent recordings when it is a main session."""
    main = _read_one(path, opts)
    sessions = [main]
    folder = path.parent / main.session_id
    if path.name.startswith("session-") and folder.is_dir():
        for sub in sorted(folder.glob("*.jsonl")):
            try:
                child = _read_one(sub, ReadOptions(max_bytes=opts.max_bytes))
            except TranscriptError as exc:
                main.warnings.append(f"sub-agent {sub.name}: {exc}")
                continue
            child.parent_session_id = child.parent_session_id or main.session_id
            sessions.append(child)
    return sessions


def _read_one(path: Path, opts: ReadOptions) -> Session:
    session = Session(session_id=path.stem, agent=AGENT, path=str(path))
    if opts.doc is not None or path.suffix == ".json":
        doc = opts.doc if opts.doc is not None else load_json(path, opts.max_bytes)
        meta, messages, rewound = _document(doc)
    else:
        meta, messages, rewound = _replay(path, session, opts.max_bytes)
    session.session_id = as_str(meta.get("sessionId")) or session.session_id
    session.title = as_str(meta.get("summary")) or None
    session.started_at = parse_ts(meta.get("startTime") or meta.get("start_time"))
    session.ended_at = parse_ts(meta.get("lastUpdated"))
    subagent = meta.get("kind") == "subagent"
    if subagent and not path.name.startswith("session-"):
        session.parent_session_id = path.parent.name
    builder = SessionBuilder(session, str(path), sidechain=subagent)
    for n, message in enumerate(messages, 1):
        with record_guard(session, f"message {n}"):
            _message(builder, as_dict(message), n, rewound)
    return builder.finish()


def _document(doc: Any) -> tuple[dict[str, Any], list[Any], set[str]]:
    """Metadata and messages of a legacy recording or a checkpoint."""
    if isinstance(doc, list):                                   # bare checkpoint: Content[]
        return {}, doc, set()
    meta = as_dict(doc)
    listed = meta.get("messages")
    messages = listed if isinstance(listed, list) else as_list(meta.get("history"))
    return meta, messages, set()


def _replay(path: Path, session: Session, max_bytes: int) -> tuple[dict[str, Any], list[Any], set[str]]:
    meta: dict[str, Any] = {}
    messages: dict[str, dict[str, Any]] = {}
    rewound: set[str] = set()
    after_rewind = False
    for line, rec in iter_jsonl(path, session, max_bytes):
        with record_guard(session, f"line {line}"):
            if isinstance(rec.get("$rewindTo"), str):
                ids = list(messages)
                target = rec["$rewindTo"]
                for mid in ids[ids.index(target):] if target in messages else ids:
                    del messages[mid]
                after_rewind = True
            elif isinstance(rec.get("id"), str):
                mid = rec["id"]
                if after_rewind and rec.get("type") == "user" and mid not in messages:
                    rewound.add(mid)
                    after_rewind = False
                messages[mid] = rec
            elif isinstance(rec.get("$set"), dict):
                meta.update(rec["$set"])
            elif "sessionId" in rec:
                meta.update(rec)
            else:
                skip(session, "unknown_line")
    replaced = as_list(meta.get("messages"))
    if replaced:
        skip(session, "replaced_by_$set", max(len(messages) - len(replaced), 0))
        return meta, replaced, rewound
    return meta, list(messages.values()), rewound


def _message(b: SessionBuilder, m: dict[str, Any], n: int, rewound: set[str]) -> None:
    mid = as_str(m.get("id")) or f"M{n}"
    ts = parse_ts(m.get("timestamp") or m.get("ts"))
    kind = as_str(m.get("type")) or as_str(m.get("role"))
    if kind == "user":
        _user(b, m, mid, ts, rewound)
    elif kind in ("gemini", "model"):
        _model(b, m, mid, ts)
    elif kind == "info" and text_of(m.get("content")).strip() == CANCELLED_NOTICE:
        b.add(Role.USER, Kind.CORRECTION, "", uid=mid, ts=ts, correction="interrupt")
    else:
        skip(b.session, f"message.{kind or 'untyped'}")


def _user(b: SessionBuilder, m: dict[str, Any], mid: str, ts: Any, rewound: set[str]) -> None:
    content = m.get("displayContent") or m.get("content") or m.get("parts")
    for n, part in enumerate(as_list(m.get("parts") or m.get("content"))):
        response = as_dict(as_dict(part).get("functionResponse"))
        if response:                                           # checkpoints carry tool results as user parts
            b.add(Role.TOOL, Kind.TOOL_RESULT, uid=f"{mid}/r{n}", ts=ts,
                  tool=tool_use(as_str(response.get("name")), None, as_str(response.get("id")),
                                _response_text(response)))
    text = _parts_text(content).strip()
    if not text:
        return
    if mid in rewound:
        b.add(Role.USER, Kind.CORRECTION, text, uid=mid, ts=ts, correction="rewind")
    else:
        b.add(Role.USER, Kind.PROMPT, text, uid=mid, ts=ts)


def _model(b: SessionBuilder, m: dict[str, Any], mid: str, ts: Any) -> None:
    for n, thought in enumerate(as_list(m.get("thoughts"))):
        t = as_dict(thought)
        text = ": ".join(x for x in (as_str(t.get("subject")), as_str(t.get("description"))) if x)
        if text:
            b.add(Role.ASSISTANT, Kind.THINKING, text, uid=f"{mid}/t{n}", ts=parse_ts(t.get("timestamp")) or ts)
    text = _parts_text(m.get("content") if "content" in m else m.get("parts")).strip()
    if text:
        b.add(Role.ASSISTANT, Kind.REPLY, text, uid=mid, ts=ts)
    for n, part in enumerate(as_list(m.get("parts"))):
        call = as_dict(as_dict(part).get("functionCall"))
        if call:
            b.add(Role.ASSISTANT, Kind.TOOL_CALL, uid=f"{mid}/c{n}", ts=ts,
                  tool=tool_use(as_str(call.get("name")), call.get("args"), as_str(call.get("id"))))
    for raw in as_list(m.get("toolCalls")):
        call = as_dict(raw)
        cid = as_str(call.get("id"))
        name = as_str(call.get("name"))
        cts = parse_ts(call.get("timestamp")) or ts
        b.add(Role.ASSISTANT, Kind.TOOL_CALL, uid=f"{mid}/{cid}", ts=cts, tool=tool_use(name, call.get("args"), cid))
        status = as_str(call.get("status"))
        output = "\n".join(_response_text(as_dict(as_dict(p).get("functionResponse"))) or as_str(as_dict(p).get("text"))
                           for p in as_list(call.get("result"))).strip()
        if status == "cancelled":
            b.add(Role.USER, Kind.CORRECTION, "", uid=f"{mid}/{cid}/result", ts=cts, correction="rejected_tool",
                  tool=tool_use(name, call.get("args"), cid, output or as_str(call.get("resultDisplay")), True))
        elif output or call.get("result") is not None:
            b.add(Role.TOOL, Kind.TOOL_RESULT, uid=f"{mid}/{cid}/result", ts=cts,
                  tool=tool_use(name, call.get("args"), cid, output, status == "error"))


def _parts_text(content: Any) -> str:
    """Text of a Gemini Part, Part list or string; data parts (images, function calls) carry none."""
    if isinstance(content, dict):
        return as_str(content.get("text"))
    return text_of(content)


def _response_text(response: dict[str, Any]) -> str:
    body = response.get("response")
    if isinstance(body, dict):
        for key in ("output", "error", "content"):
            if key in body:
                return text_of(body[key]) or compact_json(body[key])
    return compact_json(body) if body is not None else ""
