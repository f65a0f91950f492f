"""Which transcript an agent's hook call is about: each agent's documented payload, read.

Claude Code and Gemini CLI send `transcript_path`; the others send an id that names the session
in the agent's own storage (Codex's `thread-id`, Cursor's `conversation_id`, Copilot's
`sessionId`, Cline's `taskId`), so the file is looked up where that agent keeps it. Only the
standard library is used: a hook has a budget of milliseconds. The payload shapes, with their
sources, are in docs/agents.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import agent_homes

#: the events that mean "a session's worth of transcript", per agent (others are skipped)
SESSION_EVENTS: dict[str, tuple[str, ...]] = {
    "claude-code": ("SessionEnd", "PreCompact", "SubagentStop"),
    "codex": ("agent-turn-complete", "Stop", "SessionEnd"),
    "gemini": ("SessionEnd", "PreCompress"),
    "cursor": ("stop", "sessionEnd"),
    "copilot": ("sessionEnd", "SessionEnd", "agentStop", "Stop", "preCompact", "PreCompact"),
    "cline": ("TaskComplete", "TaskCancel", "PreCompact"),
}
#: an id we put into a file name pattern: no separators, no glob characters
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True, slots=True)
class Located:
    """The transcript a hook call is about, and its format when the place tells it."""

    path: Path
    format: str | None


class NotLocated(Exception):
    """The payload names no transcript we can find; the message says why (it goes to the log)."""


def event_of(payload: dict[str, Any]) -> str:
    for key in ("hook_event_name", "hookEventName", "hookName", "type", "event"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def locate(agent: str, payload: dict[str, Any], *, home: Path | None = None) -> Located:
    """The transcript this payload is about; raises NotLocated."""
    base = home if home is not None else Path.home()
    return _LOCATORS[agent](payload, base)


def _given_path(payload: dict[str, Any], *keys: str) -> Path | None:
    for key in keys:
        value = payload.get(key)
        if isinstance(value, str) and value:
            path = Path(value).expanduser()
            if path.is_file():
                return path
    return None


def _session_id(payload: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = payload.get(key)
        if isinstance(value, str) and value:
            if not _SAFE_ID.match(value):
                raise NotLocated(f"{key} {value!r} is not an id")
            return value
    raise NotLocated(f"no {' / '.join(keys)} in the hook input")


def _newest(paths: Iterable[Path]) -> Path | None:
    found = [p for p in paths if p.exists()]
    if not found:
        return None
    return max(found, key=lambda p: p.stat().st_mtime)


def _claude_code(payload: dict[str, Any], home: Path) -> Located:
    key = "agent_transcript_path" if event_of(payload) == "SubagentStop" else "transcript_path"
    path = _given_path(payload, key)
    if path is None:
        raise NotLocated(_missing(payload, key))
    return Located(path, "claude-code")


def _gemini(payload: dict[str, Any], home: Path) -> Located:
    path = _given_path(payload, "transcript_path")
    if path is None:
        raise NotLocated(_missing(payload, "transcript_path"))
    return Located(path, "gemini")


def _codex(payload: dict[str, Any], home: Path) -> Located:
    """`notify` sends `thread-id`; the rollout is `sessions/YYYY/MM/DD/rollout-<time>-<thread-id>.jsonl`."""
    path = _given_path(payload, "transcript_path")
    if path is not None:
        return Located(path, "codex")
    thread = _session_id(payload, "thread-id", "thread_id", "session_id")
    root = agent_homes.codex_dir(home)
    found = _newest([*root.glob(f"sessions/*/*/*/rollout-*{thread}.jsonl"),
                     *root.glob(f"archived_sessions/rollout-*{thread}.jsonl")])
    if found is None:
        raise NotLocated(f"no rollout for thread {thread} under {root / 'sessions'}")
    return Located(found, "codex")


def _cursor(payload: dict[str, Any], home: Path) -> Located:
    """The `stop` payload carries `conversation_id` (a `transcript_path` only in some builds).

    The agent (CLI and newer IDE agent) writes `projects/<slug>/agent-transcripts/<id>/<id>.jsonl`
    or `chats/<hash>/<id>/store.db`; the IDE keeps every conversation in its global `state.vscdb`.
    """
    path = _given_path(payload, "transcript_path")
    if path is not None:
        return Located(path, None)
    cid = _session_id(payload, "conversation_id", "session_id")
    root = agent_homes.cursor_dir(home)
    found = _newest(root.glob(f"projects/*/agent-transcripts/{cid}/{cid}.jsonl"))
    if found is None:
        found = _newest(root.glob(f"chats/*/{cid}/store.db"))
    if found is not None:
        return Located(found, "cursor-agent")
    for user in agent_homes.editor_user_dirs("Cursor", home, True):
        ide = user / "globalStorage" / "state.vscdb"
        if ide.is_file() and _holds_composer(ide, cid):
            return Located(ide, "cursor")
    raise NotLocated(f"no transcript for Cursor conversation {cid} under {root} or Cursor's globalStorage")


def _holds_composer(db: Path, cid: str) -> bool:
    """Whether the IDE's database has this conversation (so a stop elsewhere does not re-read all of it).

    A database we cannot query right now (locked, mid-write) counts as holding it: the worker reads it later.
    """
    import sqlite3

    try:
        with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=0.05) as conn:
            row = conn.execute("SELECT 1 FROM cursorDiskKV WHERE key = ?", (f"composerData:{cid}",)).fetchone()
    except sqlite3.Error:
        return True
    return row is not None


def _copilot(payload: dict[str, Any], home: Path) -> Located:
    """The CLI's `sessionEnd` sends `sessionId`; its events are `session-state/<id>/events.jsonl`.

    VS Code's `Stop` sends `session_id` and a `transcript_path` of its own; its chat session file
    is `workspaceStorage/<hash>/chatSessions/<id>.json(l)`, which is what we read when it exists.
    """
    sid = ""
    try:
        sid = _session_id(payload, "sessionId", "session_id")
    except NotLocated:
        pass
    if sid:
        root = agent_homes.copilot_dir(home)
        found = _newest([root / "session-state" / sid / "events.jsonl", root / "session-state" / f"{sid}.jsonl"])
        if found is not None:
            return Located(found, "copilot-cli")
        chats = [user / "workspaceStorage" for app in agent_homes.COPILOT_EDITORS
                 for user in agent_homes.editor_user_dirs(app, home, True)]
        found = _newest(p for ws in chats for p in ws.glob(f"*/chatSessions/{sid}.json*"))
        if found is not None:
            return Located(found, "copilot-vscode")
    path = _given_path(payload, "transcriptPath", "transcript_path")
    if path is not None:
        return Located(path, None)
    raise NotLocated(f"no transcript for Copilot session {sid or '(no sessionId)'}")


def _cline(payload: dict[str, Any], home: Path) -> Located:
    """Cline sends `taskId`; the task folder is `<tasks root>/<taskId>/` (we give its UI log)."""
    task = _session_id(payload, "taskId")
    for root in agent_homes.cline_task_roots("cline", home, True):
        folder = root / task
        for name in ("ui_messages.json", "api_conversation_history.json"):
            if (folder / name).is_file():
                return Located(folder / name, "cline")
    raise NotLocated(f"no Cline task folder {task} in the editors' globalStorage or ~/.cline/data/tasks")


def _missing(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    if isinstance(value, str) and value:
        return f"transcript not found: {value}"
    return f"no {key} in the hook input"


_LOCATORS: dict[str, Callable[[dict[str, Any], Path], Located]] = {
    "claude-code": _claude_code, "codex": _codex, "gemini": _gemini, "cursor": _cursor,
    "copilot": _copilot, "cline": _cline,
}
assert set(_LOCATORS) == set(SESSION_EVENTS)
