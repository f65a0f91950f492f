"""The normalized session: what every transcript reader produces and extraction reads.

One model for eight agents' formats. Readers keep who
said what, in order, with the structural correction signals each format records
(interrupts, rejected tool calls, rewinds); lexical corrections ("no, instead ...")
are recognised later by extraction, which knows the languages.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"
    SYSTEM = "system"


class Kind(StrEnum):
    PROMPT = "prompt"            # the user's own words
    REPLY = "reply"              # the assistant's visible answer
    THINKING = "thinking"        # the assistant's reasoning, when stored in clear
    TOOL_CALL = "tool_call"
    TOOL_RESULT = "tool_result"
    CORRECTION = "correction"    # the user's words that reject or redirect what the agent did
    SUMMARY = "summary"          # a compaction summary written by the agent (secondary evidence)
    META = "meta"                # injected text kept for context (slash-command output, notices)


@dataclass(frozen=True, slots=True)
class ToolUse:
    name: str
    input: str = ""              # the call's arguments as compact JSON text (truncated by readers)
    call_id: str | None = None
    output: str | None = None    # filled on TOOL_RESULT events (truncated by readers)
    is_error: bool = False


@dataclass(frozen=True, slots=True)
class Event:
    """One normalized step of a session."""

    role: Role
    kind: Kind
    text: str = ""
    #: stable id within the file (record uuid, or "L<line>"): incremental ingest keys on it
    uid: str = ""
    ts: datetime | None = None         # timezone-aware when the format says so
    tool: ToolUse | None = None
    correction: str | None = None      # why this is a correction: interrupt | rejected_tool | rewind | undo | feedback
    is_sidechain: bool = False         # said inside a sub-agent, not the main thread
    source_ref: str = ""               # where in the source: "path:line" or a DB key


@dataclass(slots=True)
class Session:
    """A conversation between a user and one coding agent, on its live branch, in order."""

    session_id: str
    #: claude-code | codex | gemini | cursor | cline | roo | aider | copilot | openai-chat
    agent: str
    events: list[Event] = field(default_factory=list)
    path: str | None = None             # the file (or DB) it came from
    cwd: str | None = None
    project: str | None = None          # a project name when the format has one (else derived from cwd)
    title: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    parent_session_id: str | None = None  # set on sub-agent sessions
    skipped: dict[str, int] = field(default_factory=dict)   # unknown or dropped record types -> count
    warnings: list[str] = field(default_factory=list)       # truncated last line, bad JSON line 12, ...

    def user_events(self) -> list[Event]:
        """The user's own words on the main thread: prompts and corrections."""
        return [
            e for e in self.events
            if e.role is Role.USER and e.kind in (Kind.PROMPT, Kind.CORRECTION) and not e.is_sidechain
        ]

    def corrections(self) -> list[Event]:
        return [e for e in self.events if e.kind is Kind.CORRECTION and not e.is_sidechain]

    def content_hash(self) -> str:
        """A digest of what extraction reads, so an unchanged re-ingest is recognised."""
        h = hashlib.sha256()
        for e in self.events:
            h.update(f"{e.uid}\x1f{e.role}\x1f{e.kind}\x1f{e.text}\x1e".encode("utf-8", "surrogatepass"))
        return h.hexdigest()


def skip(session: Session, what: str, n: int = 1) -> None:
    """Count a record a reader did not use (unknown types are counted, never fatal)."""
    session.skipped[what] = session.skipped.get(what, 0) + n
