"""OpenAI Codex CLI rollouts (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`).

Three shapes are read: the current envelope (`{timestamp, type,
payload}` per line), the mid-2025 pre-envelope file (a bare header line, `record_type` markers,
bare Responses-API items) and the early JSON document (`{session, items}`).

Each prompt and answer is written twice. The user's words come from `event_msg/user_message`
(no AGENTS.md or `<environment_context>` injected); only a file without any of those falls back
to `response_item` user messages, minus the injected ones. Answers, reasoning and tool calls
come from `response_item`; their `event_msg` echoes are counted as skipped. `turn_aborted`
(Esc) is a CORRECTION "interrupt", `undo_completed` a CORRECTION "undo"; `compacted` is a SUMMARY.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from autoskill_mcp.learning.session import Kind, Role, Session, skip
from autoskill_mcp.learning.transcripts.builder import SessionBuilder, tool_use
from autoskill_mcp.learning.transcripts.fields import as_dict, as_list, as_str, parse_ts, text_of
from autoskill_mcp.learning.transcripts.source import (
    ReadOptions,
    TranscriptError,
    iter_jsonl,
    load_json,
    loads,
    record_guard,
)

AGENT = "codex"
ENVELOPE_TYPES = {"session_meta", "response_item", "event_msg", "turn_context", "compacted", "world_state",
                  "inter_agent_communication", "inter_agent_communication_metadata"}
INJECTED_PREFIXES = ("# AGENTS.md instructions", "<user_instructions>", "<environment_context>", "<turn_aborted>",
                     "<INSTRUCTIONS>", "<user_shell_command>", "<permissions instructions>")
_ROLLOUT_ID = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


def read(path: Path, opts: ReadOptions) -> list[Session]:
    reader = _Rollout(path)
    if opts.doc is not None or path.suffix == ".json":
        doc = as_dict(opts.doc if opts.doc is not None else load_json(path, opts.max_bytes))
        reader.meta(as_dict(doc.get("session")), None)
        for n, item in enumerate(as_list(doc.get("items")), 1):
            with record_guard(reader.s, f"item {n}"):
                reader.response_item(as_dict(item), None, f"I{n}", n)
        return [reader.finish()]
    for line, rec in iter_jsonl(path, reader.s, opts.max_bytes):
        with record_guard(reader.s, f"line {line}"):
            reader.record(rec, line)
    if reader.records == 0:
        raise TranscriptError(f"{path}: no Codex records in it")
    return [reader.finish()]


class _Rollout:
    """The state of one rollout being read."""

    def __init__(self, path: Path) -> None:
        m = _ROLLOUT_ID.search(path.stem)
        self.s = Session(session_id=m.group(1) if m else path.stem, agent=AGENT, path=str(path))
        self.b = SessionBuilder(self.s, str(path))
        self.records = 0
        self.has_meta = False
        self.typed_prompts = 0                  # event_msg/user_message seen
        self.fallback_prompts: list[int] = []   # indexes of prompts taken from response_item
        self.calls: dict[str, tuple[str, str]] = {}

    def record(self, rec: dict[str, Any], line: int) -> None:
        self.records += 1
        kind = as_str(rec.get("type"))
        payload = rec.get("payload")
        ts = parse_ts(rec.get("timestamp"))
        uid = f"L{line}"
        if kind in ENVELOPE_TYPES and isinstance(payload, dict):
            handler = {"session_meta": self.meta, "turn_context": self.turn_context}.get(kind)
            if handler:
                handler(payload, ts)
            elif kind == "response_item":
                self.response_item(payload, ts, uid, line)
            elif kind == "event_msg":
                self.event(payload, ts, uid, line)
            elif kind == "compacted":
                self.compacted(payload, ts, uid, line)
            else:
                skip(self.s, kind)
        elif rec.get("record_type"):
            skip(self.s, f"record_type.{rec.get('record_type')}")
        elif line <= 2 and "id" in rec and "timestamp" in rec and "type" not in rec:
            self.meta(rec, ts)                                       # pre-envelope header line
        elif kind and "payload" not in rec:
            self.response_item(rec, ts, uid, line)                   # pre-envelope bare item
        else:
            skip(self.s, as_str(kind) or "untyped")

    def meta(self, p: dict[str, Any], ts: datetime | None) -> None:
        if self.has_meta:                       # resumed or nested threads repeat it; the first one names the file
            skip(self.s, "session_meta.repeat")
            return
        self.has_meta = True
        sid = as_str(p.get("id")) or as_str(p.get("session_id"))
        if sid:
            self.s.session_id = sid
        self.s.cwd = self.s.cwd or as_str(p.get("cwd")) or None
        self.s.started_at = parse_ts(p.get("timestamp")) or ts
        spawn = as_dict(as_dict(as_dict(p.get("source")).get("subagent")).get("thread_spawn"))
        parent = as_str(spawn.get("parent_thread_id")) or as_str(p.get("parent_thread_id"))
        self.s.parent_session_id = parent or None

    def turn_context(self, p: dict[str, Any], ts: datetime | None) -> None:
        if not self.s.cwd and as_str(p.get("cwd")):
            self.s.cwd = p["cwd"]

    def response_item(self, p: dict[str, Any], ts: datetime | None, uid: str, line: int) -> None:
        kind = as_str(p.get("type"))
        if kind == "message":
            role = p.get("role")
            text = text_of(p.get("content")).strip()
            if role == "user":
                if text and not text.startswith(INJECTED_PREFIXES):
                    self.b.add(Role.USER, Kind.PROMPT, text, uid=uid, ts=ts, ref=line)
                    self.fallback_prompts.append(len(self.s.events) - 1)
                else:
                    skip(self.s, "injected")
            elif role == "assistant":
                if text:
                    self.b.add(Role.ASSISTANT, Kind.REPLY, text, uid=uid, ts=ts, ref=line)
            else:
                skip(self.s, f"message.{role}")
        elif kind == "reasoning":
            summary = text_of(p.get("summary")).strip()
            if summary:
                self.b.add(Role.ASSISTANT, Kind.THINKING, summary, uid=uid, ts=ts, ref=line)
            else:
                skip(self.s, "reasoning.encrypted")
        elif kind in ("function_call", "custom_tool_call", "local_shell_call", "web_search_call"):
            name = as_str(p.get("name")) or kind.removesuffix("_call")
            args = p.get("arguments") if kind == "function_call" else p.get("input", p.get("action"))
            call_id = as_str(p.get("call_id")) or as_str(p.get("id"))
            call = tool_use(name, args, call_id)
            self.calls[call_id] = (call.name, call.input)
            self.b.add(Role.ASSISTANT, Kind.TOOL_CALL, uid=uid, ts=ts, tool=call, ref=line)
        elif kind in ("function_call_output", "custom_tool_call_output", "local_shell_call_output"):
            call_id = as_str(p.get("call_id"))
            name, args = self.calls.get(call_id, ("unknown", ""))
            output, failed = _output(p.get("output"))
            self.b.add(Role.TOOL, Kind.TOOL_RESULT, uid=uid, ts=ts, ref=line,
                       tool=tool_use(name, args, call_id, output, failed))
        else:
            skip(self.s, f"response_item.{kind or 'untyped'}")

    def event(self, p: dict[str, Any], ts: datetime | None, uid: str, line: int) -> None:
        kind = as_str(p.get("type"))
        if kind == "user_message":
            text = as_str(p.get("message")).strip()
            self.typed_prompts += 1
            if text:
                self.b.add(Role.USER, Kind.PROMPT, text, uid=uid, ts=ts, ref=line)
        elif kind == "turn_aborted":
            self.b.add(Role.USER, Kind.CORRECTION, "", uid=uid, ts=ts, correction="interrupt", ref=line)
        elif kind == "undo_completed":
            self.b.add(Role.USER, Kind.CORRECTION, "", uid=uid, ts=ts, correction="undo", ref=line)
        elif kind == "thread_name_updated" and as_str(p.get("thread_name")):
            self.s.title = p["thread_name"]
        else:
            skip(self.s, f"event_msg.{kind or 'untyped'}")

    def compacted(self, p: dict[str, Any], ts: datetime | None, uid: str, line: int) -> None:
        summary = as_str(p.get("message")).strip()
        if summary:
            self.b.add(Role.SYSTEM, Kind.SUMMARY, summary, uid=uid, ts=ts, ref=line)
        else:
            skip(self.s, "compacted.empty")

    def finish(self) -> Session:
        self.b.flush()
        if self.typed_prompts and self.fallback_prompts:
            drop = set(self.fallback_prompts)
            self.s.events = [e for i, e in enumerate(self.s.events) if i not in drop]
            skip(self.s, "response_item.user_echo", len(drop))
        return self.b.finish()


def _output(raw: Any) -> tuple[str, bool]:
    """A tool output's text and whether it failed (a non-zero exit code)."""
    if isinstance(raw, str):
        try:
            parsed = loads(raw)
        except ValueError:  # not JSON, or nested too deeply
            return raw, False
        if isinstance(parsed, dict) and "output" in parsed:
            code = as_dict(parsed.get("metadata")).get("exit_code")
            return text_of(parsed.get("output")) or json.dumps(parsed["output"]), code not in (None, 0)
        return raw, False
    if isinstance(raw, dict):
        return text_of(raw) or json.dumps(raw, ensure_ascii=False), raw.get("success") is False
    return text_of(raw), False
