"""Transcript readers: real coding-agent sessions into the normalized Session model.

One module per agent's format (claude_code, codex, gemini, cursor, cline, aider, copilot,
openai_chat), all producing `autoskill_mcp.learning.session.Session`. The public surface:

- `read_transcript(path)` -> sessions in a file or folder (format detected or given),
- `detect_format(path)` -> the format name, or None,
- `discover(agent)` -> where this machine's agents keep their sessions,
- `session_from_messages(messages)` -> a Session from in-memory chat messages.

Bad input (unreadable, too large, of no known format) raises `TranscriptError`, an
`InvalidInputError`; odd records inside a readable file are warnings and `skipped` counts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from autoskill_mcp.learning.session import Session
from autoskill_mcp.learning.transcripts import aider, claude_code, cline, codex, copilot, cursor, gemini, openai_chat
from autoskill_mcp.learning.transcripts.detect import FORMATS, detect
from autoskill_mcp.learning.transcripts.discover import AGENTS, discover
from autoskill_mcp.learning.transcripts.openai_chat import session_from_messages
from autoskill_mcp.learning.transcripts.source import DEFAULT_MAX_BYTES, ReadOptions, TranscriptError

__all__ = ["AGENTS", "FORMATS", "TranscriptError", "detect_format", "discover", "read_transcript",
           "session_from_messages"]

Reader = Callable[[Path, ReadOptions], list[Session]]
READERS: dict[str, Reader] = {
    "claude-code": claude_code.read,
    "codex": codex.read,
    "gemini": gemini.read,
    "cursor": cursor.read_ide,
    "cursor-agent": cursor.read_agent,
    "cline": cline.read,
    "roo": cline.read,
    "aider": aider.read,
    "copilot-vscode": copilot.read_vscode,
    "copilot-cli": copilot.read_cli,
    "openai-chat": openai_chat.read,
    "chatgpt-export": openai_chat.read,
}
assert set(READERS) == set(FORMATS)


def detect_format(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                  problems: list[str] | None = None) -> str | None:
    """The format name of a transcript file or folder (see FORMATS); None when it is not one.

    Never raises for what it is given (missing, empty, unreadable, broken), so it can filter a
    folder's files. Given `problems`, it appends why a path that may be a transcript cannot be
    read (an empty or truncated file, a corrupt database), so a caller can report the file it
    skips; a file of no known kind is no problem, just not a transcript.
    """
    try:
        found = detect(_existing(path), max_bytes)
    except TranscriptError as exc:
        if problems is not None:
            problems.append(str(exc))
        return None
    return found.fmt if found else None


def read_transcript(path: str | Path, *, format: str | None = None,
                    max_bytes: int = DEFAULT_MAX_BYTES) -> list[Session]:
    """The sessions in a transcript file or folder; a sub-agent's session comes with its parent's.

    `format` skips detection (one of FORMATS). `max_bytes` bounds each file that is loaded or
    streamed; tool inputs and outputs are clipped so memory stays bounded on huge logs.
    """
    path = _existing(path)
    if format is not None and format not in READERS:
        raise TranscriptError(f"unknown transcript format {format!r}; known formats: {', '.join(FORMATS)}")
    doc = None
    if format is None:
        found = detect(path, max_bytes)
        if found is None:
            raise TranscriptError(
                f"{path}: cannot tell which agent wrote this; pass format= one of {', '.join(FORMATS)}")
        format, doc = found.fmt, found.doc
    try:
        sessions = READERS[format](path, ReadOptions(max_bytes=max_bytes, doc=doc, fmt=format))
    except TranscriptError:
        raise
    except (OSError, sqlite3.Error, ValueError, TypeError, KeyError, AttributeError, IndexError,
            RecursionError, UnicodeError) as exc:
        raise TranscriptError(f"{path}: cannot read it as {format} ({type(exc).__name__}: {exc})") from exc
    if sessions and all(not s.events and set(s.skipped) == {"bad_line"} for s in sessions):
        raise TranscriptError(f"{path}: no readable {format} records ({sessions[0].warnings[0]})")
    return sessions


def _existing(path: str | Path) -> Path:
    path = Path(path).expanduser()
    if not path.exists():
        raise TranscriptError(f"{path}: no such file or folder")
    return path
