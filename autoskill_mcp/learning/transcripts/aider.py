"""Aider chat history (`.aider.chat.history.md` in the repository root).

The file is appended to by every aider run in the repository; each
`# aider chat started at YYYY-MM-DD HH:MM:SS` line opens a Session (its time is local and has no
zone, so it stays naive). `#### ` lines are the user's input (consecutive ones form one
multi-line input), `> ` lines are aider's own output (kept as META without the banner and the
`Tokens:` cost lines), anything else is the assistant's reply including its edit blocks.

Slash commands: `/undo` (revert the last aider commit) is a CORRECTION "undo"; `/ask`, `/code`,
`/architect` and `/context` carry a request and are PROMPTs; the other commands (`/add`, `/run`,
`/diff`, `/clear`, …) operate the tool and become META. The session's cwd is the folder the
history file is in: aider writes it in the git root.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from autoskill_mcp.learning.session import Kind, Role, Session, skip
from autoskill_mcp.learning.transcripts.builder import SessionBuilder
from autoskill_mcp.learning.transcripts.fields import parse_ts
from autoskill_mcp.learning.transcripts.source import ReadOptions, TranscriptError, checked_size

AGENT = "aider"
HISTORY_NAME = ".aider.chat.history.md"
_START = re.compile(r"^# aider chat started at (\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})\s*$")
PROMPT_COMMANDS = {"/ask", "/code", "/architect", "/context"}
_NOISE = re.compile(r"^(Tokens: |Cost: |Use /help|Aider v\d|Model: |Models: |Git repo: |Repo-map: "
                    r"|Main model: |Weak model: |Editor model: )")


def read(path: Path, opts: ReadOptions) -> list[Session]:
    checked_size(path, opts.max_bytes)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TranscriptError(f"{path}: not a UTF-8 text file, so not an aider history") from None
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if "# aider chat started at" not in text and "\n####" not in "\n" + text:
        raise TranscriptError(f"{path}: no `# aider chat started at` header and no `####` input lines")
    file_key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    sessions: list[Session] = []
    reader: _Block | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        m = _START.match(line)
        if m:
            if reader:
                sessions.append(reader.finish())
            reader = _Block(path, file_key, m.group(1), lineno)
        elif reader is None:
            if line.strip():
                reader = _Block(path, file_key, None, lineno)     # a history cut before its header
                reader.line(line, lineno)
        else:
            reader.line(line, lineno)
    if reader:
        sessions.append(reader.finish())
    if not sessions:
        raise TranscriptError(f"{path}: empty aider history")
    return sessions


class _Block:
    """One `# aider chat started at` block being read."""

    def __init__(self, path: Path, file_key: str, started: str | None, lineno: int) -> None:
        stamp = started.replace(" ", "T") if started else f"L{lineno}"
        self.s = Session(session_id=f"aider-{file_key}-{stamp}", agent=AGENT, path=str(path),
                         cwd=str(path.resolve().parent), started_at=parse_ts(started) if started else None)
        self.b = SessionBuilder(self.s, str(path))
        self.kind = ""                   # what the open run of lines is: user | tool | reply
        self.lines: list[str] = []
        self.start = lineno
        self.prompted = False            # banner lines before the first input are not kept
        self.fenced = False              # inside a ``` block of the reply

    def line(self, line: str, lineno: int) -> None:
        if line.startswith("####"):
            kind, body = "user", line[4:].removeprefix(" ").rstrip()
            self.fenced = False
        elif self.kind == "reply" and (self.fenced or line.startswith("```")):
            if line.startswith("```"):        # aider's output lines never fall inside a reply's code block
                self.fenced = not self.fenced
            self.lines.append(line.rstrip())
            return
        elif line.startswith("> ") or line.rstrip() == ">":
            kind, body = "tool", line[1:].removeprefix(" ").rstrip()
        elif not line.strip():
            if self.kind == "reply":
                self.lines.append("")
            else:                        # a blank line ends an input or an output block
                self.flush()
                self.kind = ""
            return
        else:
            kind, body = "reply", line.rstrip()
            if line.startswith("```"):
                self.fenced = not self.fenced
        if kind != self.kind:
            self.flush()
            self.kind, self.start = kind, lineno
        self.lines.append(body)

    def flush(self) -> None:
        lines, self.lines = self.lines, []
        text = "\n".join(lines).strip()
        uid = f"L{self.start}"
        if not text:
            return
        if self.kind == "user":
            self.user(text, uid)
        elif self.kind == "tool":
            kept = [ln for ln in text.splitlines() if not _NOISE.match(ln)]
            if not self.prompted:
                skip(self.s, "banner")
            elif "".join(kept).strip():
                self.b.add(Role.SYSTEM, Kind.META, "\n".join(kept).strip(), uid=uid, ref=self.start)
            else:
                skip(self.s, "cost_line")
        else:
            self.b.add(Role.ASSISTANT, Kind.REPLY, text, uid=uid, ref=self.start)

    def user(self, text: str, uid: str) -> None:
        self.prompted = True
        command = text.split(None, 1)[0] if text.startswith("/") else ""
        if command == "/undo":
            self.b.add(Role.USER, Kind.CORRECTION, text, uid=uid, correction="undo", ref=self.start)
        elif command and command not in PROMPT_COMMANDS:
            self.b.add(Role.USER, Kind.META, text, uid=uid, ref=self.start)
        else:
            self.b.add(Role.USER, Kind.PROMPT, text, uid=uid, ref=self.start)

    def finish(self) -> Session:
        self.flush()
        return self.b.finish()
