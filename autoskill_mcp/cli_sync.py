"""`autoskill sync`: keep an agent's native skills folder equal to the store, once or live (`--watch`)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

from . import cli_args
from .store.transfer import AGENT_SKILL_DIRS, export_profile_for

if TYPE_CHECKING:
    from .runtime.watch import StoreChange
    from .sdk import AutoSkill
    from .store.sync import SyncReport

AddCommand = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]
Opener = Callable[[argparse.Namespace], "AutoSkill"]

EXIT_OK, EXIT_FAIL = 0, 1


def register(add: AddCommand, open_sdk: Opener) -> None:
    """Add `sync` to the CLI's parser (cli.py owns the parser and the common options)."""

    def sync(args: argparse.Namespace) -> int:
        with open_sdk(args) as sdk:
            return _watch(args, sdk) if args.watch else _print(args, _sync_once(args, sdk))

    p = add("sync", sync, "keep an agent's skills folder equal to your skills: adds, updates and removes only "
            "the folders it wrote (see docs/sync.md)")
    p.add_argument("--to", choices=sorted(AGENT_SKILL_DIRS), help="the agent whose personal skills folder to sync")
    p.add_argument("--dest", help="sync into this folder instead (with --to: in that agent's SKILL.md profile)")
    p.add_argument("--scope", default="all", choices=["user", "shared", "library", "common", "all"],
                   help="which skills (default: all you see)")
    p.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    p.add_argument("--force", action="store_true",
                   help="overwrite or remove folders we wrote that were edited by hand since")
    p.add_argument("--watch", action="store_true", help="sync again on every change to the store, until stopped")
    p.add_argument("--poll", type=cli_args.positive_float, default=0.5,
                   help="with --watch: seconds between checks of the store")


def _sync_once(args: argparse.Namespace, sdk: AutoSkill) -> SyncReport:
    from .store.sync import store_source, sync_dest, sync_skills

    return sync_skills(sdk.store, sync_dest(args.to, args.dest), user_id=sdk.default_user,
                       source=store_source(sdk.store, sdk.config.home), scope=args.scope,
                       profile=export_profile_for(args.to), force=args.force, dry_run=args.dry_run)


def _print(args: argparse.Namespace, report: SyncReport, *, quiet_unchanged: bool = False) -> int:
    """Print one sync (the plan with `--dry-run`); exit 1 when a change could not be made."""
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False), flush=True)
    elif not (quiet_unchanged and not report.changed and not report.errors):
        verb = "would " if not report.applied else ""
        for item in report.items:
            if item.action == "unchanged":
                continue
            note = f" ({item.reason})" if item.reason else ""
            print(f"{verb}{item.action} {item.name}{note}")
        for name, error in report.errors:
            print(f"failed {name}: {error}", file=sys.stderr)
        print(report.summary(), flush=True)
    return EXIT_FAIL if report.errors else EXIT_OK


def _watch(args: argparse.Namespace, sdk: AutoSkill) -> int:
    """Sync now, then after every change by any process, until Ctrl-C or SIGTERM (exit 0 either way)."""
    from .runtime.watch import ChangeWatch

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Any] = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}

    def on_change(change: StoreChange) -> None:
        _print(args, _sync_once(args, sdk), quiet_unchanged=not change.opened)

    try:
        watch = ChangeWatch(sdk.store, on_change, rescan=True)  # rescan: a hand edit of a stored skill counts too
        watch.opened()
        if not args.json:
            print(f"watching the store at {sdk.config.home} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        watch.run(stop, args.poll)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK
