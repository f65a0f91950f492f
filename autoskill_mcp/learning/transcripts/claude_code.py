"""Claude Code session transcripts (`~/.claude/projects/<dir>/<sessionId>.jsonl`).

What this reader decides:

- The live branch: lines form a tree through `uuid`/`parentUuid` (`logicalParentUuid` across a
  `compact_boundary`). Where two user prompts share a parent the user rewound and rephrased;
  the branch that leads to the last line is kept, the other is dropped (counted in `skipped` as
  `abandoned_branch`), and the first prompt of the kept branch becomes a CORRECTION "rewind"
  when the abandoned one was written before it. Other forks (parallel tool results, hook
  progress) are not branches and everything on them is kept.
- Streaming: one API response is split over several lines with the same `message.id`; adjacent
  text blocks of one message become one REPLY, a block repeated under the same id is read once.
- Injected text is never a PROMPT: `isMeta` lines become META (or are dropped when they are pure
  noise: caveats, `<system-reminder>`, task notifications), compaction summaries become SUMMARY,
  `<local-command-stdout>` and `!` shell mode become META.
- Slash commands (`<command-name>/x</command-name><command-args>…`) become a PROMPT "/x args",
  except the harness's own UI commands (/model, /mcp, /clear, /compact, …) which become META:
  those change the tool, not the task.
- Corrections: `[Request interrupted by user…]` → "interrupt" (no text: the user typed none);
  a rejected tool call → "rejected_tool" with the reason the user typed, if any, as text.
- Sub-agents: 2.1.x `<sessionId>/subagents/agent-*.jsonl` (+ `.meta.json`), 2.0.x
  `agent-*.jsonl` beside the session (matched on `sessionId`), each a Session of its own with
  `parent_session_id`; 1.x inline `isSidechain` lines stay in the main session, marked sidechain.
  Every event of a sub-agent is a sidechain event: its "user" is the parent agent.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from autoskill_mcp.learning.session import Kind, Role, Session, ToolUse, skip
from autoskill_mcp.learning.transcripts.builder import SessionBuilder, tool_use
from autoskill_mcp.learning.transcripts.fields import (
    TOOL_TEXT_LIMIT,
    as_dict,
    as_list,
    as_str,
    clip,
    compact_json,
    parse_ts,
    strip_ansi,
    text_of,
)
from autoskill_mcp.learning.transcripts.source import (
    ReadOptions,
    TranscriptError,
    iter_jsonl,
    jsonl_records,
    loads,
    record_guard,
)

AGENT = "claude-code"
CONVERSATION_TYPES = {"user", "assistant", "system"}
_KEPT_FIELDS = ("type", "subtype", "uuid", "parentUuid", "logicalParentUuid", "timestamp", "isSidechain", "isMeta",
                "isCompactSummary", "agentId", "content", "toolUseResult", "toolDenialKind")
TITLE_TYPES = {"custom-title": "customTitle", "ai-title": "aiTitle"}

INTERRUPT = "[Request interrupted by user"
REJECTED = "The user doesn't want to proceed with this tool use"
REJECTED_PLAN = "The agent proposed a plan that was rejected by the user"
DENIED = "Permission for this tool use was denied"
CONTINUED = "This session is being continued from a previous conversation"
NOISE_PREFIXES = ("Caveat:", "<local-command-caveat>", "<system-reminder>", "<task-notification>",
                  "<user-prompt-submit-hook>")
META_PREFIXES = ("<local-command-stdout>", "<local-command-stderr>", "<bash-input>", "<bash-stdout>",
                 "<bash-stderr>")
# Commands that drive the harness (settings, dialogs, context management), not the task.
UI_COMMANDS = frozenset({
    "add-dir", "agents", "bashes", "bug", "clear", "compact", "config", "context", "copy", "cost",
    "doctor", "effort", "exit", "export", "fast", "feedback", "help", "hooks", "ide",
    "install-github-app", "keybindings", "login", "logout", "mcp", "memory", "model", "output-style",
    "permissions", "plugin", "plugins", "privacy-settings", "quit", "release-notes", "remote-env",
    "rename", "resume", "rewind", "sandbox", "stats", "status", "statusline", "tasks",
    "terminal-setup", "theme", "todos", "upgrade", "usage", "vim",
})
_COMMAND = re.compile(r"<command-name>\s*(.*?)\s*</command-name>", re.S)
_ARGS = re.compile(r"<command-args>(.*?)</command-args>", re.S)
_TAG = re.compile(r"</?(?:local-command-stdout|local-command-stderr|bash-input|bash-stdout|bash-stderr)>")
_AGENT_FILE = re.compile(r"^agent-[A-Za-z0-9-]+\.jsonl$")
_REASON = re.compile(r"the user said:\s*(.*)\Z", re.S)


def read(path: Path, opts: ReadOptions) -> list[Session]:
    """The session in `path` and the sub-agent sessions that belong to it."""
    path = _transcript_file(path)
    if is_subagent_file(path):
        return [_read_file(path, opts, subagent=True)]
    main = _read_file(path, opts, subagent=False)
    sessions = [main]
    for sub in _subagent_files(path, main.session_id):
        try:
            sessions.append(_read_file(sub, opts, subagent=True))
        except TranscriptError as exc:
            main.warnings.append(f"sub-agent {sub.name}: {exc}")
    return sessions


def _transcript_file(path: Path) -> Path:
    """A `.meta.json` sidecar or a `<sessionId>/` folder stands for its transcript file."""
    if path.name.endswith(".meta.json"):
        return path.with_name(path.name.removesuffix(".meta.json") + ".jsonl")
    if path.is_dir():
        main = path.with_name(path.name + ".jsonl")
        if main.is_file():
            return main
        raise TranscriptError(f"{path}: a Claude Code session folder without its {main.name}")
    return path


def is_subagent_file(path: Path) -> bool:
    """A sub-agent transcript: `agent-<id>.jsonl`, or any file under a `subagents/` folder."""
    return bool(_AGENT_FILE.match(path.name)) or path.parent.name == "subagents"


def _subagent_files(main: Path, session_id: str) -> list[Path]:
    """2.1.x files under `<sessionId>/subagents/`, then 2.0.x `agent-*.jsonl` siblings of this session."""
    folder = main.with_suffix("") / "subagents"
    found = sorted(folder.glob("agent-*.jsonl")) + sorted(folder.glob("workflows/*/agent-*.jsonl"))
    for sibling in sorted(main.parent.glob("agent-*.jsonl")):
        if not _AGENT_FILE.match(sibling.name):
            continue
        first = next((r for r in jsonl_records(sibling, limit=5) if r.get("sessionId")), {})
        if first.get("sessionId") == session_id:
            found.append(sibling)
    return found


def _read_file(path: Path, opts: ReadOptions, *, subagent: bool) -> Session:
    session = Session(session_id=path.stem, agent=AGENT, path=str(path))
    recs: list[tuple[int, dict[str, Any]]] = []
    titles: dict[str, str] = {}
    summaries: list[tuple[str, str]] = []
    seen: dict[str, dict[str, Any]] = {}
    file_sid = ""
    for line, rec in iter_jsonl(path, session, opts.max_bytes):
        with record_guard(session, f"line {line}"):
            kind = as_str(rec.get("type"))
            file_sid = file_sid or as_str(rec.get("sessionId"))
            if session.cwd is None and as_str(rec.get("cwd")):
                session.cwd = rec["cwd"]
            if kind in CONVERSATION_TYPES:
                rec = _slim(rec)
                uuid = as_str(rec.get("uuid"))
                if uuid and seen.get(uuid) == rec:           # a resumed session replays lines
                    skip(session, "duplicate")
                    continue
                if uuid:
                    seen.setdefault(uuid, rec)
                recs.append((line, rec))
            elif kind in TITLE_TYPES:
                titles[kind] = as_str(rec.get(TITLE_TYPES[kind]))
            elif kind == "summary":
                summaries.append((as_str(rec.get("summary")), as_str(rec.get("leafUuid"))))
            else:
                skip(session, as_str(kind) or "untyped")
    if not recs and not session.warnings and not titles and not summaries and not session.skipped:
        raise TranscriptError(f"{path}: empty transcript")
    uuids = {as_str(r.get("uuid")) for _, r in recs}
    session.title = (titles.get("custom-title") or titles.get("ai-title")
                     or next((text for text, leaf in summaries if text and leaf in uuids), None))
    agent_id = next((as_str(r.get("agentId")) for _, r in recs if as_str(r.get("agentId"))), "")
    subagent = subagent or bool(recs and agent_id and all(r.get("isSidechain") is True for _, r in recs))
    if subagent:
        parent = _parent_folder(path) or (file_sid if file_sid != f"agent-{agent_id}" else "")
        name = f"agent-{agent_id}" if agent_id else path.stem
        session.parent_session_id = parent or None
        session.session_id = f"{parent}/{name}" if parent else name
        _name_subagent(session, path)
    elif file_sid:
        session.session_id = file_sid
    builder = SessionBuilder(session, str(path), sidechain=subagent)
    keep, rewinds = _live_branch(recs)
    _Emitter(builder).emit(recs, keep, rewinds)
    return builder.finish()


def _slim(rec: dict[str, Any]) -> dict[str, Any]:
    """The record with only what the reader uses, big texts clipped: the whole file's records are
    held until the live branch is known, so they must stay small."""
    keep = {k: rec[k] for k in _KEPT_FIELDS if k in rec}
    if not isinstance(keep.get("toolUseResult"), str) or len(keep["toolUseResult"]) > 100:
        keep.pop("toolUseResult", None)
    msg = as_dict(rec.get("message"))
    content = msg.get("content")
    if isinstance(content, str):
        content = clip(content)
    elif isinstance(content, list):
        content = [_slim_block(as_dict(b)) for b in content]
    keep["message"] = {"id": msg.get("id"), "content": content}
    return keep


def _slim_block(block: dict[str, Any]) -> dict[str, Any]:
    kind = block.get("type")
    if kind == "tool_result":
        return {"type": kind, "tool_use_id": block.get("tool_use_id"), "is_error": block.get("is_error"),
                "content": clip(text_of(block.get("content")), TOOL_TEXT_LIMIT * 2)}
    if kind == "tool_use":
        args = compact_json(block.get("input"))
        return {"type": kind, "id": block.get("id"), "name": block.get("name"),
                "input": block.get("input") if len(args) <= TOOL_TEXT_LIMIT else clip(args, TOOL_TEXT_LIMIT)}
    if kind in ("text", "thinking"):
        return {"type": kind, kind: clip(as_str(block.get(kind)))}
    return {"type": kind}


def _parent_folder(path: Path) -> str:
    """2.1.x keeps sub-agents under `<sessionId>/subagents/`: the folder names the parent."""
    for ancestor in path.parents:
        if ancestor.name == "subagents":
            return ancestor.parent.name
    return ""


def _name_subagent(session: Session, path: Path) -> None:
    meta_path = path.with_name(path.stem + ".meta.json")
    if meta_path.is_file() and meta_path.stat().st_size < 1_000_000:
        try:
            meta = as_dict(loads(meta_path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            meta = {}
        session.title = session.title or as_str(meta.get("description")) or as_str(meta.get("agentType")) or None


def _live_branch(recs: list[tuple[int, dict[str, Any]]]) -> tuple[set[int], set[str]]:
    """Indexes of the records to keep, and the uuids of prompts that start a rewound branch."""
    uuid_of = [as_str(r.get("uuid")) for _, r in recs]
    count = Counter(u for u in uuid_of if u)
    index_of: dict[str, int] = {}
    for i, u in enumerate(uuid_of):
        if u:
            index_of.setdefault(u, i)

    def parent(i: int) -> str:
        rec = recs[i][1]
        p = as_str(rec.get("parentUuid"))
        if not p and rec.get("subtype") == "compact_boundary":
            p = as_str(rec.get("logicalParentUuid"))
        return p if p != uuid_of[i] else ""

    children: dict[str, list[int]] = defaultdict(list)
    for i in range(len(recs)):
        if uuid_of[i] and parent(i):
            children[parent(i)].append(i)
    leaf = next((i for i in reversed(range(len(recs)))
                 if uuid_of[i] and recs[i][1].get("isSidechain") is not True), None)
    live_path: set[str] = set()
    at = leaf
    while at is not None and uuid_of[at] not in live_path:
        live_path.add(uuid_of[at])
        at = index_of.get(parent(at))

    dropped: set[int] = set()
    rewinds: set[str] = set()
    for p, kids in children.items():
        if count[p] > 1:
            continue
        starts = [k for k in kids if count[uuid_of[k]] == 1 and _starts_turn(recs[k][1])]
        if len(starts) < 2:
            continue
        on_path = [k for k in starts if uuid_of[k] in live_path]
        keep = on_path[0] if on_path else max(starts)
        for k in starts:
            if k != keep:
                dropped |= _subtree(k, uuid_of, children)
        if any(k < keep for k in starts):
            rewinds.add(uuid_of[keep])
    dropped = {i for i in dropped if uuid_of[i] not in live_path}
    return set(range(len(recs))) - dropped, rewinds


def _subtree(root: int, uuid_of: list[str], children: dict[str, list[int]]) -> set[int]:
    out, stack = set(), [root]
    while stack:
        i = stack.pop()
        if i in out:
            continue
        out.add(i)
        stack.extend(children.get(uuid_of[i], ()))
    return out


def _starts_turn(rec: dict[str, Any]) -> bool:
    """A user line the human typed: what a rewind replaces."""
    if rec.get("type") != "user" or rec.get("isMeta") is True or rec.get("isCompactSummary") is True:
        return False
    content = as_dict(rec.get("message")).get("content")
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else as_list(content)
    texts = [as_str(as_dict(b).get("text")) for b in blocks if as_dict(b).get("type") == "text"]
    return any(_classify(t)[0] == "prompt" for t in texts)


def _classify(text: str) -> tuple[str, str]:
    """What a user-role text is, and its clean text.

    prompt (typed words) | command (a task slash command) | action (a UI command, `!` shell input)
    | output (command output) | noise | interrupt | summary.
    """
    stripped = text.strip()
    if not stripped:
        return "noise", ""
    if stripped.startswith(INTERRUPT):
        return "interrupt", ""
    if stripped.startswith(CONTINUED):
        return "summary", stripped
    head = stripped[:400]
    if "<command-name>" in head:
        name = (m.group(1) if (m := _COMMAND.search(stripped)) else "").strip()
        args = (m.group(1) if (m := _ARGS.search(stripped)) else "").strip()
        command = f"/{name.lstrip('/')}" + (f" {args}" if args else "")
        return ("action" if name.lstrip("/") in UI_COMMANDS else "command"), command
    if stripped.startswith(NOISE_PREFIXES):
        return "noise", ""
    if stripped.startswith(META_PREFIXES):
        clean = strip_ansi(_TAG.sub("", stripped)).strip()
        if stripped.startswith("<bash-input>"):
            return "action", "! " + clean
        return "output", clean
    return "prompt", stripped


class _Emitter:
    """Turns the kept records, in file order, into events."""

    def __init__(self, builder: SessionBuilder) -> None:
        self.b = builder
        self.s = builder.session
        self.calls: dict[str, ToolUse] = {}
        self.blocks_seen: set[tuple[str, str]] = set()

    def emit(self, recs: list[tuple[int, dict[str, Any]]], keep: set[int], rewinds: set[str]) -> None:
        for i, (line, rec) in enumerate(recs):
            if i not in keep:
                skip(self.s, "abandoned_branch")
                continue
            with record_guard(self.s, f"line {line}"):
                uid = as_str(rec.get("uuid")) or f"L{line}"
                ts = parse_ts(rec.get("timestamp"))
                side = rec.get("isSidechain") is True
                kind = rec.get("type")
                if kind == "assistant":
                    self._assistant(rec, uid, ts, side, line)
                elif kind == "user":
                    self._user(rec, uid, ts, side, line, rewind=uid in rewinds)
                else:
                    self._system(rec, uid, ts, side, line)

    def _assistant(self, rec: dict[str, Any], uid: str, ts: Any, side: bool, line: int) -> None:
        msg = as_dict(rec.get("message"))
        mid = as_str(msg.get("id")) or uid
        content = msg.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else as_list(content)
        for n, raw in enumerate(blocks):
            block = as_dict(raw)
            btype = as_str(block.get("type"))
            buid = uid if n == 0 else f"{uid}#{n}"
            signature = (mid, btype + ":" + (as_str(block.get("id")) or compact_json(block)[:2000]))
            if signature in self.blocks_seen:
                skip(self.s, "duplicate_block")
                continue
            self.blocks_seen.add(signature)
            if btype == "text":
                text = as_str(block.get("text"))
                if text.strip():
                    self.b.add_text(Role.ASSISTANT, Kind.REPLY, text.strip(), key=("reply", mid), uid=buid,
                                    ts=ts, sidechain=side, ref=line)
            elif btype == "thinking":
                thought = as_str(block.get("thinking"))
                if thought.strip():
                    self.b.add(Role.ASSISTANT, Kind.THINKING, thought, uid=buid, ts=ts, sidechain=side, ref=line)
            elif btype == "tool_use":
                call = tool_use(as_str(block.get("name")), block.get("input"), as_str(block.get("id")))
                if call.call_id:
                    self.calls[call.call_id] = call
                self.b.add(Role.ASSISTANT, Kind.TOOL_CALL, uid=buid, ts=ts, tool=call, sidechain=side, ref=line)
            else:
                skip(self.s, f"assistant.{btype or 'untyped'}")

    def _user(self, rec: dict[str, Any], uid: str, ts: Any, side: bool, line: int, *, rewind: bool) -> None:
        content = as_dict(rec.get("message")).get("content")
        if rec.get("isCompactSummary") is True:
            self.b.add(Role.SYSTEM, Kind.SUMMARY, text_of(content).strip(), uid=uid, ts=ts, sidechain=side, ref=line)
            return
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else as_list(content)
        for n, raw in enumerate(blocks):
            block = as_dict(raw)
            btype = block.get("type")
            buid = uid if n == 0 else f"{uid}#{n}"
            if btype == "tool_result":
                self._tool_result(rec, block, buid, ts, side, line)
            elif btype == "text":
                self._user_text(as_str(block.get("text")), rec.get("isMeta") is True, buid, ts, side, line, rewind)
            else:
                skip(self.s, f"user.{btype or 'untyped'}")

    def _user_text(self, text: str, is_meta: bool, uid: str, ts: Any, side: bool, line: int, rewind: bool) -> None:
        what, clean = _classify(text)
        if what == "interrupt":
            self.b.add(Role.USER, Kind.CORRECTION, "", uid=uid, ts=ts, correction="interrupt", sidechain=side, ref=line)
        elif what == "summary":
            self.b.add(Role.SYSTEM, Kind.SUMMARY, clean, uid=uid, ts=ts, sidechain=side, ref=line)
        elif what == "noise":
            skip(self.s, "injected")
        elif what == "action":
            self.b.add(Role.USER, Kind.META, clean, uid=uid, ts=ts, sidechain=side, ref=line)
        elif what == "output" or is_meta:
            self.b.add(Role.SYSTEM, Kind.META, clean, uid=uid, ts=ts, sidechain=side, ref=line)
        elif rewind and what == "prompt":
            self.b.add(Role.USER, Kind.CORRECTION, clean, uid=uid, ts=ts, correction="rewind", sidechain=side, ref=line)
        else:
            self.b.add(Role.USER, Kind.PROMPT, clean, uid=uid, ts=ts, sidechain=side, ref=line)

    def _tool_result(self, rec: dict[str, Any], block: dict[str, Any], uid: str, ts: Any, side: bool,
                     line: int) -> None:
        call_id = as_str(block.get("tool_use_id"))
        output = text_of(block.get("content"))
        call = self.calls.get(call_id)
        name, call_input = (call.name, call.input) if call else ("unknown", "")
        rejected = (output.startswith((REJECTED, REJECTED_PLAN, DENIED))
                    or rec.get("toolDenialKind") == "user-rejected"
                    or rec.get("toolUseResult") == "User rejected tool use")
        if rejected:
            reason = (m.group(1).strip() if (m := _REASON.search(output)) else "")
            self.b.add(Role.USER, Kind.CORRECTION, reason, uid=uid, ts=ts, correction="rejected_tool",
                       tool=tool_use(name, call_input, call_id, output, True), sidechain=side, ref=line)
        else:
            self.b.add(Role.TOOL, Kind.TOOL_RESULT, uid=uid, ts=ts, sidechain=side, ref=line,
                       tool=tool_use(name, call_input, call_id, output, block.get("is_error") is True))

    def _system(self, rec: dict[str, Any], uid: str, ts: Any, side: bool, line: int) -> None:
        subtype = as_str(rec.get("subtype"))
        if subtype == "local_command":
            what, clean = _classify(as_str(rec.get("content")))
            if clean and what in ("action", "command", "output"):    # the harness's echo of a local command
                role = Role.SYSTEM if what == "output" else Role.USER
                self.b.add(role, Kind.META, clean, uid=uid, ts=ts, sidechain=side, ref=line)
                return
        skip(self.s, f"system.{subtype or 'untyped'}")
