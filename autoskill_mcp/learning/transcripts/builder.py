"""Building a Session event by event, the same way for every reader.

The builder clips text and tool input/output (so memory stays bounded on huge logs), keeps
each event's uid unique within the session, merges streamed pieces of one message into one
event, and tracks the session's time span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from autoskill_mcp.learning.session import Event, Kind, Role, Session, ToolUse
from autoskill_mcp.learning.transcripts.fields import TEXT_LIMIT, TOOL_TEXT_LIMIT, clip, compact_json


def tool_use(name: str, input: Any = None, call_id: str | None = None,
             output: str | None = None, is_error: bool = False) -> ToolUse:
    """A ToolUse with input and output clipped to the tool text limit."""
    return ToolUse(
        name=name or "unknown",
        input=clip(compact_json(input), TOOL_TEXT_LIMIT),
        call_id=call_id or None,
        output=None if output is None else clip(output, TOOL_TEXT_LIMIT),
        is_error=is_error,
    )


@dataclass(slots=True)
class _Run:
    """Text pieces waiting to become one event."""

    key: object
    role: Role
    kind: Kind
    uid: str
    ts: datetime | None
    sidechain: bool
    ref: object
    pieces: list[str] = field(default_factory=list)
    size: int = 0


class SessionBuilder:
    """Appends normalized events to a session read from `source` (a path or DB name)."""

    def __init__(self, session: Session, source: str, *, sidechain: bool = False) -> None:
        self.session = session
        self.source = source
        self.sidechain = sidechain           # every event is a sub-agent's (its "user" is the parent agent)
        self._uids: set[str] = set()
        self._run: _Run | None = None
        self._first: datetime | None = None
        self._last: datetime | None = None

    def add(self, role: Role, kind: Kind, text: str = "", *, uid: str, ts: datetime | None = None,
            tool: ToolUse | None = None, correction: str | None = None, sidechain: bool = False,
            ref: object = None) -> Event:
        """Append one event (closing any merged text run first)."""
        self.flush()
        return self._append(role, kind, text, uid=uid, ts=ts, tool=tool, correction=correction,
                            sidechain=sidechain, ref=ref)

    def add_text(self, role: Role, kind: Kind, text: str, *, key: object, uid: str,
                 ts: datetime | None = None, sidechain: bool = False, ref: object = None,
                 sep: str = "\n\n") -> None:
        """Append text, merged with the previous piece when it has the same key (one streamed message)."""
        run = self._run
        if run is None or run.key != key or run.kind is not kind or run.role is not role:
            self.flush()
            run = self._run = _Run(key, role, kind, uid, ts, sidechain, ref)
        if run.size <= TEXT_LIMIT:             # past the limit the rest is cut anyway: stop collecting
            if run.pieces:
                run.pieces.append(sep)
            run.pieces.append(text)
            run.size += len(text) + len(sep)

    def flush(self) -> None:
        run, self._run = self._run, None
        if run is not None and run.pieces:
            self._append(run.role, run.kind, "".join(run.pieces), uid=run.uid, ts=run.ts,
                         sidechain=run.sidechain, ref=run.ref)

    def last(self) -> Event | None:
        self.flush()
        return self.session.events[-1] if self.session.events else None

    def finish(self) -> Session:
        """Close pending text, fill the time span and project, and return the session."""
        self.flush()
        s = self.session
        if s.started_at is None:
            s.started_at = self._first
        if s.ended_at is None:
            s.ended_at = self._last
        if s.project is None and s.cwd:
            s.project = project_of(s.cwd)
        return s

    def _append(self, role: Role, kind: Kind, text: str, *, uid: str, ts: datetime | None,
                tool: ToolUse | None = None, correction: str | None = None, sidechain: bool = False,
                ref: object = None) -> Event:
        uid = self._unique(uid)
        event = Event(
            role=role, kind=kind, text=clip(text), uid=uid, ts=ts, tool=tool, correction=correction,
            is_sidechain=sidechain or self.sidechain, source_ref=f"{self.source}:{uid if ref is None else ref}",
        )
        self.session.events.append(event)
        self._note(ts)
        return event

    def _unique(self, uid: str) -> str:
        uid = uid or f"E{len(self.session.events) + 1}"
        if uid in self._uids:
            n = 2
            while f"{uid}#{n}" in self._uids:
                n += 1
            uid = f"{uid}#{n}"
        self._uids.add(uid)
        return uid

    def _note(self, ts: datetime | None) -> None:
        if ts is None:
            return
        try:
            if self._first is None or ts < self._first:
                self._first = ts
            if self._last is None or ts > self._last:
                self._last = ts
        except TypeError:                      # a naive and an aware time in one file: keep the first kind
            pass


def project_of(cwd: str) -> str | None:
    """The project name a working directory stands for: its last path component."""
    path = PureWindowsPath(cwd) if ("\\" in cwd or (len(cwd) > 1 and cwd[1] == ":")) else PurePosixPath(cwd)
    return path.name or None
