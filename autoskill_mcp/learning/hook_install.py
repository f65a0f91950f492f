"""Installing `autoskill hook AGENT` into each agent's own documented hook configuration.

Each agent keeps hooks differently: JSON settings with an event -> entries map (Claude Code,
Gemini CLI, Cursor, Copilot), one `notify` program in TOML (Codex), executable files named
after the event (Cline). Install merges our entries and keeps everything else (unknown keys,
other hooks; TOML is edited as text, so its bytes stay as they were), writes atomically with a
backup, and is idempotent; uninstall removes only our entries. Agents with no hook (Aider, Roo
Code) get the scheduled `autoskill ingest --agent A --since ...` line instead. docs/agents.md
says, per agent, what is written where and where each format is documented.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import stat
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import agent_homes

#: agents with a hook we install, and the scopes each supports (Codex reads notify from the user's file)
SCOPES: dict[str, tuple[str, ...]] = {
    "claude-code": ("user", "project"), "codex": ("user",), "gemini": ("user", "project"),
    "cursor": ("user", "project"), "copilot": ("user", "project"), "cline": ("user", "project"),
}
#: agents that have no hook: what to do instead
NO_HOOK = {
    "aider": "Aider has no hook API; its history is .aider.chat.history.md in each repository.",
    "roo": "Roo Code has no hook API; its tasks are read from the editor's globalStorage.",
}
ALL_AGENTS = (*SCOPES, *NO_HOOK)
#: Cline runs the executable named after the hook; these are ours
CLINE_HOOKS = ("TaskComplete", "TaskCancel")
_MARK = "autoskill"
_NOTIFY_NOTE = "# autoskill: feeds each finished Codex turn to autoskill"
_SCRIPT_NOTE = "# autoskill: feeds finished Cline tasks to autoskill (`autoskill hooks uninstall --agent cline`)"


class InstallError(ValueError):
    """The configuration cannot take our entry as it is; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Change:
    path: Path
    changed: bool
    backup: Path | None = None


def hook_argv(agent: str, *, portable: bool = False) -> list[str]:
    """The argv an agent should run: the installed `autoskill`, else this interpreter.

    `portable` (a project's configuration, usually committed) names `autoskill` bare when it is on
    PATH, so the file holds no path of this machine's.
    """
    exe = shutil.which("autoskill")
    if exe:
        return ["autoskill" if portable else exe, "hook", agent]
    return [sys.executable, "-m", "autoskill_mcp", "hook", agent]


def hook_command(agent: str) -> str:
    return shlex.join(hook_argv(agent))


def config_path(agent: str, *, scope: str = "user", project: Path | None = None,
                home: Path | None = None) -> Path:
    """Where the agent reads its hook configuration for this scope."""
    if agent in NO_HOOK:
        raise InstallError(NO_HOOK[agent])
    if agent not in SCOPES:
        raise InstallError(f"unknown agent {agent!r}; known: {', '.join(ALL_AGENTS)}")
    if scope not in SCOPES[agent]:
        raise InstallError(f"{agent} reads its hook from the user's configuration only (no --scope {scope})")
    base = home if home is not None else Path.home()
    proj = (project or Path.cwd()) if scope == "project" else None
    if agent == "claude-code":
        return proj / ".claude" / "settings.json" if proj else agent_homes.claude_dir(base) / "settings.json"
    if agent == "codex":
        return agent_homes.codex_dir(base) / "config.toml"
    if agent == "gemini":
        return proj / ".gemini" / "settings.json" if proj else agent_homes.gemini_dir(base) / "settings.json"
    if agent == "cursor":
        return proj / ".cursor" / "hooks.json" if proj else agent_homes.cursor_dir(base) / "hooks.json"
    if agent == "copilot":
        return (proj / ".github" / "hooks" if proj else agent_homes.copilot_dir(base) / "hooks") / "autoskill.json"
    # cline: a folder of executables named after the hooks
    return proj / ".clinerules" / "hooks" if proj else base / "Documents" / "Cline" / "Hooks"


def fragment(agent: str, command: str) -> dict[str, Any]:
    """The JSON settings fragment that runs our hook (JSON-configured agents only)."""
    if agent == "claude-code":
        entry = {"type": "command", "command": command, "timeout": 10}
        return {"hooks": {"SessionEnd": [{"hooks": [entry]}],
                          "PreCompact": [{"matcher": "auto|manual", "hooks": [entry]}]}}
    if agent == "gemini":  # timeout in milliseconds
        entry = {"name": _MARK, "type": "command", "command": command, "timeout": 10000,
                 "description": "feed the finished session to autoskill"}
        return {"hooks": {"SessionEnd": [{"hooks": [entry]}], "PreCompress": [{"hooks": [entry]}]}}
    if agent == "cursor":
        return {"version": 1, "hooks": {"stop": [{"command": command}]}}
    if agent == "copilot":  # camelCase sessionEnd for the CLI, PascalCase Stop for VS Code (and the CLI)
        entry = {"type": "command", "command": command, "timeout": 10}
        return {"version": 1, "hooks": {"sessionEnd": [entry], "Stop": [entry]}}
    raise InstallError(f"{agent} is not configured through JSON settings")


def describe(agent: str, argv: list[str]) -> str:
    """What install writes, for `hooks show` and the confirmation prompt."""
    if agent == "codex":
        return _notify_line(argv)
    if agent == "cline":
        return "\n".join(f"{name}:\n{_script(argv)}" for name in CLINE_HOOKS)
    return json.dumps(fragment(agent, shlex.join(argv)), indent=2)


def install(agent: str, *, path: Path, argv: list[str]) -> Change:
    """Add our hook to the configuration at `path`; a second run changes nothing."""
    if agent == "codex":
        return _install_notify(path, argv)
    if agent == "cline":
        return _install_scripts(path, argv)
    return _install_json(agent, path, shlex.join(argv))


def uninstall(agent: str, *, path: Path) -> Change:
    """Remove only our entries; the rest of the configuration stays."""
    if agent == "codex":
        return _uninstall_notify(path)
    if agent == "cline":
        return _uninstall_scripts(path)
    return _uninstall_json(agent, path)


def installed(agent: str, *, path: Path) -> bool:
    if agent == "codex":
        return bool(path.is_file() and _runs_us(_toml(path).get("notify"), agent))
    if agent == "cline":
        return all(_is_ours(path / name) for name in CLINE_HOOKS)
    if not path.is_file():
        return False
    hooks = _json(path).get("hooks")
    if not isinstance(hooks, dict):
        return False
    return all(any(_runs_us(e, agent) for e in _list(hooks.get(event))) for event in fragment(agent, "")["hooks"])


def fallback(agent: str, *, every_minutes: int = 30) -> str:
    """A crontab line that ingests the agent's recent sessions on a schedule."""
    argv = hook_argv(agent)[:-2]
    return (f"*/{every_minutes} * * * * {shlex.join(argv)} ingest --agent {agent} --since {2 * every_minutes}m "
            ">/dev/null 2>&1")


# -- JSON settings ---------------------------------------------------------------------------------------


def _install_json(agent: str, path: Path, command: str) -> Change:
    current = _json(path) if path.is_file() else {}
    merged = json.loads(json.dumps(current))
    frag = fragment(agent, command)
    for key, value in frag.items():
        if key != "hooks":
            merged.setdefault(key, value)
    hooks = merged.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise InstallError(f"{path}: 'hooks' is not an object; fix it by hand first")
    for event, entries in frag["hooks"].items():
        existing = hooks.setdefault(event, [])
        if not isinstance(existing, list):
            raise InstallError(f"{path}: hooks.{event} is not a list; fix it by hand first")
        if not any(_runs_us(e, agent) for e in existing):
            existing.extend(entries)
    if merged == current:
        return Change(path, False)
    return _write(path, json.dumps(merged, indent=2, ensure_ascii=False) + "\n")


def _uninstall_json(agent: str, path: Path) -> Change:
    if not path.is_file():
        return Change(path, False)
    current = _json(path)
    hooks = current.get("hooks")
    if not isinstance(hooks, dict):
        return Change(path, False)
    kept = json.loads(json.dumps(current))
    for event, entries in list(hooks.items()):
        if not isinstance(entries, list):
            continue
        rest = [e for e in entries if not _runs_us(e, agent)]
        if len(rest) != len(entries):
            if rest:
                kept["hooks"][event] = rest
            else:
                del kept["hooks"][event]
    if kept == current:
        return Change(path, False)
    if not kept["hooks"]:
        del kept["hooks"]
    if agent == "copilot" and set(kept) <= {"version"}:  # our own file: nothing else in it
        backup = _backup(path)
        path.unlink()
        return Change(path, True, backup)
    return _write(path, json.dumps(kept, indent=2, ensure_ascii=False) + "\n")


def _json(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise InstallError(f"{path} is not valid JSON ({exc}); fix it by hand first") from exc
    if not isinstance(data, dict):
        raise InstallError(f"{path} does not hold a JSON object; fix it by hand first")
    return data


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _runs_us(entry: Any, agent: str) -> bool:
    text = json.dumps(entry)
    return f"hook {agent}" in text.replace('", "', " ") and _MARK in text


# -- Codex: notify in config.toml ------------------------------------------------------------------------


def _notify_line(argv: list[str]) -> str:
    return f"notify = [{', '.join(json.dumps(a) for a in argv)}]  {_NOTIFY_NOTE}"


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InstallError(f"{path} is not valid TOML ({exc}); fix it by hand first") from exc


def _install_notify(path: Path, argv: list[str]) -> Change:
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    data = _toml(path) if text else {}
    if "notify" in data:
        if _runs_us(data["notify"], "codex"):
            return Change(path, False)
        raise InstallError(
            f"{path} already has notify = {data['notify']!r}, and Codex runs one notify program. Either "
            f"make that program also run `{shlex.join(argv)} <payload>`, or ingest on a schedule:\n"
            f"  {fallback('codex')}")
    # a top-level key must come before the first [table]: put it first
    new = _notify_line(argv) + "\n" + text
    if tomllib.loads(new).get("notify") != argv:
        raise InstallError(f"{path}: the notify line did not read back as written; nothing changed")
    return _write(path, new)


def _uninstall_notify(path: Path) -> Change:
    if not path.is_file():
        return Change(path, False)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    kept = [ln for ln in lines if not (ln.lstrip().startswith("notify") and _NOTIFY_NOTE in ln)]
    if len(kept) == len(lines):
        return Change(path, False)
    new = "".join(kept)
    try:
        tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:
        raise InstallError(f"{path}: removing our notify line would break the file ({exc}); nothing changed") from exc
    return _write(path, new)


# -- Cline: executables named after the hook -------------------------------------------------------------


def _script(argv: list[str]) -> str:
    """Cline blocks the task on a hook that exits non-zero: where autoskill cannot run, still let it go on."""
    return f"#!/bin/sh\n{_SCRIPT_NOTE}\n{shlex.join(argv)} || echo '{{\"cancel\": false}}'\nexit 0\n"


def _is_ours(path: Path) -> bool:
    try:
        return path.is_file() and _SCRIPT_NOTE in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _install_scripts(folder: Path, argv: list[str]) -> Change:
    theirs = [folder / n for n in CLINE_HOOKS if (folder / n).exists() and not _is_ours(folder / n)]
    if theirs:
        raise InstallError(f"{', '.join(map(str, theirs))} already exist and are not ours; Cline runs one "
                           f"file per hook. Add `{shlex.join(argv)}` to them (it reads the same stdin), "
                           f"or ingest on a schedule:\n  {fallback('cline')}")
    body = _script(argv)
    changed = False
    for name in CLINE_HOOKS:
        path = folder / name
        if path.is_file() and path.read_text(encoding="utf-8") == body:
            continue
        _write(path, body, mode=0o755)
        changed = True
    return Change(folder, changed)


def _uninstall_scripts(folder: Path) -> Change:
    changed = False
    for name in CLINE_HOOKS:
        if _is_ours(folder / name):
            (folder / name).unlink()
            changed = True
    return Change(folder, changed)


# -- writing ---------------------------------------------------------------------------------------------


def _backup(path: Path) -> Path | None:
    if not path.exists():
        return None
    backup = path.with_name(path.name + ".autoskill-backup")
    shutil.copy2(path, backup)
    return backup


def _write(path: Path, text: str, *, mode: int | None = None) -> Change:
    """Write atomically (a temporary file renamed over the old one), keeping a backup of the old."""
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = _backup(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        if mode is not None:
            tmp.chmod(mode)
        elif path.exists():
            tmp.chmod(stat.S_IMODE(path.stat().st_mode))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return Change(path, True, backup)
