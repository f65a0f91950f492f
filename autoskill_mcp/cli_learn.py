"""`autoskill ingest | jobs | worker | hook | hooks`: the learning half of the command line."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from . import cli_args, cli_progress
from .errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:  # the CLI imports learning only for the commands that learn
    from .learning.queue import Job
    from .sdk import AutoSkill

AddCommand = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]
Opener = Callable[[argparse.Namespace], "AutoSkill"]
Emitter = Callable[[argparse.Namespace, Any, Callable[[], None]], None]


def register(add: AddCommand, open_sdk: Opener, emit: Emitter) -> None:
    """Add the learning commands to the CLI's parser (cli.py owns the parser and the common options)."""

    def ingest(args: argparse.Namespace) -> int:
        with open_sdk(args) as sdk:
            return _ingest(args, sdk, emit)

    def jobs(args: argparse.Namespace) -> int:
        with open_sdk(args) as sdk:
            return _jobs(args, sdk, emit)

    def worker(args: argparse.Namespace) -> int:
        with open_sdk(args) as sdk:
            return _worker(args, sdk)

    p = add("ingest", ingest, "learn skills from coding-agent transcripts (queued; --wait to see results)")
    p.add_argument("paths", nargs="*", help="transcript files or folders (any supported agent's format)")
    p.add_argument("--agent", help="ingest this agent's sessions from their default location "
                                   "(claude-code, codex, gemini, cursor, cline, roo, aider, copilot)")
    p.add_argument("--since", help="with --agent: only sessions changed within this long (e.g. 7d, 12h, 30m)")
    p.add_argument("--format", help="the transcript format, when detection should be skipped")
    p.add_argument("--hint", help="what to look for (also makes the gate let the session through)")
    p.add_argument("--wait", action="store_true", help="work the queue here until these jobs finish")

    p = add("jobs", jobs, "list and inspect ingestion jobs")
    p.add_argument("job", nargs="?", help="show one job in full")
    p.add_argument("--state", choices=["queued", "running", "done", "failed"])
    p.add_argument("--limit", type=cli_args.positive_int, default=20)
    p.add_argument("--retry", action="store_true", help="with JOB: put a failed job back in the queue")

    p = add("worker", worker, "work the ingestion queue (the MCP and language servers also do)")
    p.add_argument("--once", action="store_true", help="run the queued jobs, then exit")
    p.add_argument(
        "--idle-exit",
        type=cli_args.non_negative_float,
        metavar="SECONDS",
        help="exit after this long with nothing to do",
    )
    p.add_argument(
        "--lease",
        type=cli_args.positive_float,
        default=60.0,
        help="seconds a claimed job stays ours without a heartbeat",
    )

    def candidates(args: argparse.Namespace) -> int:
        with open_sdk(args) as sdk:
            return _candidates(args, sdk, emit)

    p = add("candidates", candidates, "requirements said once, kept aside until they recur (accept or reject them)")
    p.add_argument("action", nargs="?", choices=["list", "accept", "reject"], default="list")
    p.add_argument("id", nargs="?", help="with accept/reject: the candidate")
    p.add_argument("--status", choices=["pending", "promoted", "accepted", "rejected", "any"], default="pending")
    p.add_argument("--all-users", action="store_true", help="every user's candidates, not just yours")
    p.add_argument("--limit", type=int, default=50)

    from .learning.hook_install import ALL_AGENTS, SCOPES

    p = add("hook", lambda a: 0, "run as an agent hook (reads the hook JSON on stdin; always exits 0)")
    p.add_argument("agent", choices=list(SCOPES))
    p.add_argument("payload", nargs="?", help="the hook JSON as an argument (Codex's notify passes it so)")
    p.add_argument("--no-worker", action="store_true")

    def hooks_command(args: argparse.Namespace) -> int:
        return _hooks(args, emit)

    p = add("hooks", hooks_command, "install, remove or list the hooks that feed agents' sessions to autoskill")
    p.add_argument("action", choices=["install", "uninstall", "status", "show"])
    p.add_argument("--agent", choices=list(ALL_AGENTS), help="the agent (status: all agents when left out)")
    p.add_argument("--scope", choices=["user", "project"], default=None,
                   help="the user's configuration (default) or the project's, where the agent has one")
    p.add_argument("--project", help="the project folder for --scope project (default: the current folder)")
    p.add_argument("-y", "--yes", action="store_true", help="write without asking")


# -- candidates ------------------------------------------------------------------------------------------


def _candidates(args: argparse.Namespace, sdk: AutoSkill, emit: Emitter) -> int:
    if args.action in ("accept", "reject"):
        if not args.id:
            raise InvalidInputError(
                f"candidates {args.action} needs the candidate's id (autoskill candidates lists them)"
            )
        if args.action == "reject":
            done = sdk.reject_candidate(args.id)
            emit(args, done.to_dict(), lambda: print(f"rejected {done.id} ({done.name})"))
            return 0
        result = sdk.accept_candidate(args.id)

        def learned() -> None:
            for d in result.decisions:
                print(f"{d.action} {d.name}: {d.reason}")
            if not result.decisions:
                print("nothing learned: the candidate's words make no skill")

        emit(args, result.to_dict(), learned)
        return 0
    if args.limit < 1:
        raise InvalidInputError("--limit must be at least 1")
    found = sdk.candidates(status=None if args.status == "any" else args.status, all_users=args.all_users,
                           limit=args.limit)

    def listing() -> None:
        if not found:
            print(f"no {args.status if args.status != 'any' else ''} candidates".replace("  ", " "))
            return
        for c in found:
            sessions = len(c.sessions)
            print(f"{c.id}  {c.status:<8} {c.name}  ({sessions} session{'s' * (sessions != 1)})")
            for said in c.evidence[:4]:
                print(f"    “{said.text[:100]}”  [{said.kind}, turn {said.turn}]")

    emit(args, {"candidates": [c.to_dict() for c in found]}, listing)
    return 0


# -- ingest ----------------------------------------------------------------------------------------------


def parse_since(text: str) -> timedelta:
    """'7d', '12h', '30m', '2w' -> a timedelta (InvalidInputError otherwise)."""
    units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in units or not text[:-1].replace(".", "", 1).isdigit():
        raise InvalidInputError(f"--since {text!r}: use a number and a unit, e.g. 7d, 12h, 30m, 2w")
    return timedelta(**{units[text[-1]]: float(text[:-1])})


def _ingest(args: argparse.Namespace, sdk: AutoSkill, emit: Emitter) -> int:
    from .learning.transcripts import detect_format, discover
    from .learning.transcripts.discover import entry_points

    paths: list[Path] = []
    # Files in a folder that could be transcripts but cannot be read (a corrupt database, an empty or
    # truncated export): reported and left out, so one bad file does not stop the rest of the folder.
    problems: list[str] = []
    skipped: list[dict[str, str]] = []

    def is_transcript(p: Path) -> bool:
        before = len(problems)
        fmt = detect_format(p, problems=problems)
        for problem in problems[before:]:
            skipped.append({"path": str(p), "error": problem.removeprefix(f"{p}: ")})
        return fmt is not None

    for raw in args.paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise NotFoundError(f"{raw}: no such file or folder")
        if path.is_dir() and detect_format(path) is None:
            paths += entry_points(path, is_transcript)
        else:
            paths.append(path)
    if args.agent:
        since = parse_since(args.since) if args.since else None
        found = discover(args.agent, since=since)
        if not found and not paths:
            raise NotFoundError(no_sessions_message(args.agent, args.since))
        paths += found
    elif args.since:
        raise InvalidInputError("--since needs --agent")
    if not paths:
        why = "".join(f"; skipped {s['path']}: {s['error']}" for s in skipped[:5])
        raise InvalidInputError(f"nothing to ingest: give transcript paths or --agent{why}")
    queue = sdk.queue
    ids: list[str] = []
    new = 0
    for path in paths:
        job_id, created = queue.enqueue_path(path, user_id=sdk.default_user, format=args.format, hint=args.hint)
        ids.append(job_id)
        new += created
    if args.wait:
        _work_until_done(sdk, ids, show=cli_progress.wanted(args))
    jobs = [queue.get(i) for i in ids]
    data = {"enqueued": new, "jobs": [j.to_dict() for j in jobs if j is not None], "skipped": skipped}

    def human() -> None:
        print(f"{len(ids)} transcript(s): {new} new job(s), {len(ids) - new} already queued or done")
        for job in jobs:
            if job is None:
                continue
            print("  " + job_line(job))
        for s in skipped:
            print(f"  skipped {s['path']}: {s['error']}")
        if not args.wait:
            print("jobs run in the background (MCP server, language server, or `autoskill worker`); "
                  "`autoskill jobs` shows progress")

    emit(args, data, human)
    failed = [j for j in jobs if j is not None and j.state == "failed"]
    return 1 if failed else 0


def no_sessions_message(agent: str, since: str | None) -> str:
    """Where `--agent` looked and for how long back, so "nothing found" can be checked by hand."""
    import importlib

    # `learning.transcripts.discover` is also the package's function of that name: import the module.
    places = agent_session_globs(importlib.import_module(".learning.transcripts.discover", __package__), agent)
    window = f" changed in the last {since}" if since else ""
    where = "; ".join(places) if places else "its default folders"
    return f"no {agent} sessions{window} found in {where}"


def agent_session_globs(finder: ModuleType, agent: str) -> list[str]:
    """The `<folder>/<pattern>` globs discovery reads for `agent` (its finder table, read only)."""
    finders = getattr(finder, "_FINDERS", {})
    name = getattr(finder, "_ALIASES", {}).get(agent, agent)
    if name not in finders:
        return []
    return list(dict.fromkeys(str(root / pattern) for root, pattern, _ in finders[name](Path.home(), True)))


def result_summary(result: dict[str, Any] | None) -> str:
    """What a finished job did, in a few words (a transcript with no session says so)."""
    if not result:
        return ""
    if not result.get("sessions"):
        return "no sessions in this transcript: nothing to learn from"
    text = f"+{result['created']} created, {result['merged']} merged, {result['discarded']} discarded"
    return text + f" [{result.get('extractor')}; {result['llm_calls']} LLM call(s)]"


def job_line(job: Job) -> str:
    """One line per job: id, state, source, and what it did or why it failed."""
    line = f"{job.id}  {job.state:<7} {job.source}"
    if job.result:
        line += f"  -> {result_summary(job.result)}"
    if job.error:
        line += f"  error: {job.error}"
    return line


def _work_until_done(sdk: AutoSkill, ids: list[str], *, show: bool) -> None:
    """Run a worker here until the given jobs are done or failed, with a progress bar on stderr."""
    worker = sdk.worker()
    total = len(ids)
    with cli_progress.bar("learning from transcripts", total, show=show) as bar:
        while True:
            states = [j.state if (j := sdk.queue.get(i)) else "failed" for i in ids]
            finished = sum(s in ("done", "failed") for s in states)
            bar.update(finished)
            if finished == total:
                break
            if worker.run_once() is None:
                time.sleep(0.2)  # another process holds the remaining jobs: wait for it


# -- jobs and worker -------------------------------------------------------------------------------------


def _jobs(args: argparse.Namespace, sdk: AutoSkill, emit: Emitter) -> int:
    queue = sdk.queue
    if args.job:
        if args.retry and not queue.retry(args.job):
            raise InvalidInputError(f"job {args.job} is not a failed job, or its inline transcript was dropped "
                                    "a day after it failed: send the transcript again")
        job = queue.get(args.job)
        if job is None:
            raise NotFoundError(f"no job {args.job!r} (see `autoskill jobs`)")
        emit(args, job.to_dict(), lambda: print(json.dumps(job.to_dict(), indent=2, ensure_ascii=False)))
        return 0
    jobs = queue.list(state=args.state, limit=args.limit)
    counts = queue.counts()

    def human() -> None:
        print("  ".join(f"{k}: {v}" for k, v in counts.items()))
        for j in jobs:
            summary = ""
            if j.result:
                summary = (f"+{j.result['created']} ~{j.result['merged']} -{j.result['discarded']}"
                           if j.result.get("sessions") else "no sessions")
            print(f"{j.id}  {j.state:<7} {j.attempts}x  {summary:<11} {j.source}"
                  + (f"  error: {j.error}" if j.error else ""))

    emit(args, {"counts": counts, "jobs": [j.to_dict() for j in jobs]}, human)
    return 0


def _worker(args: argparse.Namespace, sdk: AutoSkill) -> int:
    """Work the queue, one line per finished job on stdout (one JSON object per line with --json)."""
    worker = sdk.worker(lease=args.lease)
    if not args.json:
        print(f"autoskill worker {worker.owner}: {worker.learner.extractor.name}", file=sys.stderr)

    def report(job: Job) -> None:
        print(json.dumps(job.to_dict(), ensure_ascii=False) if args.json else job_line(job), flush=True)

    try:
        n = worker.run(idle_exit=0.0 if args.once else args.idle_exit, on_done=report)
    except KeyboardInterrupt:
        worker.stop()
        return 130
    if args.json:
        print(json.dumps({"jobs_run": n}))
    else:
        print(f"ran {n} job(s)", file=sys.stderr)
    return 0


# -- hooks -----------------------------------------------------------------------------------------------


def _hooks(args: argparse.Namespace, emit: Emitter) -> int:
    from .learning import hook_install as hi

    scope = args.scope or ("project" if args.project else "user")
    project = Path(args.project).expanduser() if args.project else None
    if args.action == "status":
        return _hooks_status(args, emit, scope, project)
    if not args.agent:
        raise InvalidInputError(f"hooks {args.action} needs --agent (one of {', '.join(hi.ALL_AGENTS)})")
    agent = args.agent
    if agent in hi.NO_HOOK:
        print(f"{hi.NO_HOOK[agent]} Ingest its sessions on a schedule instead, e.g. this crontab line "
              f"(`crontab -e`):\n  {hi.fallback(agent)}")
        return 0
    try:
        path = hi.config_path(agent, scope=scope, project=project)
    except hi.InstallError as exc:
        raise InvalidInputError(str(exc)) from exc
    argv = hi.hook_argv(agent, portable=scope == "project")
    if args.action == "uninstall":
        try:
            change = hi.uninstall(agent, path=path)
        except hi.InstallError as exc:
            raise InvalidInputError(str(exc)) from exc
        print(f"removed autoskill's hook from {path}" if change.changed else f"no autoskill hook in {path}")
        return 0
    print(f"{path}: this runs `{shlex.join(argv)}` when a {agent} session ends:")
    print(hi.describe(agent, argv))
    if args.action == "show":
        return 0
    if hi.installed(agent, path=path):
        print(f"already installed in {path}; nothing changed")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise InvalidInputError("not a terminal: pass --yes to write the settings")
        if input(f"write it into {path}? [y/N] ").strip().lower() not in ("y", "yes"):
            print("nothing written")
            return 1
    try:
        change = hi.install(agent, path=path, argv=argv)
    except hi.InstallError as exc:
        raise InvalidInputError(str(exc)) from exc
    if not change.changed:
        print(f"already installed in {path}; nothing changed")
    else:
        print(f"installed into {path}" + (f" (backup: {change.backup})" if change.backup else ""))
        if agent == "cline":
            print("Cline runs hooks once they are enabled: its Settings > Hooks, "
                  "or `cline config set hooks-enabled=true`")
    return 0


def _hooks_status(args: argparse.Namespace, emit: Emitter, scope: str, project: Path | None) -> int:
    from .learning import hook_install as hi

    rows: list[dict[str, Any]] = []
    for agent in [args.agent] if args.agent else list(hi.ALL_AGENTS):
        if agent in hi.NO_HOOK:
            rows.append({"agent": agent, "scope": None, "status": "no hook", "path": None,
                         "fallback": hi.fallback(agent)})
            continue
        for sc in hi.SCOPES[agent] if args.scope is None and not args.project else (scope,):
            if sc not in hi.SCOPES[agent]:
                continue
            path = hi.config_path(agent, scope=sc, project=project)
            try:
                state = "installed" if hi.installed(agent, path=path) else "not installed"
            except hi.InstallError as exc:
                state = f"unreadable: {exc}"
            rows.append({"agent": agent, "scope": sc, "status": state, "path": str(path)})

    def table() -> None:
        for r in rows:
            where = r["path"] or f"fallback: {r['fallback']}"
            print(f"{r['agent']:<12} {r['scope'] or '-':<8} {r['status']:<14} {where}")

    emit(args, rows, table)
    return 0
