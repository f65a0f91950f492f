"""Agent hooks: feed finished sessions to the queue, and install the hook entries.

`autoskill hook claude-code` is run by Claude Code on SessionEnd and PreCompact
with the hook JSON on stdin. It enqueues the transcript and exits 0 within
milliseconds, always: a hook that fails or blocks can stall or loop the agent
(a Stop hook exiting 2 re-wakes it forever), so every error is logged to
`<home>/logs/hooks.log` and swallowed. If no worker is alive it starts one in
the background (`autoskill worker --idle-exit 60`), so learning happens without
a server running.

Only the standard library and the queue are imported here.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..config import AutoSkillConfig
from .queue import JobQueue

#: agents whose hook configuration we know, with the events that mean "a session's worth of transcript"
AGENT_EVENTS = {
    "claude-code": ("SessionEnd", "PreCompact", "SubagentStop"),
    "cursor": ("stop",),
}
#: how long a hook waits for its stdin before giving up (agents write it at once)
STDIN_TIMEOUT = 2.0
MAX_STDIN = 1024 * 1024


@dataclass(frozen=True, slots=True)
class HookOutcome:
    action: str        # enqueued | duplicate | skipped
    detail: str
    job_id: str | None = None


def run_hook(agent: str, stdin: TextIO, *, home: Path | None = None, user_id: str | None = None,
             spawn_worker: bool = True) -> HookOutcome:
    """Handle one hook call; never raises (errors become a 'skipped' outcome, logged)."""
    config = AutoSkillConfig()
    root = home or config.home
    try:
        payload = _read_payload(stdin)
        outcome = _handle(agent, payload, root, user_id or config.resolved_user())
    except Exception as exc:  # noqa: BLE001 - a hook must never fail its agent
        outcome = HookOutcome("skipped", f"error: {type(exc).__name__}: {exc}")
    _log(root, agent, outcome)
    if outcome.action == "enqueued" and spawn_worker:
        try:
            _ensure_worker(root)
        except Exception as exc:  # noqa: BLE001
            _log(root, agent, HookOutcome("skipped", f"could not start a worker: {exc}"))
    return outcome


def _read_payload(stdin: TextIO) -> dict[str, Any]:
    import select

    try:
        ready, _, _ = select.select([stdin], [], [], STDIN_TIMEOUT)
    except (ValueError, OSError, TypeError):  # not a real file (tests pass StringIO): just read it
        ready = [stdin]
    if not ready:
        raise ValueError("no hook input on stdin")
    text = stdin.read(MAX_STDIN)
    data = json.loads(text or "{}")
    if not isinstance(data, dict):
        raise ValueError("hook input is not a JSON object")
    return data


def _handle(agent: str, payload: dict[str, Any], home: Path, user_id: str) -> HookOutcome:
    if agent not in AGENT_EVENTS:
        return HookOutcome("skipped", f"unknown agent {agent!r}; known: {', '.join(AGENT_EVENTS)}")
    event = str(payload.get("hook_event_name") or payload.get("hookEventName") or payload.get("event") or "")
    if event and event not in AGENT_EVENTS[agent]:
        return HookOutcome("skipped", f"event {event} is not a session boundary")
    path = payload.get("agent_transcript_path") if event == "SubagentStop" else payload.get("transcript_path")
    if not path or not isinstance(path, str):
        return HookOutcome("skipped", "no transcript_path in the hook input")
    transcript = Path(path).expanduser()
    if not transcript.is_file():
        return HookOutcome("skipped", f"transcript not found: {transcript}")
    home_real = os.path.realpath(home)
    for place in (str(transcript), str(payload.get("cwd") or "")):
        if place and os.path.realpath(place).startswith(home_real + os.sep):
            return HookOutcome("skipped", "a session run inside autoskill's own store (its extraction)")
    fmt = "claude-code" if agent == "claude-code" else None
    with JobQueue(home) as queue:
        job_id, created = queue.enqueue_path(transcript, user_id=user_id, format=fmt)
    return HookOutcome("enqueued" if created else "duplicate", str(transcript), job_id)


def _ensure_worker(home: Path) -> None:
    import subprocess

    with JobQueue(home) as queue:
        if queue.live_workers() or not queue.counts()["queued"]:
            return
    logs = home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "worker.log", "ab") as log_file:
        subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "autoskill_mcp", "worker", "--home", str(home), "--idle-exit", "60"],
            stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file, start_new_session=True,
            close_fds=True,
        )


def _log(home: Path, agent: str, outcome: HookOutcome) -> None:
    try:
        logs = home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        with open(logs / "hooks.log", "a", encoding="utf-8") as f:
            f.write(f"{stamp} {agent} {outcome.action} {outcome.job_id or '-'} {outcome.detail}\n")
    except OSError:
        pass


# -- installing ------------------------------------------------------------------------------------------


def hook_command(agent: str) -> str:
    """The command line an agent should run: the installed `autoskill`, else this interpreter."""
    import shutil

    exe = shutil.which("autoskill")
    if exe:
        return f"{_quote(exe)} hook {agent}"
    return f"{_quote(sys.executable)} -m autoskill_mcp hook {agent}"


def settings_path(agent: str, *, project: Path | None = None) -> Path:
    """Where the agent reads hook settings: the user's file, or the project's with `project`."""
    if agent == "claude-code":
        if project is not None:
            return project / ".claude" / "settings.json"
        base = os.environ.get("CLAUDE_CONFIG_DIR")
        return (Path(base).expanduser() if base else Path.home() / ".claude") / "settings.json"
    if agent == "cursor":
        return (project / ".cursor" if project is not None else Path.home() / ".cursor") / "hooks.json"
    raise ValueError(f"no documented hook settings for {agent!r}; supported: {', '.join(AGENT_EVENTS)}")


def hook_entries(agent: str, command: str) -> dict[str, Any]:
    """The settings fragment that runs our hook."""
    if agent == "claude-code":
        return {"hooks": {
            "SessionEnd": [{"hooks": [{"type": "command", "command": command, "timeout": 10}]}],
            "PreCompact": [{"matcher": "auto|manual",
                            "hooks": [{"type": "command", "command": command, "timeout": 10}]}],
        }}
    if agent == "cursor":
        return {"version": 1, "hooks": {"stop": [{"command": command}]}}
    raise ValueError(f"no documented hook settings for {agent!r}")


def install(agent: str, *, path: Path, command: str) -> tuple[dict[str, Any], bool]:
    """Merge our entries into the settings file; (new settings, changed). Idempotent, keeps a backup."""
    current: dict[str, Any] = {}
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        current = json.loads(text) if text.strip() else {}
        if not isinstance(current, dict):
            raise ValueError(f"{path} does not hold a JSON object; fix it by hand first")
    merged = json.loads(json.dumps(current))
    fragment = hook_entries(agent, command)
    for key, value in fragment.items():
        if key != "hooks":
            merged.setdefault(key, value)
    hooks = merged.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise ValueError(f"{path}: 'hooks' is not an object; fix it by hand first")
    for event, entries in fragment["hooks"].items():
        existing = hooks.setdefault(event, [])
        if not any(_runs_us(e, agent) for e in existing):
            existing.extend(entries)
    changed = merged != current
    if changed:
        import shutil

        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            shutil.copy2(path, path.with_name(path.name + ".autoskill-backup"))
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    return merged, changed


def _runs_us(entry: Any, agent: str) -> bool:
    text = json.dumps(entry)
    return f"hook {agent}" in text and "autoskill" in text


def _quote(path: str) -> str:
    return f'"{path}"' if " " in path else path


def main(argv: list[str]) -> int:
    """`autoskill hook AGENT [--home DIR] [--user ID] [--no-worker]`: always exits 0.

    Parsed by hand: argparse alone costs a tenth of the time budget of a hook.
    """
    opts: dict[str, str | bool] = {}
    rest: list[str] = []
    it = iter(argv)
    for arg in it:
        if arg in ("--home", "--user"):
            opts[arg[2:]] = next(it, "")
        elif arg == "--no-worker":
            opts["no-worker"] = True
        elif arg in ("-h", "--help"):
            print("usage: autoskill hook {claude-code,cursor} [--home DIR] [--user ID] [--no-worker]\n"
                  "Run by an agent as a hook: reads the hook JSON on stdin, enqueues the session, exits 0.")
            return 0
        else:
            rest.append(arg)
    agent = rest[0] if rest else ""
    home = opts.get("home")
    user = opts.get("user")
    outcome = run_hook(agent, sys.stdin, home=Path(str(home)).expanduser() if home else None,
                       user_id=str(user) if user else None, spawn_worker=not opts.get("no-worker"))
    if outcome.action == "skipped":
        print(f"autoskill hook: {outcome.detail}", file=sys.stderr)
    return 0
