"""Telling which agent wrote a transcript: path conventions first, then the first records.

Names are conventions of the agents (`.aider.chat.history.md`, `ui_messages.json`,
`events.jsonl`, `state.vscdb`); content decides the rest: the first JSONL records, the keys of
a JSON document, the tables of an SQLite file. A JSON document is parsed once and handed to
the reader.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoskill_mcp.learning.transcripts import cline
from autoskill_mcp.learning.transcripts.fields import as_dict, as_list, as_str
from autoskill_mcp.learning.transcripts.source import (
    SQLITE_MAGIC,
    TranscriptError,
    checked_size,
    head,
    jsonl_records,
    load_json,
    open_sqlite,
    sqlite_tables,
)

FORMATS = ("claude-code", "codex", "gemini", "cursor", "cursor-agent", "cline", "roo", "aider",
           "copilot-vscode", "copilot-cli", "openai-chat", "chatgpt-export")

CLAUDE_TYPES = {"user", "assistant", "system", "summary", "file-history-snapshot", "progress", "queue-operation",
                "attachment", "custom-title", "ai-title", "last-prompt", "agent-name", "permission-mode", "mode"}
CODEX_TYPES = {"session_meta", "response_item", "event_msg", "turn_context", "compacted", "world_state"}
CODEX_ITEMS = {"message", "reasoning", "function_call", "function_call_output", "local_shell_call",
               "custom_tool_call", "custom_tool_call_output"}
COPILOT_CLI_PREFIXES = ("session.", "user.", "assistant.", "tool.", "subagent.", "hook.", "system.")
GEMINI_TYPES = {"user", "gemini", "info", "error", "warning"}
AIDER_HEADER = b"# aider chat started at"


@dataclass(frozen=True, slots=True)
class Detected:
    fmt: str
    doc: Any = None            # the parsed JSON document, when detection had to parse it


def detect(path: Path, max_bytes: int) -> Detected | None:
    """The format of `path` and, for JSON documents, the parsed document; None when unknown."""
    by_path = _by_path(path)
    if by_path or path.is_dir():
        return Detected(by_path) if by_path else None
    first = head(path)
    if not first.strip():
        raise TranscriptError(f"{path}: empty file")
    if first.startswith(SQLITE_MAGIC):
        return _sqlite(path)
    if first.lstrip().startswith(AIDER_HEADER):
        return Detected("aider")
    broken: TranscriptError | None = None
    if path.suffix != ".jsonl" and first.lstrip().removeprefix(b"\xef\xbb\xbf")[:1] in (b"{", b"["):
        checked_size(path, max_bytes)
        try:
            doc = load_json(path, max_bytes)
        except TranscriptError as exc:        # not one document: JSON lines, or a broken document
            broken = exc
        else:
            fmt = _document(doc)
            return Detected(fmt, doc) if fmt else None
    fmt = _jsonl(jsonl_records(path))
    if fmt is None and broken is not None and path.suffix == ".json":
        raise broken
    return Detected(fmt) if fmt else None


def _by_path(path: Path) -> str | None:
    name = path.name
    if path.is_dir():
        if any((path / f).is_file() for f in (cline.UI_FILE, cline.API_FILE)):
            return cline.flavor(path)
        if (path / "events.jsonl").is_file():
            return "copilot-cli"
        if (path / "chatSessions").is_dir():
            return "copilot-vscode"
        if (path / "state.vscdb").is_file():
            return "cursor"
        if (path / f"{name}.jsonl").is_file() or (path / "store.db").is_file() or (path / "meta.json").is_file():
            return "cursor-agent"
        if path.with_name(f"{name}.jsonl").is_file() and (path / "subagents").is_dir():
            return "claude-code"
        return None
    if name.endswith(".aider.chat.history.md"):
        return "aider"
    if name in cline.TASK_FILES:
        return cline.flavor(path)
    if name.startswith("agent-") and name.endswith(".meta.json"):
        return "claude-code"
    if name == "meta.json" and path.parent.parent.parent.name == "chats":
        return "cursor-agent"
    if name == "workspace.json":
        if (path.parent / "chatSessions").is_dir():
            return "copilot-vscode"
        if (path.parent / "state.vscdb").is_file():
            return "cursor"
    if name == "events.jsonl" and path.parent.parent.name == "session-state":
        return "copilot-cli"
    return None


def _sqlite(path: Path) -> Detected | None:
    try:
        with open_sqlite(path) as conn:
            tables = sqlite_tables(conn)
    except (sqlite3.Error, UnicodeDecodeError) as exc:
        raise TranscriptError(f"{path}: cannot read the database ({exc})") from None
    if "cursorDiskKV" in tables or "ItemTable" in tables:
        return Detected("cursor")
    if {"meta", "blobs"} <= tables:
        return Detected("cursor-agent")
    return None


def _jsonl(records: list[dict[str, Any]]) -> str | None:
    for rec in records:
        fmt = _record(rec)
        if fmt:
            return fmt
    return None


def _record(rec: dict[str, Any]) -> str | None:
    """The format one JSONL record (or a one-line JSON document) belongs to, if it says."""
    kind = as_str(rec.get("type"))
    if "requests" in rec or ("kind" in rec and "v" in rec and rec.get("kind") in (0, 1, 2, 3)):
        return "copilot-vscode"
    if kind.startswith(COPILOT_CLI_PREFIXES) and "data" in rec:
        return "copilot-cli"
    if kind in CODEX_TYPES and "payload" in rec or "record_type" in rec:
        return "codex"
    if kind in CODEX_ITEMS and ("role" in rec or "call_id" in rec or "summary" in rec):
        return "codex"
    if "instructions" in rec and "id" in rec and "timestamp" in rec:
        return "codex"
    if "$set" in rec or "$rewindTo" in rec or ("sessionId" in rec and "projectHash" in rec):
        return "gemini"
    if kind in CLAUDE_TYPES and any(k in rec for k in ("uuid", "sessionId", "leafUuid", "messageId", "parentUuid")):
        return "claude-code"
    if kind in GEMINI_TYPES and "id" in rec and "content" in rec and "message" not in rec:
        return "gemini"
    if rec.get("role") in ("user", "assistant") and isinstance(rec.get("message"), dict):
        return "cursor-agent"
    if "mapping" in rec:
        return "chatgpt-export"
    if isinstance(rec.get("messages"), list) or isinstance(rec.get("conversations"), list):
        return "openai-chat"
    if "role" in rec and "content" in rec:
        return "openai-chat"
    if isinstance(rec.get("tabs"), list):
        return "cursor"
    return None


def _document(doc: Any) -> str | None:
    if isinstance(doc, list):
        items = [x for x in doc if isinstance(x, dict)]
        if not items:
            return None
        if all("mapping" in x for x in items):
            return "chatgpt-export"
        if any(as_str(x.get("type")) in ("say", "ask") for x in items[:5]):
            return "cline"
        if any("parts" in x and "role" in x for x in items[:5]):
            return "gemini"
        if any("role" in x or "messages" in x for x in items[:5]):
            return "openai-chat"
        return None
    d = as_dict(doc)
    if not d:
        return None
    messages = as_list(d.get("messages"))
    if "requests" in d:
        return "copilot-vscode"
    if "mapping" in d:
        return "chatgpt-export"
    if "projectHash" in d or any(as_str(as_dict(m).get("type")) in GEMINI_TYPES and "role" not in as_dict(m)
                                 for m in messages[:5]):
        return "gemini"
    if isinstance(d.get("history"), list) and any("parts" in as_dict(m) for m in d["history"][:5]):
        return "gemini"
    if "session" in d and isinstance(d.get("items"), list):
        return "codex"
    if isinstance(d.get("tabs"), list):
        return "cursor"
    return _record(d)
