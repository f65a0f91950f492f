"""`autoskill store migrate | copy`: the team store's schema, and moving a whole store between backends."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import cli_progress
from .errors import InvalidInputError

AddCommand = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]
Emitter = Callable[[argparse.Namespace, Any, Callable[[], None]], None]
Configurer = Callable[[argparse.Namespace], Any]

_URL_PREFIXES = ("postgresql://", "postgres://")


def register(add: AddCommand, config_of: Configurer, emit: Emitter) -> None:
    """Add `autoskill store` to the CLI's parser (cli.py owns the parser and the common options)."""

    def store(args: argparse.Namespace) -> int:
        if args.action == "migrate":
            return _migrate(args, config_of, emit)
        return _copy(args, emit)

    p = add("store", store, "the team store: `migrate` applies its schema migrations; `copy --from --to` moves "
            "a whole store (history too) between a folder and postgresql://")
    p.add_argument("action", choices=["migrate", "copy"])
    p.add_argument("--url", help="migrate: the postgresql:// URL (default: $AUTOSKILL_STORE_URL or [store] url)")
    p.add_argument("--from", dest="source", metavar="PATH|URL", help="copy: the store to read")
    p.add_argument("--to", dest="dest", metavar="PATH|URL", help="copy: the store to write")


def _is_url(text: str) -> bool:
    return text.startswith(_URL_PREFIXES)


def _migrate(args: argparse.Namespace, config_of: Configurer, emit: Emitter) -> int:
    from .store.postgres.pool import redacted_dsn
    from .store.postgres.schema import LATEST
    from .store.postgres.store import open_migrated

    url = args.url or config_of(args).resolved_store().get("dsn")
    if not url or not _is_url(url):
        raise InvalidInputError("no team store to migrate: pass --url postgresql://… or set AUTOSKILL_STORE_URL")
    applied = open_migrated(url)
    emit(args, {"applied": applied, "schema": LATEST},
         lambda: print(f"{redacted_dsn(url)}: " + (f"applied migration(s) {', '.join(map(str, applied))}; "
                                                     if applied else "already current; ") + f"schema {LATEST}"))
    return 0


def _open(where: str) -> Any:
    from .store.factory import open_store

    settings = {"provider": "postgres", "dsn": where} if _is_url(where) else {"provider": "local"}
    return open_store(settings, home=Path(where).expanduser(), embeddings={"provider": "none"}, background=False)


def _copy(args: argparse.Namespace, emit: Emitter) -> int:
    from .store.copy import copy_store

    if not args.source or not args.dest:
        raise InvalidInputError("store copy needs --from PATH|URL and --to PATH|URL")
    if args.source == args.dest:
        raise InvalidInputError("--from and --to name the same store")
    if not _is_url(args.source) and not Path(args.source).expanduser().is_dir():
        raise InvalidInputError(f"--from {args.source}: no such store folder")
    with _open(args.source) as source, _open(args.dest) as dest:
        with cli_progress.bar("copying skills", None, show=cli_progress.wanted(args)) as bar:
            report = copy_store(source, dest, on_progress=bar.stage)
    emit(args, report.to_dict(), lambda: print(
        f"copied {report.skills} skills ({report.versions} versions, {report.files} files, "
        f"{report.usage_rows} usage rows)" + (f"; {len(report.failed)} failed:" if report.failed else "")
        + "".join(f"\n  {i}: {e}" for i, e in report.failed)))
    return 1 if report.failed else 0
