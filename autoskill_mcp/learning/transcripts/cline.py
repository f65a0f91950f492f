"""Cline and Roo Code task folders (`<editor User>/globalStorage/<extension>/tasks/<taskId>/`).

`ui_messages.json` is read when present (it has timestamps and the
user's replies as typed); otherwise `api_conversation_history.json` (the messages sent to the
model, with `<environment_details>` noise stripped and tool calls written as XML tags).

Which user replies are corrections is decided by what the agent was waiting for:
- a reply to a tool approval (`ask: tool | command | use_mcp_server | browser_action_launch`) is
  the user turning the tool down with a reason: CORRECTION "rejected_tool"; a denial without
  words ("The user denied this operation.") is one too;
- a reply after the agent said it was done (`ask: completion_result`) is CORRECTION "feedback";
- an answer to the agent's question (`followup`) or new instructions on resuming a task are
  PROMPTs. Whether their words negate the work is left to lexical extraction.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from autoskill_mcp.learning.session import Kind, Role, Session, skip
from autoskill_mcp.learning.transcripts.builder import SessionBuilder, tool_use
from autoskill_mcp.learning.transcripts.fields import as_dict, as_list, as_str, parse_ts, text_of
from autoskill_mcp.learning.transcripts.source import ReadOptions, TranscriptError, load_json, loads, record_guard

UI_FILE = "ui_messages.json"
API_FILE = "api_conversation_history.json"
META_FILE = "task_metadata.json"
TASK_FILES = (UI_FILE, API_FILE, META_FILE)
TOOL_ASKS = {"tool", "command", "use_mcp_server", "browser_action_launch"}
DENIED = "The user denied this operation"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_WORKSPACE = re.compile(r"Current Workspace Directory \((.+?)\) Files")
_ENV = re.compile(r"<environment_details>.*?(?:</environment_details>|\Z)", re.S)
_TAGGED = {tag: re.compile(rf"<{tag}>\s*(.*?)\s*</{tag}>", re.S)
           for tag in ("task", "feedback", "answer", "user_message")}
_RESULT_HEAD = re.compile(r"^\[(.+?)\] Result:\s*", re.S)
_INTERRUPTED = "[Response interrupted by"
# Tools of the XML protocol (older Cline, Roo): a top-level tag in the assistant's text.
XML_TOOLS = ("read_file", "write_to_file", "apply_diff", "replace_in_file", "insert_content", "search_and_replace",
             "search_files", "list_files", "list_code_definition_names", "codebase_search", "execute_command",
             "use_mcp_tool", "access_mcp_resource", "ask_followup_question", "attempt_completion", "new_task",
             "switch_mode", "update_todo_list", "browser_action", "fetch_instructions", "plan_mode_respond",
             "new_rule", "generate_image", "run_slash_command")
_XML_TOOL = re.compile(rf"<({'|'.join(XML_TOOLS)})>(.*?)(?:</\1>|\Z)", re.S)
_THINKING = re.compile(r"<thinking>(.*?)</thinking>", re.S)


def task_folder(path: Path) -> Path:
    return path.parent if path.name in TASK_FILES else path


def flavor(path: Path) -> str:
    """"roo" or "cline": by extension id in the path, else by task id (Cline: epoch ms, Roo: UUID)."""
    text = str(path).lower()
    if "rooveterinaryinc.roo-cline" in text:
        return "roo"
    if "saoudrizwan.claude-dev" in text or "/.cline/" in text.replace("\\", "/"):
        return "cline"
    task_id = task_folder(path).name.rsplit("__", 1)[-1]
    return "roo" if _UUID.search(task_id.lower()) else "cline"


def read(path: Path, opts: ReadOptions) -> list[Session]:
    folder = task_folder(path)
    if not folder.is_dir() or not any((folder / name).is_file() for name in (UI_FILE, API_FILE)):
        raise TranscriptError(f"{folder}: not a Cline/Roo task folder (no {UI_FILE} or {API_FILE})")
    session = Session(session_id=folder.name, agent=opts.fmt or flavor(folder), path=str(folder))
    meta = as_dict(load_json(folder / META_FILE, opts.max_bytes)) if (folder / META_FILE).is_file() else {}
    session.cwd = as_str(meta.get("workspace")) or None
    session.started_at = parse_ts(meta.get("createdAt"))
    b = SessionBuilder(session, str(folder))
    history = None
    if (folder / API_FILE).is_file() and (session.cwd is None or not (folder / UI_FILE).is_file()):
        history = as_list(load_json(folder / API_FILE, opts.max_bytes))
        session.cwd = session.cwd or _workspace(history)
    if (folder / UI_FILE).is_file():
        _UiMessages(b, folder / UI_FILE).read(as_list(load_json(folder / UI_FILE, opts.max_bytes)))
    else:
        _ApiHistory(b, folder / API_FILE).read(history or [])
    return [b.finish()]


def _workspace(history: list[Any]) -> str | None:
    for message in history[:3]:
        m = _WORKSPACE.search(text_of(as_dict(message).get("content")))
        if m:
            return m.group(1)
    return None


def _json_text(text: str) -> dict[str, Any]:
    try:
        return as_dict(loads(text))
    except ValueError:  # not JSON, or nested too deeply
        return {}


class _UiMessages:
    """`ui_messages.json`: the chat as the user saw it."""

    def __init__(self, b: SessionBuilder, path: Path) -> None:
        self.b, self.s, self.ref = b, b.session, path.name
        self.last_ask = ""
        self.last_call: tuple[str, str] = ("unknown", "")
        self.prompted = False

    def read(self, messages: list[Any]) -> None:
        for n, raw in enumerate(messages):
            m = as_dict(raw)
            with record_guard(self.s, f"{self.ref}[{n}]"):
                if m.get("partial") is True:
                    skip(self.s, "partial")
                elif m.get("type") == "ask":
                    self.ask(m, n)
                else:
                    self.say(m, n)

    def ask(self, m: dict[str, Any], n: int) -> None:
        ask, text, ts, uid = as_str(m.get("ask")), as_str(m.get("text")), parse_ts(m.get("ts")), f"ui{n}"
        self.last_ask = ask
        if ask == "tool" or ask == "new_task":
            data = _json_text(text)
            self.call(as_str(data.get("tool")) or ask, data or text, uid, ts, n)
        elif ask == "command":
            self.call("execute_command", text, uid, ts, n)
        elif ask == "use_mcp_server":
            data = _json_text(text)
            parts = (as_str(data.get("serverName")), as_str(data.get("toolName") or data.get("uri")))
            name = ".".join(x for x in parts if x)
            self.call(name or "use_mcp_server", data.get("arguments", text), uid, ts, n)
        elif ask == "browser_action_launch":
            self.call("browser_action", text, uid, ts, n)
        elif ask == "followup":
            question = as_str(_json_text(text).get("question")) or text
            if question.strip():
                self.b.add(Role.ASSISTANT, Kind.REPLY, question.strip(), uid=uid, ts=ts, ref=f"{self.ref}[{n}]")
        elif ask in ("completion_result", "resume_task", "resume_completed_task"):
            pass                                               # the agent waits: the next reply is judged by it
        else:
            skip(self.s, f"ask.{ask or 'untyped'}")

    def say(self, m: dict[str, Any], n: int) -> None:
        say, text, ts, uid = as_str(m.get("say")), as_str(m.get("text")), parse_ts(m.get("ts")), f"ui{n}"
        ref = f"{self.ref}[{n}]"
        if say == "task" or (say == "text" and not self.prompted and not self.s.events):
            self.prompted = True
            if text.strip():
                self.b.add(Role.USER, Kind.PROMPT, text.strip(), uid=uid, ts=ts, ref=ref)
        elif say in ("text", "completion_result"):
            if text.strip():
                self.b.add(Role.ASSISTANT, Kind.REPLY, text.strip(), uid=uid, ts=ts, ref=ref)
        elif say == "reasoning":
            if text.strip():
                self.b.add(Role.ASSISTANT, Kind.THINKING, text, uid=uid, ts=ts, ref=ref)
        elif say in ("user_feedback", "user_feedback_diff"):
            self.feedback(say, text, uid, ts, ref)
        elif say in ("mcp_server_response", "command_output", "subtask_result"):
            name, args = self.last_call
            self.b.add(Role.TOOL, Kind.TOOL_RESULT, uid=uid, ts=ts, ref=ref, tool=tool_use(name, args, None, text))
        elif say in ("tool", "command"):
            data = _json_text(text) if say == "tool" else {}
            tool = as_str(data.get("tool")) or ("execute_command" if say == "command" else "tool")
            self.call(tool, data or text, uid, ts, n)
        elif say == "api_req_started" and DENIED in as_str(_json_text(text).get("request")):
            last = self.b.last()
            if not (last and last.correction == "rejected_tool"):
                name, args = self.last_call
                self.b.add(Role.USER, Kind.CORRECTION, "", uid=uid, ts=ts, correction="rejected_tool", ref=ref,
                           tool=tool_use(name, args, None, DENIED + ".", True))
        else:
            skip(self.s, f"say.{say or 'untyped'}")

    def feedback(self, say: str, text: str, uid: str, ts: Any, ref: str) -> None:
        text = text.strip()
        if say == "user_feedback_diff":
            diff = _json_text(text)
            self.b.add(Role.USER, Kind.CORRECTION, as_str(diff.get("diff")) or text, uid=uid, ts=ts,
                       correction="feedback", ref=ref)
        elif self.last_ask in TOOL_ASKS:
            name, args = self.last_call
            self.b.add(Role.USER, Kind.CORRECTION, text, uid=uid, ts=ts, correction="rejected_tool", ref=ref,
                       tool=tool_use(name, args, None, text, True))
        elif self.last_ask == "completion_result":
            self.b.add(Role.USER, Kind.CORRECTION, text, uid=uid, ts=ts, correction="feedback", ref=ref)
        elif text:
            self.b.add(Role.USER, Kind.PROMPT, text, uid=uid, ts=ts, ref=ref)
        self.last_ask = ""

    def call(self, name: str, args: Any, uid: str, ts: Any, n: int) -> None:
        call = tool_use(name, args)
        self.last_call = (call.name, call.input)
        self.b.add(Role.ASSISTANT, Kind.TOOL_CALL, uid=uid, ts=ts, tool=call, ref=f"{self.ref}[{n}]")


class _ApiHistory:
    """`api_conversation_history.json`: what was sent to the model, read when the UI log is missing."""

    def __init__(self, b: SessionBuilder, path: Path) -> None:
        self.b, self.s, self.ref = b, b.session, path.name
        self.last_tool = ""
        self.pending = ""                  # a "[tool] Result:" header whose output is the next text block
        self.calls: dict[str, tuple[str, str]] = {}

    def read(self, messages: list[Any]) -> None:
        for n, raw in enumerate(messages):
            m = as_dict(raw)
            content = m.get("content")
            blocks = [{"type": "text", "text": content}] if isinstance(content, str) else as_list(content)
            ts = parse_ts(m.get("ts"))
            with record_guard(self.s, f"{self.ref}[{n}]"):
                for k, raw_block in enumerate(blocks):
                    block = as_dict(raw_block)
                    uid, ref = f"api{n}" + (f".{k}" if k else ""), f"{self.ref}[{n}]"
                    if m.get("role") == "assistant":
                        self.assistant(block, uid, ts, ref)
                    else:
                        self.user(block, uid, ts, ref)

    def assistant(self, block: dict[str, Any], uid: str, ts: Any, ref: str) -> None:
        kind = block.get("type")
        if kind == "tool_use":
            call = tool_use(as_str(block.get("name")), block.get("input"), as_str(block.get("id")))
            self.calls[call.call_id or ""] = (call.name, call.input)
            self.last_tool = call.name
            self.b.add(Role.ASSISTANT, Kind.TOOL_CALL, uid=uid, ts=ts, tool=call, ref=ref)
            return
        if kind == "thinking":
            self.b.add(Role.ASSISTANT, Kind.THINKING, as_str(block.get("thinking")), uid=uid, ts=ts, ref=ref)
            return
        text = as_str(block.get("text"))
        text = text.split(_INTERRUPTED, 1)[0]
        for m in _THINKING.finditer(text):
            if m.group(1).strip():
                self.b.add(Role.ASSISTANT, Kind.THINKING, m.group(1).strip(), uid=f"{uid}/thinking", ts=ts, ref=ref)
        text = _THINKING.sub("", text)
        tool = _XML_TOOL.search(text)
        prose = (text[:tool.start()] if tool else text).strip()
        if prose:
            self.b.add(Role.ASSISTANT, Kind.REPLY, prose, uid=uid, ts=ts, ref=ref)
        if tool:
            self.last_tool = tool.group(1)
            self.b.add(Role.ASSISTANT, Kind.TOOL_CALL, uid=f"{uid}/tool", ts=ts, ref=ref,
                       tool=tool_use(tool.group(1), tool.group(2).strip()))

    def user(self, block: dict[str, Any], uid: str, ts: Any, ref: str) -> None:
        if block.get("type") == "tool_result":
            call_id = as_str(block.get("tool_use_id"))
            name, args = self.calls.get(call_id, (self.last_tool or "unknown", ""))
            output = text_of(block.get("content"))
            if output.startswith(DENIED):
                self.b.add(Role.USER, Kind.CORRECTION, _tagged(output, "feedback"), uid=uid, ts=ts, ref=ref,
                           correction="rejected_tool", tool=tool_use(name, args, call_id, output, True))
            else:
                self.b.add(Role.TOOL, Kind.TOOL_RESULT, uid=uid, ts=ts, ref=ref,
                           tool=tool_use(name, args, call_id, output, block.get("is_error") is True))
            return
        text = _ENV.sub("", as_str(block.get("text"))).strip()
        if not text:
            skip(self.s, "environment_details")
            return
        head = _RESULT_HEAD.match(text)
        pending, self.pending = self.pending, ""
        if text.startswith("<task>"):
            self.b.add(Role.USER, Kind.PROMPT, _tagged(text, "task"), uid=uid, ts=ts, ref=ref)
        elif "<user_message>" in text:
            self.b.add(Role.USER, Kind.PROMPT, _tagged(text, "user_message"), uid=uid, ts=ts, ref=ref)
        elif "<feedback>" in text:
            rejected = DENIED in text or self.last_tool != "attempt_completion"
            self.b.add(Role.USER, Kind.CORRECTION, _tagged(text, "feedback"), uid=uid, ts=ts, ref=ref,
                       correction="rejected_tool" if rejected else "feedback")
        elif "<answer>" in text:
            self.b.add(Role.USER, Kind.PROMPT, _tagged(text, "answer"), uid=uid, ts=ts, ref=ref)
        elif text.startswith(DENIED):
            self.b.add(Role.USER, Kind.CORRECTION, "", uid=uid, ts=ts, ref=ref, correction="rejected_tool",
                       tool=tool_use(pending or self.last_tool or "unknown", None, None, text, True))
        elif head:
            name = head.group(1).split(" ", 1)[0]
            output = text[head.end():].strip()
            if output:
                self.b.add(Role.TOOL, Kind.TOOL_RESULT, uid=uid, ts=ts, ref=ref,
                           tool=tool_use(name, None, None, output))
            else:
                self.pending = name
        elif pending:
            self.b.add(Role.TOOL, Kind.TOOL_RESULT, uid=uid, ts=ts, ref=ref,
                       tool=tool_use(pending, None, None, text, "<error>" in text[:200]))
        else:
            skip(self.s, "user.text")


def _tagged(text: str, tag: str) -> str:
    m = _TAGGED[tag].search(text)
    return (m.group(1) if m else text).strip()
