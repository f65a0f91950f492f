"""Agent hooks: feed finished sessions to the queue.

`autoskill hook AGENT` is run by an agent when a session ends or compacts (see
docs/agents.md for each agent's event and payload), with the hook JSON on stdin,
or, for Codex's `notify`, as the last argument. It finds the transcript
(hook_payloads), enqueues it and exits 0 within milliseconds, always: a hook
that fails or blocks can stall or loop the agent (a Stop hook exiting 2
re-wakes it forever), so every error is logged to `<home>/logs/hooks.log` and
swallowed. If no worker is alive it starts one in the background
(`autoskill worker --idle-exit 60`), so learning happens without a server running.

Only the standard library and the queue are imported here. Which queue is decided from the
settings alone (`configured_queue`: the `[store] url` in config.toml, `AUTOSKILL_STORE_URL`),
never by opening the store: a local store's hook imports no psycopg; a team store's hook
enqueues into the team's PostgreSQL queue, where the job waits for a worker on this machine
(the transcript is a file here).
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
from .hook_payloads import SESSION_EVENTS, NotLocated, event_of, locate
from .queue import configured_queue, this_host

#: what an agent wants on stdout from a hook that lets it carry on (Cline blocks on other output)
_REPLY = {"cline": '{"cancel": false}'}
#: how long a hook waits for its stdin before giving up (agents write it at once)
STDIN_TIMEOUT = 2.0
MAX_STDIN = 1024 * 1024


@dataclass(frozen=True, slots=True)
class HookOutcome:
    action: str        # enqueued | duplicate | skipped
    detail: str
    job_id: str | None = None
    start_worker: bool = False  # enqueued, and no worker is alive on this machine to run it


def run_hook(agent: str, stdin: TextIO | None, *, payload_arg: str | None = None, home: Path | None = None,
             user_id: str | None = None, spawn_worker: bool = True) -> HookOutcome:
    """Handle one hook call; never raises (errors become a 'skipped' outcome, logged).

    `payload_arg` is the JSON an agent passes as an argument (Codex's `notify`); stdin is then not read.
    """
    config = AutoSkillConfig() if home is None else AutoSkillConfig(store={"path": str(home)})
    root = config.home
    try:
        payload = _parse(payload_arg) if payload_arg is not None else _read_payload(stdin)
        outcome = _handle(agent, payload, config, user_id or config.resolved_user(), want_worker=spawn_worker)
    except Exception as exc:  # noqa: BLE001 - a hook must never fail its agent
        outcome = HookOutcome("skipped", f"error: {type(exc).__name__}: {exc}")
    _log(root, agent, outcome)
    if outcome.start_worker:
        try:
            _start_worker(root)
        except Exception as exc:  # noqa: BLE001
            _log(root, agent, HookOutcome("skipped", f"could not start a worker: {exc}"))
    return outcome


def _read_payload(stdin: TextIO | None) -> dict[str, Any]:
    import select

    if stdin is None:
        raise ValueError("no hook input")
    try:
        ready, _, _ = select.select([stdin], [], [], STDIN_TIMEOUT)
    except (ValueError, OSError, TypeError):  # not a real file (tests pass StringIO): just read it
        ready = [stdin]
    if not ready:
        raise ValueError("no hook input on stdin")
    return _parse(stdin.read(MAX_STDIN))


def _parse(text: str) -> dict[str, Any]:
    data = json.loads(text or "{}")
    if not isinstance(data, dict):
        raise ValueError("hook input is not a JSON object")
    return data


def _handle(agent: str, payload: dict[str, Any], config: AutoSkillConfig, user_id: str, *,
            want_worker: bool) -> HookOutcome:
    if agent not in SESSION_EVENTS:
        return HookOutcome("skipped", f"unknown agent {agent!r}; known: {', '.join(SESSION_EVENTS)}")
    event = event_of(payload)
    if event and event not in SESSION_EVENTS[agent]:
        return HookOutcome("skipped", f"event {event} is not a session boundary")
    try:
        found = locate(agent, payload)
    except NotLocated as exc:
        return HookOutcome("skipped", str(exc))
    transcript = found.path
    home_real = os.path.realpath(config.home)
    cwd = payload.get("cwd") or next(iter(payload.get("workspace_roots") or payload.get("workspaceRoots") or []), "")
    for place in (str(transcript), str(cwd or "")):
        if place and os.path.realpath(place).startswith(home_real + os.sep):
            return HookOutcome("skipped", "a session run inside autoskill's own store (its extraction)")
    with configured_queue(config) as queue:  # one connection for both (a team queue's is a round trip away)
        job_id, created = queue.enqueue_path(transcript, user_id=user_id, format=found.format)
        # a path job runs on this machine (a team queue keeps it for this one): is a worker alive here?
        start = created and want_worker and not queue.live_workers(host=this_host())
    return HookOutcome("enqueued" if created else "duplicate", str(transcript), job_id, start_worker=start)


def _start_worker(home: Path) -> None:
    import subprocess

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


def main(argv: list[str]) -> int:
    """`autoskill hook AGENT [PAYLOAD] [--home DIR] [--user ID] [--no-worker]`: always exits 0.

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
            agents = ",".join(SESSION_EVENTS)
            print(f"usage: autoskill hook {{{agents}}} [PAYLOAD] [--home DIR] [--user ID] [--no-worker]\n"
                  "Run by an agent as a hook: reads the hook JSON on stdin (or PAYLOAD, as Codex's notify\n"
                  "passes it), enqueues the session, exits 0.")
            return 0
        else:
            rest.append(arg)
    agent = rest[0] if rest else ""
    home = opts.get("home")
    user = opts.get("user")
    outcome = run_hook(agent, sys.stdin, payload_arg=rest[1] if len(rest) > 1 else None,
                       home=Path(str(home)).expanduser() if home else None,
                       user_id=str(user) if user else None, spawn_worker=not opts.get("no-worker"))
    if outcome.action == "skipped":
        print(f"autoskill hook: {outcome.detail}", file=sys.stderr)
    if agent in _REPLY:
        print(_REPLY[agent])
    return 0
