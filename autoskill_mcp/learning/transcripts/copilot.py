"""GitHub Copilot: VS Code chat sessions and exports, and Copilot CLI event logs.

VS Code ("copilot-vscode"): `workspaceStorage/<hash>/chatSessions/<id>.json`, an export made
with *Chat: Export Chat…* (same document), or the newer `<id>.jsonl` patch log, replayed in
order: `{kind: 0, v}` sets the whole document, `{kind: 1, k: path, v}` sets a value,
`{kind: 2, k: path, v: items}` appends to an array (`kind: 3` deletes). One request is one user
turn (`message.text`); a cancelled request (`isCanceled`) is a CORRECTION "interrupt" and a tool
call the user denied (`isConfirmed` false or `{type: 0}`) a CORRECTION "rejected_tool".

CLI ("copilot-cli"): `~/.copilot/session-state/<id>/events.jsonl` (before 1.0.11 a flat
`<id>.jsonl`): `user.message` content is the user's words (not `transformedContent`), `abort` is
a CORRECTION "interrupt", events inside a sub-agent (`parentToolCallId`) are sidechain events.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from autoskill_mcp.learning.session import Kind, Role, Session, skip
from autoskill_mcp.learning.transcripts.builder import SessionBuilder, tool_use
from autoskill_mcp.learning.transcripts.fields import as_dict, as_list, as_str, parse_ts, text_of
from autoskill_mcp.learning.transcripts.source import ReadOptions, TranscriptError, iter_jsonl, load_json, record_guard
from autoskill_mcp.learning.transcripts.workspace import uri_path, workspace_folder
from autoskill_mcp.skillmd import yamlbounds

AGENT = "copilot"
_DENIED = 0                       # ToolConfirmKind.Denied in VS Code's chat service
_TEXT_PARTS = {None, "markdownContent", "markdownVuln"}


# ---------------------------------------------------------------- VS Code chat

def read_vscode(path: Path, opts: ReadOptions) -> list[Session]:
    """One chat session document, a patch log, or every session of a workspace folder."""
    if path.name == "workspace.json" or path.is_dir():
        folder = path.parent if path.name == "workspace.json" else path
        files = sorted((folder / "chatSessions").glob("*.json*")) if (folder / "chatSessions").is_dir() else []
        if not files:
            raise TranscriptError(f"{folder}: no chatSessions in this workspace folder")
        return [s for f in files for s in read_vscode(f, ReadOptions(max_bytes=opts.max_bytes))]
    session = Session(session_id=path.stem, agent=AGENT, path=str(path))
    if opts.doc is not None:
        doc = as_dict(opts.doc)
    elif path.suffix == ".jsonl":
        doc = _replay(path, session, opts.max_bytes)
    else:
        doc = as_dict(load_json(path, opts.max_bytes))
    if "requests" not in doc and "kind" in doc and "v" in doc:     # a one-line patch log read as a document
        doc = as_dict(doc["v"])
    session.session_id = as_str(doc.get("sessionId")) or session.session_id
    session.title = as_str(doc.get("customTitle")) or None
    session.started_at = parse_ts(doc.get("creationDate"))
    session.ended_at = parse_ts(doc.get("lastMessageDate"))
    if path.parent.name == "chatSessions":
        session.cwd = workspace_folder(path.parent.parent / "workspace.json")
    b = SessionBuilder(session, str(path))
    for n, request in enumerate(as_list(doc.get("requests"))):
        with record_guard(session, f"request {n}"):
            _request(b, as_dict(request), n)
    return [b.finish()]


def _replay(path: Path, session: Session, max_bytes: int) -> dict[str, Any]:
    state: Any = {}
    for line, rec in iter_jsonl(path, session, max_bytes):
        with record_guard(session, f"line {line}"):
            kind, keys, value = rec.get("kind"), as_list(rec.get("k")), rec.get("v")
            if kind == 0:
                state = value
            elif kind in (1, 2, 3) and keys:
                target = state
                for key in keys[:-1]:
                    target = target[key]
                last = keys[-1]
                if kind == 1:
                    target[last] = value
                elif kind == 2:
                    present = (isinstance(target, dict) and last in target) or isinstance(target, list)
                    items = target[last] if present else None
                    if not isinstance(items, list):
                        target[last] = items = []
                    items.extend(value if isinstance(value, list) else [value])
                else:
                    del target[last]
            else:
                skip(session, f"patch.{kind}")
    return as_dict(state)


def _request(b: SessionBuilder, r: dict[str, Any], n: int) -> None:
    rid = as_str(r.get("requestId")) or f"R{n}"
    ts = parse_ts(r.get("timestamp"))
    text = as_str(as_dict(r.get("message")).get("text")).strip()
    if text:
        b.add(Role.USER, Kind.PROMPT, text, uid=rid, ts=ts, ref=f"requests[{n}]")
    for k, raw in enumerate(as_list(r.get("response"))):
        part = as_dict(raw)
        kind = part.get("kind")
        uid, ref = f"{rid}/{k}", f"requests[{n}].response[{k}]"
        if b.session.cwd is None and as_str(as_dict(part.get("baseUri")).get("path")):
            b.session.cwd = uri_path("file://" + part["baseUri"]["path"]).rstrip("/") or None
        if kind in _TEXT_PARTS:
            value = text_of(part.get("value") if "value" in part else part.get("content"))
            if value.strip():
                b.add_text(Role.ASSISTANT, Kind.REPLY, value, key=("reply", rid), uid=uid, ts=ts, ref=ref, sep="")
        elif kind == "thinking":
            value = text_of(part.get("value"))
            if value.strip():
                b.add(Role.ASSISTANT, Kind.THINKING, value, uid=uid, ts=ts, ref=ref)
        elif kind == "toolInvocationSerialized":
            _tool(b, part, uid, ts, ref)
        else:
            skip(b.session, f"response.{kind}")
    if r.get("isCanceled") is True:
        b.add(Role.USER, Kind.CORRECTION, "", uid=f"{rid}/canceled", ts=ts, correction="interrupt",
              ref=f"requests[{n}]")


def _tool(b: SessionBuilder, part: dict[str, Any], uid: str, ts: Any, ref: str) -> None:
    name = as_str(part.get("toolId")) or "unknown"
    call_id = as_str(part.get("toolCallId"))
    details = part.get("resultDetails")
    args = as_dict(details).get("input") or as_dict(part.get("toolSpecificData")).get("rawInput") \
        or text_of(part.get("invocationMessage"))
    b.add(Role.ASSISTANT, Kind.TOOL_CALL, uid=uid, ts=ts, ref=ref, tool=tool_use(name, args, call_id))
    confirmed = part.get("isConfirmed")
    if confirmed is False or as_dict(confirmed).get("type") == _DENIED:
        b.add(Role.USER, Kind.CORRECTION, "", uid=f"{uid}/denied", ts=ts, ref=ref, correction="rejected_tool",
              tool=tool_use(name, args, call_id, "denied by the user", True))
        return
    if isinstance(details, dict) and "output" in details:
        output = "\n".join(text_of(as_dict(o).get("value")) for o in as_list(details["output"])) \
            if isinstance(details["output"], list) else text_of(details["output"])
        failed = details.get("isError") is True
    elif isinstance(details, list):                   # fetched resources: their addresses
        output, failed = "\n".join(as_str(as_dict(d).get("external")) for d in details), False
    else:
        output, failed = text_of(part.get("pastTenseMessage")), False
    b.add(Role.TOOL, Kind.TOOL_RESULT, uid=f"{uid}/result", ts=ts, ref=ref,
          tool=tool_use(name, args, call_id, output, failed))


# ---------------------------------------------------------------- Copilot CLI

def read_cli(path: Path, opts: ReadOptions) -> list[Session]:
    if path.is_dir():
        path = path / "events.jsonl"
    sid = path.parent.name if path.name == "events.jsonl" else path.stem
    session = Session(session_id=sid, agent=AGENT, path=str(path))
    workspace = path.parent / "workspace.yaml"
    if path.name == "events.jsonl" and workspace.is_file() and workspace.stat().st_size < 1_000_000:
        try:
            info = as_dict(yamlbounds.safe_load(workspace.read_text(encoding="utf-8"), str(workspace)))
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            info = {}
        session.title = as_str(info.get("name")) or as_str(info.get("summary")) or None
    b = SessionBuilder(session, str(path))
    names: dict[str, str] = {}
    records = 0
    for line, rec in iter_jsonl(path, session, opts.max_bytes):
        records += 1
        with record_guard(session, f"line {line}"):
            _event(b, rec, line, names)
    if records == 0:
        raise TranscriptError(f"{path}: no Copilot CLI events in it")
    return [b.finish()]


def _event(b: SessionBuilder, rec: dict[str, Any], line: int, names: dict[str, str]) -> None:
    kind = as_str(rec.get("type"))
    data = as_dict(rec.get("data"))
    ts = parse_ts(rec.get("timestamp"))
    uid = as_str(rec.get("id")) or f"L{line}"
    side = bool(data.get("parentToolCallId"))
    s = b.session
    if kind in ("session.start", "session.resume"):
        context = as_dict(data.get("context"))
        if kind == "session.start":
            s.session_id = as_str(data.get("sessionId")) or s.session_id
            s.started_at = parse_ts(data.get("startTime")) or ts
        s.cwd = s.cwd or as_str(context.get("cwd")) or None
    elif kind == "user.message":
        text = as_str(data.get("content")).strip()
        if text:
            b.add(Role.USER, Kind.PROMPT, text, uid=uid, ts=ts, sidechain=side, ref=line)
    elif kind == "assistant.message":
        reasoning = as_str(data.get("reasoningText"))
        if reasoning.strip():
            b.add(Role.ASSISTANT, Kind.THINKING, reasoning, uid=f"{uid}/reasoning", ts=ts, sidechain=side, ref=line)
        content = as_str(data.get("content"))
        if content.strip():
            key = ("reply", as_str(data.get("messageId")) or uid)
            b.add_text(Role.ASSISTANT, Kind.REPLY, content, key=key, uid=uid, ts=ts, sidechain=side, ref=line, sep="")
        for n, raw in enumerate(as_list(data.get("toolRequests"))):
            request = as_dict(raw)
            call_id = as_str(request.get("toolCallId"))
            names[call_id] = as_str(request.get("name"))
            b.add(Role.ASSISTANT, Kind.TOOL_CALL, uid=f"{uid}/tool{n}", ts=ts, sidechain=side, ref=line,
                  tool=tool_use(names[call_id], request.get("arguments"), call_id))
    elif kind == "assistant.reasoning":
        text = as_str(data.get("content"))
        if text.strip():
            b.add(Role.ASSISTANT, Kind.THINKING, text, uid=uid, ts=ts, sidechain=side, ref=line)
    elif kind == "tool.execution_start":
        names.setdefault(as_str(data.get("toolCallId")), as_str(data.get("toolName")))
        skip(s, kind)
    elif kind == "tool.execution_complete":
        call_id = as_str(data.get("toolCallId"))
        result = data.get("result")
        output = text_of(as_dict(result).get("content")) if isinstance(result, dict) else text_of(result)
        b.add(Role.TOOL, Kind.TOOL_RESULT, uid=uid, ts=ts, sidechain=side, ref=line,
              tool=tool_use(names.get(call_id) or as_str(data.get("toolName")), None, call_id, output,
                            data.get("success") is False))
    elif kind == "abort":
        b.add(Role.USER, Kind.CORRECTION, "", uid=uid, ts=ts, correction="interrupt", sidechain=side, ref=line)
    else:
        skip(s, kind or "untyped")
