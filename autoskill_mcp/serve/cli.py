"""`autoskill serve`: its options, registered on the CLI's subcommand (the common --home/--user/... included)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ..cli_args import port, positive_float, positive_int, score
from .query import REWRITE_MODES, SELECT_MODES
from .settings import EXTRACT_MODES, ServeSettings


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of `autoskill serve`; those left out come from config.toml's [proxy] table."""
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1; others require a token)")
    p.add_argument("--port", type=port, default=9000, help="port (default 9000; 0 picks a free one)")
    p.add_argument("--upstream", metavar="URL",
                   help="the upstream's OpenAI base URL, /v1 included (also [proxy] upstream in config.toml)")
    p.add_argument("--api-key-env", metavar="NAME",
                   help="environment variable holding the upstream's API key (also [proxy] api_key_env)")
    p.add_argument("--served-model", action="append", metavar="NAME", dest="served_models",
                   help="a model name /v1/models lists instead of the upstream's list (repeatable)")
    p.add_argument("--top-k", type=positive_int, help="skills injected at most per request (default 3)")
    p.add_argument("--min-score", type=score, help="leave out skills scoring below this (0..1, default 0.25)")
    p.add_argument("--budget", type=positive_int, help="token budget of the injected message (default 1500)")
    p.add_argument("--extract-mode", choices=EXTRACT_MODES,
                   help="auto: queue conversations from their 2nd user turn (extract_turn_limit); always; never")
    p.add_argument("--rewrite-mode", choices=REWRITE_MODES,
                   help="the search query: never the latest message as is; auto (default) rewrite a short or "
                        "referring one from the recent turns; always")
    p.add_argument("--select-mode", choices=SELECT_MODES,
                   help="llm: the configured LLM picks which retrieved skills are injected (default never)")
    p.add_argument("--upstream-timeout", type=positive_float, help="seconds the upstream may take (default 600)")
    p.add_argument("--no-mcp", action="store_true", help="don't serve the MCP endpoint at /mcp")
    p.add_argument("--no-worker", action="store_true", help="don't work the extraction queue in this process")
    p.add_argument("--require-token", action="store_true", help="require a bearer token even on loopback")
    p.add_argument("--allowed-host", action="append", default=[], metavar="HOST[:PORT]",
                   help="also accept this Host header (e.g. a DNS name clients use; ':*' for any port)")
    p.add_argument("--allowed-origin", action="append", default=[], metavar="ORIGIN",
                   help="also accept this Origin header")
    p.add_argument("--max-body", type=positive_int, help="largest request body in bytes (default 8 MiB)")


#: options that, given on the command line, win over the [proxy] table
_FROM_ARGS = ("upstream", "api_key_env", "served_models", "top_k", "min_score", "budget", "extract_mode",
              "upstream_timeout", "rewrite_mode", "select_mode")


def settings_from(args: argparse.Namespace) -> ServeSettings:
    """The settings the options and `<home>/config.toml`'s [proxy] table describe (ConfigError when wrong)."""
    from ..mcp_server.settings import DEFAULT_MAX_BODY, McpSettings
    from .settings import apply_file

    http = McpSettings(
        home=Path(args.home) if args.home else None, user=args.user, embeddings=args.embeddings,
        library_dirs=[Path(d) for d in args.library or []], worker=not args.no_worker, host=args.host,
        port=args.port, require_token=args.require_token, allowed_hosts=list(args.allowed_host),
        allowed_origins=list(args.allowed_origin), max_body=args.max_body or DEFAULT_MAX_BODY,
    )
    settings = ServeSettings(http=http, mcp=not args.no_mcp)
    explicit = {name for name in _FROM_ARGS if getattr(args, name, None) is not None}
    for name in explicit:
        setattr(settings, name, getattr(args, name))
    return apply_file(settings, http.config().file_section("proxy"), explicit=explicit)


def run(args: argparse.Namespace) -> int:
    """Serve until SIGTERM or SIGINT (exit 0); 1 when the address cannot be listened on, 2 for bad settings."""
    from ..errors import AutoSkillError
    from ..mcp_server.cli import end_process
    from ..mcp_server.http import ListenError
    from ..store.layout import check_user_id
    from .server import run as serve

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s", force=True)
    try:
        settings = settings_from(args)
        check_user_id(settings.http.config().resolved_user())
    except AutoSkillError as exc:
        print(f"autoskill serve: error: {exc}", file=sys.stderr)
        return exc.exit_code
    try:
        serve(settings)
    except ListenError as exc:
        print(f"autoskill serve: error: {exc}", file=sys.stderr)
        return 1
    end_process(0)
