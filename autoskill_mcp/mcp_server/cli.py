"""`autoskill mcp`: run the MCP server over stdio (default) or streamable HTTP.

Reached through `entry.py`'s fast path, so it imports neither the CLI nor the
store before the server is answering. stdout is the protocol in stdio mode:
everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from ..cli_args import port, positive_int
from .settings import DEFAULT_MAX_BODY, McpSettings


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="autoskill mcp", description="Serve learned skills over MCP (stdio by default).")
    p.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1; others require a token)")
    p.add_argument("--port", type=port, default=8765)
    p.add_argument("--path", default="/mcp", help="HTTP endpoint path (default /mcp)")
    p.add_argument("--home", type=Path, help="store root (default: $AUTOSKILL_HOME or the per-user data folder)")
    p.add_argument("--user", help="default user id (default: $AUTOSKILL_USER or 'default')")
    p.add_argument("--embeddings", choices=["auto", "minilm", "hashing", "none"], help="embedding provider")
    p.add_argument("--library", action="append", type=Path, default=[], metavar="DIR",
                   help="a read-only folder of skills to serve too (repeatable)")
    p.add_argument("--no-worker", action="store_true", help="don't work the ingestion queue in this process")
    p.add_argument("--sampling", choices=["auto", "off"], default="auto",
                   help="auto: extract with the client's model when it offers sampling (default)")
    p.add_argument("--require-token", action="store_true", help="require a bearer token even on loopback")
    p.add_argument("--allowed-host", action="append", default=[], metavar="HOST[:PORT]",
                   help="also accept this Host header (e.g. a DNS name clients use; ':*' for any port)")
    p.add_argument("--allowed-origin", action="append", default=[], metavar="ORIGIN",
                   help="also accept this Origin header")
    p.add_argument("--ingest-root", action="append", default=[], metavar="DIR",
                   help="a folder whose transcripts ingest_transcript(path=...) may read (repeatable; "
                        "'{user}' in it becomes the caller's user; also ingest_roots in config.toml)")
    p.add_argument("--max-body", type=positive_int, default=DEFAULT_MAX_BODY, help="largest HTTP request body in bytes")
    p.add_argument("--new-token", metavar="USER",
                   help="issue a bearer token for USER, print it once and exit (stored hashed: in the team "
                        "store's database, else <home>/mcp/tokens.json, 0600)")
    p.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")
    return p


def settings_from(args: argparse.Namespace) -> McpSettings:
    return McpSettings(
        home=args.home, user=args.user, embeddings=args.embeddings, library_dirs=list(args.library),
        worker=not args.no_worker, sampling=args.sampling, host=args.host, port=args.port, path=args.path,
        require_token=args.require_token, allowed_hosts=list(args.allowed_host),
        allowed_origins=list(args.allowed_origin), max_body=args.max_body, ingest_roots=list(args.ingest_root),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    settings = settings_from(args)
    from ..errors import AutoSkillError
    from ..store.layout import check_user_id

    try:
        check_user_id(args.new_token if args.new_token else settings.config().resolved_user())
    except AutoSkillError as exc:
        print(f"autoskill mcp: error: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.new_token:
        return new_token(settings, args.new_token)
    try:
        if args.http:
            from .http import ListenError, run_http

            try:
                run_http(settings)
            except ListenError as exc:
                print(f"autoskill mcp: error: {exc}", file=sys.stderr)
                return 1
        else:
            import anyio

            from .server import AutoSkillServer

            anyio.run(AutoSkillServer(settings).run_stdio)
    except KeyboardInterrupt:
        end_process(130)
    end_process(0)


def new_token(settings: McpSettings, user: str) -> int:
    """Issue a token for `user` where this home's store keeps them (the team store's database, or
    `<home>/mcp/tokens.json`), print it once on stdout; 0, or the error's exit code."""
    from ..errors import AutoSkillError
    from ..store.factory import open_tokens

    config = settings.config()
    try:
        tokens = open_tokens(config.resolved_store(), home=config.home)
        try:
            token = tokens.issue(user)
        finally:
            tokens.close()
    except AutoSkillError as exc:
        print(f"autoskill mcp: error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(token)
    print(f"autoskill mcp: issued a token for {user!r}, stored hashed in {tokens.where}; "
          "it is shown only this once", file=sys.stderr)
    return 0


def end_process(code: int) -> NoReturn:
    """End the process once the server has stopped: its lifespan closed the store and the queue.

    What is left is the interpreter's own teardown, which with onnxruntime, numpy and the SDK
    loaded takes longer than the server's whole shutdown (a client waiting for the exit sees it),
    and which a native call still running on another thread (a model load the last search
    started) can turn into std::terminate. Nothing in it is ours to keep: logs and stdio are
    flushed here, every SQLite commit is already durable.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the client closed the pipe, or the stream is closed
            pass
    os._exit(code)
