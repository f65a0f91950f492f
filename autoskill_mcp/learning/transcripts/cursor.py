"""Cursor: the IDE's `state.vscdb` databases and the Cursor agent's transcripts.

IDE (format "cursor"): conversations ("composers") live in the global database
(`User/globalStorage/state.vscdb`, table `cursorDiskKV`): `composerData:<id>` lists the bubbles in
order (`fullConversationHeadersOnly`, older `conversation` inline), `bubbleId:<id>:<bubble>` holds
each message. Headers can name bubbles that are missing, NULL, or stored under another key (the
bubble's own `bubbleId` differs from its key): bubbles are matched on both, bubbles no header
names are appended, missing ones are counted in `skipped`. The project comes from
`workspaceIdentifier` or the workspace folder's `workspace.json`. A workspace database
(`workspaceStorage/<hash>/state.vscdb`) gives its composers (read from the global database) and
the legacy chat panel's tabs. Databases are opened read-only (a locked live one is copied).
A tool call the user rejected (`userDecision: "rejected"`) is a CORRECTION "rejected_tool".

Agent (format "cursor-agent"): `~/.cursor/projects/<slug>/agent-transcripts/<id>/<id>.jsonl`,
lines `{role, message: {content: [blocks]}}`; the user's words are inside `<user_query>`. The
chat folder `~/.cursor/chats/<md5(cwd)>/<id>/` (`meta.json` or `store.db`) gives cwd, title and
start time; a `store.db` without a transcript is read from its message blobs.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from autoskill_mcp.learning.session import Kind, Role, Session, skip
from autoskill_mcp.learning.transcripts.builder import SessionBuilder, tool_use
from autoskill_mcp.learning.transcripts.fields import as_dict, as_list, as_str, parse_ts, text_of
from autoskill_mcp.learning.transcripts.source import (
    SQLITE_MAGIC,
    ReadOptions,
    TranscriptError,
    head,
    iter_jsonl,
    load_json,
    loads,
    open_sqlite,
    record_guard,
    sqlite_tables,
)
from autoskill_mcp.learning.transcripts.workspace import workspace_folder

AGENT = "cursor"
LEGACY_CHAT_KEY = "workbench.panel.aichat.view.aichat.chatdata"
_USER_QUERY = re.compile(r"<user_query>\s*(.*?)\s*</user_query>", re.S)
_CONTEXT_BLOCK = re.compile(
    r"<(user_info|attached_files|additional_data|system_reminder|open_and_recently_viewed_files)>.*?</\1>", re.S)


# ---------------------------------------------------------------- IDE databases

def read_ide(path: Path, opts: ReadOptions) -> list[Session]:
    """Sessions in a Cursor database, a workspace folder, its workspace.json, or a chat-tabs dump."""
    if path.name == "workspace.json" or path.is_dir():
        folder = path.parent if path.name == "workspace.json" else path
        return _read_workspace(folder / "state.vscdb", opts)
    if path.suffix == ".json":
        doc = opts.doc if opts.doc is not None else load_json(path, opts.max_bytes)
        return _tabs(as_dict(doc), path, str(path), None)
    with open_sqlite(path) as conn:
        tables = sqlite_tables(conn)
        if "cursorDiskKV" in tables and _has_composers(conn):
            return _read_global(conn, path, opts, only=None, cwd_by_id=_workspaces_by_composer(path, opts))
    return _read_workspace(path, opts)


def _has_composers(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM cursorDiskKV WHERE key >= 'composerData:' AND key < 'composerData;' LIMIT 1")
    return row.fetchone() is not None


def _read_workspace(db: Path, opts: ReadOptions) -> list[Session]:
    """A workspace's composers (their content is in the global database) and its legacy chat tabs."""
    cwd = workspace_folder(db.parent / "workspace.json")
    sessions: list[Session] = []
    composer_ids: list[str] = []
    if db.is_file():
        with open_sqlite(db) as conn:
            if "ItemTable" in sqlite_tables(conn):
                data = _item(conn, "composer.composerData", opts)
                composer_ids = [as_str(as_dict(c).get("composerId"))
                                for c in as_list(as_dict(data).get("allComposers"))]
                sessions += _tabs(as_dict(_item(conn, LEGACY_CHAT_KEY, opts)), db, f"{db}#{LEGACY_CHAT_KEY}", cwd)
    global_db = db.parent.parent.parent / "globalStorage" / "state.vscdb"
    if composer_ids and global_db.is_file():
        with open_sqlite(global_db) as conn:
            if "cursorDiskKV" in sqlite_tables(conn):
                cwd_by_id = {cid: cwd for cid in composer_ids if cwd}
                sessions = _read_global(conn, global_db, opts, only=set(composer_ids), cwd_by_id=cwd_by_id) + sessions
    elif composer_ids:
        raise TranscriptError(f"{db}: its conversations are in {global_db}, which is missing")
    if not db.is_file() and not sessions:
        raise TranscriptError(f"{db.parent}: no state.vscdb in this workspace folder")
    return sessions


def _workspaces_by_composer(global_db: Path, opts: ReadOptions, limit: int = 1000) -> dict[str, str]:
    """composerId -> workspace folder, from the workspace databases beside the global one."""
    out: dict[str, str] = {}
    storage = global_db.parent.parent / "workspaceStorage"
    for n, db in enumerate(sorted(storage.glob("*/state.vscdb")) if storage.is_dir() else []):
        if n >= limit:
            break
        folder = workspace_folder(db.parent / "workspace.json")
        if not folder:
            continue
        try:
            with open_sqlite(db) as conn:
                if "ItemTable" not in sqlite_tables(conn):
                    continue
                data = as_dict(_item(conn, "composer.composerData", opts))
        except (TranscriptError, sqlite3.Error, UnicodeDecodeError):  # a corrupt neighbour costs its folder name
            continue
        for composer in as_list(data.get("allComposers")):
            cid = as_str(as_dict(composer).get("composerId"))
            if cid:
                out.setdefault(cid, folder)
    return out


def _item(conn: sqlite3.Connection, key: str, opts: ReadOptions) -> Any:
    row = conn.execute("SELECT value FROM ItemTable WHERE key = ?", (key,)).fetchone()
    return _json_value(row[0] if row else None, opts.max_bytes)


def _json_value(raw: Any, max_bytes: int) -> Any:
    if raw is None or len(raw) > max_bytes:
        return None
    try:
        return loads(raw)
    except ValueError:  # not JSON, not UTF-8, or nested too deeply
        return None


def _read_global(conn: sqlite3.Connection, db: Path, opts: ReadOptions, *, only: set[str] | None,
                 cwd_by_id: dict[str, str]) -> list[Session]:
    sessions = []
    rows = conn.execute("SELECT key, value FROM cursorDiskKV WHERE key >= 'composerData:' AND key < 'composerData;' "
                        "ORDER BY rowid")
    for key, raw in rows.fetchall():
        cid = key.removeprefix("composerData:")
        if only is not None and cid not in only:
            continue
        data = _json_value(raw, opts.max_bytes)
        if not isinstance(data, dict):
            continue
        sessions.append(_composer(conn, db, cid, data, opts, cwd_by_id.get(cid)))
    return sessions


def _composer(conn: sqlite3.Connection, db: Path, cid: str, data: dict[str, Any], opts: ReadOptions,
              cwd: str | None) -> Session:
    session = Session(session_id=cid, agent=AGENT, path=str(db), title=as_str(data.get("name")) or None,
                      started_at=parse_ts(data.get("createdAt")), ended_at=parse_ts(data.get("lastUpdatedAt")))
    ident = as_dict(data.get("workspaceIdentifier"))
    session.cwd = (as_str(as_dict(ident.get("uri")).get("fsPath")) or cwd
                   or workspace_folder(db.parent.parent / "workspaceStorage" / as_str(ident.get("id"))
                                       / "workspace.json")
                   or None)
    b = SessionBuilder(session, str(db))
    for n, bubble in enumerate(_bubbles(conn, cid, data, session, opts)):
        with record_guard(session, f"{cid} bubble {n}"):
            _bubble(b, bubble, f"bubbleId:{cid}:{as_str(bubble.get('bubbleId')) or n}")
    return b.finish()


def _bubbles(conn: sqlite3.Connection, cid: str, data: dict[str, Any], session: Session,
             opts: ReadOptions) -> list[dict[str, Any]]:
    """The composer's bubbles in conversation order."""
    inline = [as_dict(x) for x in as_list(data.get("conversation")) if isinstance(x, dict)]
    lo, hi = f"bubbleId:{cid}:", f"bubbleId:{cid};"
    stored: list[tuple[str, Any]] = []
    rows = conn.execute("SELECT key, value FROM cursorDiskKV WHERE key >= ? AND key < ? ORDER BY rowid", (lo, hi))
    for key, raw in rows:
        value = _json_value(raw, opts.max_bytes)
        if isinstance(value, dict):
            stored.append((key.removeprefix(lo), value))
        else:
            skip(session, "bubble.unreadable")
    by_id: dict[str, int] = {}
    for n, (key, value) in enumerate(stored):
        by_id.setdefault(key, n)
        if as_str(value.get("bubbleId")):
            by_id.setdefault(value["bubbleId"], n)
    headers = [as_str(as_dict(h).get("bubbleId")) for h in as_list(data.get("fullConversationHeadersOnly"))]
    if not headers:
        return inline + [value for _, value in stored]
    ordered: list[dict[str, Any]] = []
    used: set[int] = set()
    for bubble_id in headers:
        at = by_id.get(bubble_id) if bubble_id else None
        if at is None or at in used:
            skip(session, "bubble.missing")
            continue
        used.add(at)
        value = dict(stored[at][1])
        value.setdefault("bubbleId", bubble_id)
        ordered.append(value)
    rest = [value for n, (_, value) in enumerate(stored) if n not in used]
    if rest:
        session.warnings.append(f"{len(rest)} bubble(s) not named in the conversation headers, appended at the end")
    return ordered + rest


def _bubble(b: SessionBuilder, bubble: dict[str, Any], ref: str) -> None:
    uid = as_str(bubble.get("bubbleId")) or ref
    ts = parse_ts(bubble.get("createdAt")) or parse_ts(as_dict(bubble.get("timingInfo")).get("clientStartTime"))
    kind = bubble.get("type")
    text = as_str(bubble.get("text")).strip() or as_str(bubble.get("rawText")).strip()
    if kind in (1, "user"):
        if text:
            b.add(Role.USER, Kind.PROMPT, text, uid=uid, ts=ts, ref=ref)
        return
    thinking = as_str(as_dict(bubble.get("thinking")).get("text"))
    if thinking.strip():
        b.add(Role.ASSISTANT, Kind.THINKING, thinking, uid=f"{uid}/thinking", ts=ts, ref=ref)
    tool = as_dict(bubble.get("toolFormerData"))
    if tool:
        name = as_str(tool.get("name")) or str(tool.get("tool", "unknown"))
        args = tool.get("params") or tool.get("rawArgs")
        b.add(Role.ASSISTANT, Kind.TOOL_CALL, uid=f"{uid}/call", ts=ts, tool=tool_use(name, args, uid), ref=ref)
        result = tool.get("result")
        output = (result if isinstance(result, str)
                  else json.dumps(result, ensure_ascii=False) if result is not None else "")
        if tool.get("userDecision") == "rejected":
            b.add(Role.USER, Kind.CORRECTION, "", uid=f"{uid}/result", ts=ts, correction="rejected_tool", ref=ref,
                  tool=tool_use(name, args, uid, output, True))
        elif result is not None or tool.get("status"):
            failed = tool.get("status") == "error" or bool(tool.get("error"))
            b.add(Role.TOOL, Kind.TOOL_RESULT, uid=f"{uid}/result", ts=ts, ref=ref,
                  tool=tool_use(name, args, uid, output or as_str(tool.get("error")), failed))
    if text:
        b.add(Role.ASSISTANT, Kind.REPLY, text, uid=uid, ts=ts, ref=ref)
    elif not tool and not thinking.strip():
        skip(b.session, "bubble.empty")


def _tabs(data: dict[str, Any], path: Path, source: str, cwd: str | None) -> list[Session]:
    """The legacy chat panel: `{tabs: [{bubbles | messages}]}`, one session per tab."""
    sessions = []
    for n, raw in enumerate(as_list(data.get("tabs"))):
        tab = as_dict(raw)
        tid = as_str(tab.get("tabId")) or as_str(tab.get("id")) or f"tab{n}"
        session = Session(session_id=tid, agent=AGENT, path=str(path), cwd=cwd,
                          title=as_str(tab.get("chatTitle")) or as_str(tab.get("title")) or None,
                          started_at=parse_ts(tab.get("createdAt")),
                          ended_at=parse_ts(tab.get("lastSendTime") or tab.get("lastUpdatedAt")))
        b = SessionBuilder(session, source)
        for m, raw_msg in enumerate(as_list(tab.get("bubbles")) or as_list(tab.get("messages"))):
            msg = as_dict(raw_msg)
            with record_guard(session, f"tab {tid} message {m}"):
                who = msg.get("type") or msg.get("role")
                text = (as_str(msg.get("text")) or as_str(msg.get("rawText")) or text_of(msg.get("content"))).strip()
                uid = as_str(msg.get("id")) or f"{tid}/{m}"
                ts = parse_ts(msg.get("timestamp"))
                if not text:
                    skip(session, "message.empty")
                elif who == "user":
                    b.add(Role.USER, Kind.PROMPT, text, uid=uid, ts=ts, ref=uid)
                else:
                    b.add(Role.ASSISTANT, Kind.REPLY, text, uid=uid, ts=ts, ref=uid)
        sessions.append(b.finish())
    return sessions


# ---------------------------------------------------------------- agent transcripts

def read_agent(path: Path, opts: ReadOptions) -> list[Session]:
    """A Cursor agent transcript (and its sub-agent transcripts), a chat folder, meta.json or store.db."""
    if path.is_dir():
        transcript = path / f"{path.name}.jsonl"
        inner = "store.db" if (path / "store.db").is_file() else "meta.json"
        path = transcript if transcript.is_file() else path / inner
    if path.name == "meta.json" or head(path, len(SQLITE_MAGIC)) == SQLITE_MAGIC:
        return [_read_chat(path, opts)]
    main = _read_transcript(path, opts)
    sessions = [main]
    for sub in sorted((path.parent / "subagents").glob("*.jsonl")):
        try:
            child = _read_transcript(sub, opts)
        except TranscriptError as exc:
            main.warnings.append(f"sub-agent {sub.name}: {exc}")
            continue
        sessions.append(child)
    return sessions


def _store_root(transcript: Path) -> Path | None:
    """`~/.cursor` for a file at `~/.cursor/projects/<slug>/agent-transcripts/<id>/<id>.jsonl`."""
    parents = transcript.parents
    if len(parents) > 3 and parents[1].name == "agent-transcripts" and parents[3].name == "projects":
        return parents[4] if len(parents) > 4 else None
    return None


def _read_transcript(path: Path, opts: ReadOptions) -> Session:
    sid = path.stem
    sub = path.parent.name == "subagents"
    parent = path.parent.parent.name if sub else None
    session = Session(session_id=f"{parent}/{sid}" if parent else sid, agent=AGENT, path=str(path),
                      parent_session_id=parent)
    root = None if sub else _store_root(path)
    if root is not None:
        for folder in sorted(root.glob(f"chats/*/{sid}")):
            _chat_meta(session, folder / "meta.json", folder / "store.db", opts)
            break
    b = SessionBuilder(session, str(path), sidechain=sub)
    calls: dict[str, tuple[str, str]] = {}
    records = 0
    for line, rec in iter_jsonl(path, session, opts.max_bytes):
        records += 1
        with record_guard(session, f"line {line}"):
            _agent_message(b, rec, f"L{line}", line, calls)
    if records == 0:
        raise TranscriptError(f"{path}: no transcript lines in it")
    return b.finish()


def _agent_message(b: SessionBuilder, rec: dict[str, Any], uid: str, ref: object,
                   calls: dict[str, tuple[str, str]]) -> None:
    role = rec.get("role")
    content = as_dict(rec.get("message")).get("content", rec.get("content"))
    if role not in ("user", "assistant", "tool"):
        skip(b.session, as_str(rec.get("type")) or "untyped")
        return
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else as_list(content)
    for n, raw in enumerate(blocks):
        block = as_dict(raw)
        kind = as_str(block.get("type"))
        buid = uid if n == 0 else f"{uid}#{n}"
        if kind in ("tool_use", "tool_call", "tool-call"):
            name = as_str(block.get("name")) or as_str(block.get("toolName"))
            call_id = as_str(block.get("id")) or as_str(block.get("toolCallId"))
            call = tool_use(name, block.get("input", block.get("args")), call_id)
            calls[call_id or name] = (call.name, call.input)
            b.add(Role.ASSISTANT, Kind.TOOL_CALL, uid=buid, tool=call, ref=ref)
        elif kind in ("tool_result", "tool-result"):
            call_id = as_str(block.get("tool_use_id")) or as_str(block.get("toolCallId"))
            fallback = as_str(block.get("name")) or as_str(block.get("toolName")) or "unknown"
            name, args = calls.get(call_id, (fallback, ""))
            output = text_of(block.get("content")) or text_of(block.get("result")) or as_str(block.get("result"))
            b.add(Role.TOOL, Kind.TOOL_RESULT, uid=buid, ref=ref,
                  tool=tool_use(name, args, call_id, output, block.get("is_error") is True))
        elif kind in ("thinking", "reasoning"):
            thought = as_str(block.get("thinking")) or as_str(block.get("text"))
            if thought.strip():
                b.add(Role.ASSISTANT, Kind.THINKING, thought, uid=buid, ref=ref)
        elif as_str(block.get("text")).strip():
            text = block["text"]
            if role == "user":
                _user_text(b, text, buid, ref)
            else:
                b.add_text(Role.ASSISTANT, Kind.REPLY, text.strip(), key=uid, uid=buid, ref=ref)
        else:
            skip(b.session, f"block.{kind or 'untyped'}")


def _user_text(b: SessionBuilder, text: str, uid: str, ref: object) -> None:
    queries = _USER_QUERY.findall(text)
    words = "\n\n".join(q.strip() for q in queries) if queries else _CONTEXT_BLOCK.sub("", text).strip()
    if words:
        b.add(Role.USER, Kind.PROMPT, words, uid=uid, ref=ref)
    else:
        skip(b.session, "injected")


def _chat_meta(session: Session, meta_json: Path, store: Path, opts: ReadOptions) -> dict[str, Any]:
    """cwd, title and times from a chat folder's meta.json and store.db; returns the merged metadata."""
    meta: dict[str, Any] = {}
    if store.is_file():
        with open_sqlite(store) as conn:
            if "meta" in sqlite_tables(conn):
                meta = _store_meta(conn)
    if meta_json.is_file():
        meta.update(as_dict(load_json(meta_json, opts.max_bytes)))
    session.cwd = session.cwd or as_str(meta.get("cwd")) or None
    session.title = session.title or as_str(meta.get("name")) or None
    session.started_at = session.started_at or parse_ts(meta.get("createdAtMs") or meta.get("createdAt"))
    session.ended_at = session.ended_at or parse_ts(meta.get("updatedAtMs"))
    return meta


def _store_meta(conn: sqlite3.Connection) -> dict[str, Any]:
    row = conn.execute("SELECT value FROM meta WHERE key = '0'").fetchone()
    if not row or not isinstance(row[0], (str, bytes)):
        return {}
    raw = row[0]
    try:
        text = bytes.fromhex(raw).decode("utf-8") if isinstance(raw, str) else raw.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        text = raw if isinstance(raw, str) else ""
    try:
        return as_dict(loads(text))
    except ValueError:
        return {}


def _read_chat(path: Path, opts: ReadOptions) -> Session:
    """A chat folder's session (given its meta.json or store.db): its transcript when the store
    root has one, else the store's message blobs."""
    folder = path.parent
    store = folder / "store.db" if path.name == "meta.json" else path
    meta_json = folder / "meta.json"
    session = Session(session_id=folder.name, agent=AGENT, path=str(path))
    meta = _chat_meta(session, meta_json, store, opts)
    session.session_id = as_str(meta.get("agentId")) or session.session_id
    chats = folder.parent.parent
    if chats.name == "chats":
        for transcript in sorted(chats.parent.glob(f"projects/*/agent-transcripts/{folder.name}/{folder.name}.jsonl")):
            return _read_transcript(transcript, opts)
    b = SessionBuilder(session, str(store))
    if store.is_file():
        with open_sqlite(store) as conn:
            if "blobs" in sqlite_tables(conn):
                calls: dict[str, tuple[str, str]] = {}
                for blob_id, message in _blob_messages(conn, as_str(meta.get("latestRootBlobId")), opts):
                    with record_guard(session, f"blob {blob_id[:12]}"):
                        _agent_message(b, message, blob_id[:16], f"blob:{blob_id}", calls)
    if not session.events:
        session.warnings.append("no readable messages in this chat (no transcript, no JSON message blobs)")
    return b.finish()


def _blob_messages(conn: sqlite3.Connection, root: str, opts: ReadOptions) -> list[tuple[str, dict[str, Any]]]:
    """Message blobs in conversation order: depth-first from the root blob through its references.

    Blobs are content-addressed (id = SHA-256 hex). A message blob is JSON `{role, content}`; a
    tree blob is protobuf whose length-delimited 32-byte fields are references to other blobs.
    Blobs the root does not reach are read after, in storage order.
    """
    blobs: dict[str, bytes] = {}
    for blob_id, data in conn.execute("SELECT id, data FROM blobs ORDER BY rowid"):
        if isinstance(blob_id, str) and isinstance(data, (bytes, str)) and len(data) <= opts.max_bytes:
            blobs[blob_id] = data.encode() if isinstance(data, str) else data
    order: list[str] = []
    seen: set[str] = set()
    stack = [root] if root in blobs else []
    while stack:
        blob_id = stack.pop()
        if blob_id in seen or blob_id not in blobs:
            continue
        seen.add(blob_id)
        order.append(blob_id)
        refs = [r for r in _protobuf_refs(blobs[blob_id]) if r in blobs]
        stack.extend(reversed(refs))
    order += [blob_id for blob_id in blobs if blob_id not in seen]
    out = []
    for blob_id in order:
        message = _json_value(blobs[blob_id], opts.max_bytes) if blobs[blob_id][:1] == b"{" else None
        if isinstance(message, dict) and message.get("role") in ("user", "assistant", "tool"):
            out.append((blob_id, message))
    return out


def _protobuf_refs(data: bytes) -> list[str]:
    """Hex ids of the 32-byte length-delimited fields of a protobuf message (empty if not protobuf)."""
    refs: list[str] = []
    i, n = 0, len(data)
    while i < n:
        field = _varint(data, i)
        if field is None:
            return []
        key, i = field
        wire = key & 7
        if wire in (0, 2):
            value = _varint(data, i)
            if value is None or (wire == 2 and value[1] + value[0] > n):
                return []
            if wire == 2 and value[0] == 32:
                refs.append(data[value[1]:value[1] + 32].hex())
            i = value[1] + (value[0] if wire == 2 else 0)
        elif wire in (1, 5):
            i += 8 if wire == 1 else 4
        else:
            return []
    return refs


def _varint(data: bytes, i: int) -> tuple[int, int] | None:
    """(value, next index) of the varint at i, or None if the bytes end first."""
    value, shift = 0, 0
    while i < len(data) and shift < 64:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i
        shift += 7
    return None
