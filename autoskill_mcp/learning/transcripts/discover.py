"""Where each agent keeps its sessions on this machine .

`discover` returns the paths `read_transcript` takes: main session files (a session's
sub-agent files are read with it), Cline/Roo task folders, Cursor's global database. The
environment variables the agents honour move their homes (`CLAUDE_CONFIG_DIR`, `CODEX_HOME`,
`GEMINI_CLI_HOME`, `CURSOR_CONFIG_DIR`, `COPILOT_HOME`, `CLINE_DIR`); editors are looked for in
their macOS, Linux and Windows places under the home folder. Patterns have a fixed depth and a
path that resolves outside its agent's folder (a symlink out) is left out, so a symlink loop or
a link to elsewhere cannot make the scan wander.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from autoskill_mcp.learning import agent_homes
from autoskill_mcp.learning.agent_homes import COPILOT_EDITORS, editor_user_dirs
from autoskill_mcp.learning.transcripts import claude_code, cline
from autoskill_mcp.learning.transcripts.source import TranscriptError

AGENTS = ("claude-code", "codex", "gemini", "cursor", "cline", "roo", "aider", "copilot")
_ALIASES = {"cursor-agent": "cursor", "copilot-vscode": "copilot", "copilot-cli": "copilot"}


def discover(agent: str | None = None, *, since: datetime | timedelta | None = None,
             home: Path | None = None) -> list[Path]:
    """Transcript paths of one agent (or all), newest first, optionally only those changed since."""
    names = AGENTS if agent is None else (_ALIASES.get(agent, agent),)
    unknown = [n for n in names if n not in _FINDERS]
    if unknown:
        raise TranscriptError(f"unknown agent {agent!r}; known agents: {', '.join(AGENTS)}")
    base = Path(home) if home is not None else Path.home()
    cutoff = _cutoff(since)
    found: dict[Path, tuple[Path, float]] = {}            # resolved -> (path as found, mtime)
    for name in names:
        for root, pattern, keep in _FINDERS[name](base, home is None):
            for path, resolved in _matches(root, pattern, keep):
                mtime = _mtime(path)
                if cutoff is None or mtime >= cutoff:
                    found.setdefault(resolved, (path, mtime))
    return [path for path, _ in sorted(found.values(), key=lambda pm: (-pm[1], str(pm[0])))]


Finder = Callable[[Path, bool], Iterator[tuple[Path, str, Callable[[Path], bool]]]]


def _any(path: Path) -> bool:
    return True


def _claude(home: Path, real: bool) -> Iterator[tuple[Path, str, Callable[[Path], bool]]]:
    yield (agent_homes.claude_dir(home), "projects/*/*.jsonl",
           lambda p: not claude_code.is_subagent_file(p))


def _codex(home: Path, real: bool) -> Iterator[tuple[Path, str, Callable[[Path], bool]]]:
    root = agent_homes.codex_dir(home)
    yield root, "sessions/*/*/*/rollout-*.jsonl", _any
    yield root, "sessions/*/*/*/rollout-*.json", _any
    yield root, "archived_sessions/rollout-*.jsonl", _any


def _gemini(home: Path, real: bool) -> Iterator[tuple[Path, str, Callable[[Path], bool]]]:
    root = agent_homes.gemini_dir(home)
    yield root, "tmp/*/chats/session-*.jsonl", _any
    # a legacy .json is migrated to .jsonl on resume: the .jsonl then has everything
    yield root, "tmp/*/chats/session-*.json", lambda p: not p.with_suffix(".jsonl").exists()


def _cursor(home: Path, real: bool) -> Iterator[tuple[Path, str, Callable[[Path], bool]]]:
    for user in editor_user_dirs("Cursor", home, real):
        yield user, "globalStorage/state.vscdb", _any
    root = agent_homes.cursor_dir(home)
    yield root, "projects/*/agent-transcripts/*/*.jsonl", lambda p: p.stem == p.parent.name

    def no_transcript(store: Path) -> bool:
        return not any(root.glob(f"projects/*/agent-transcripts/{store.parent.name}/{store.parent.name}.jsonl"))
    yield root, "chats/*/*/store.db", no_transcript


def _cline_finder(flavor: str) -> Finder:
    def find(home: Path, real: bool) -> Iterator[tuple[Path, str, Callable[[Path], bool]]]:
        for tasks in agent_homes.cline_task_roots(flavor, home, real):
            yield tasks.parent, "tasks/*", _is_task
    return find


def _is_task(path: Path) -> bool:
    return path.is_dir() and any((path / name).is_file() for name in (cline.UI_FILE, cline.API_FILE))


def _aider(home: Path, real: bool) -> Iterator[tuple[Path, str, Callable[[Path], bool]]]:
    """Aider keeps its history in each repository: the home folder and, on the real home, the cwd."""
    yield home, ".aider.chat.history.md", _any
    if real:
        yield Path.cwd(), ".aider.chat.history.md", _any


def _copilot(home: Path, real: bool) -> Iterator[tuple[Path, str, Callable[[Path], bool]]]:
    for app in COPILOT_EDITORS:
        for user in editor_user_dirs(app, home, real):
            yield user, "workspaceStorage/*/chatSessions/*.json*", _session_file
            yield user, "globalStorage/emptyWindowChatSessions/*.json*", _session_file
    root = agent_homes.copilot_dir(home)
    yield root, "session-state/*/events.jsonl", _any
    yield root, "session-state/*.jsonl", _any


def _session_file(path: Path) -> bool:
    return path.suffix in (".json", ".jsonl")


_FINDERS: dict[str, Finder] = {
    "claude-code": _claude, "codex": _codex, "gemini": _gemini, "cursor": _cursor,
    "cline": _cline_finder("cline"), "roo": _cline_finder("roo"), "aider": _aider, "copilot": _copilot,
}


def _matches(root: Path, pattern: str, keep: Callable[[Path], bool]) -> Iterator[tuple[Path, Path]]:
    if not root.is_dir():
        return
    try:
        real_root = root.resolve()
        for path in root.glob(pattern):
            try:
                resolved = path.resolve()
            except (OSError, RuntimeError):          # a symlink loop
                continue
            if resolved.is_relative_to(real_root) and (path.is_file() or path.is_dir()) and keep(path):
                yield path, resolved
    except OSError:
        return


def _mtime(path: Path) -> float:
    """A file's mtime; a task folder's is its newest file's."""
    try:
        if path.is_dir():
            return max([path.stat().st_mtime] + [p.stat().st_mtime for p in path.iterdir() if p.is_file()])
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _cutoff(since: datetime | timedelta | None) -> float | None:
    if since is None:
        return None
    if isinstance(since, timedelta):
        return time.time() - since.total_seconds()
    if isinstance(since, datetime):
        return since.timestamp()
    raise TranscriptError(f"since must be a datetime or a timedelta, not {type(since).__name__}")


def entry_points(folder: Path, is_transcript: Callable[[Path], bool]) -> list[Path]:
    """The transcripts under a folder, each once: what `read_transcript` should be given.

    A folder that is itself a transcript (a Cline/Roo task, a Copilot CLI session, a Cursor agent
    folder) is one entry and is not searched further; a Claude Code session's companion folder
    (`<id>/subagents/...` beside `<id>.jsonl`) is left out, since the session is read with it; side
    files (`*.meta.json`) are never entries. Symlinked folders are not followed.
    """
    out: list[Path] = []

    def visit(d: Path) -> None:
        try:
            children = sorted(d.iterdir())
        except OSError:
            return
        for child in children:
            if child.is_symlink() and child.is_dir():
                continue
            if child.is_dir():
                if (d / f"{child.name}.jsonl").is_file():
                    continue  # a Claude Code session's companion folder: read with `<name>.jsonl`
                if is_transcript(child):
                    out.append(child)
                else:
                    visit(child)
            elif child.is_file() and not child.name.endswith(".meta.json") and is_transcript(child):
                out.append(child)

    visit(folder)
    return out


def transcript_roots(*, home: Path | None = None) -> list[Path]:
    """The folders (or single files) `discover` looks in: each agent's place, up to its pattern's first wildcard.

    What a server may read transcripts from when a caller names a path: `~/.claude/projects`, not
    all of `~/.claude` (which holds credentials); Cursor's global database, not its folder.
    """
    base = Path(home) if home is not None else Path.home()
    out: dict[Path, None] = {}
    for name in AGENTS:
        for root, pattern, _ in _FINDERS[name](base, home is None):
            fixed: list[str] = []
            for part in pattern.split("/"):
                if any(c in part for c in "*?["):
                    break
                fixed.append(part)
            out.setdefault(root.joinpath(*fixed), None)
    return list(out)
