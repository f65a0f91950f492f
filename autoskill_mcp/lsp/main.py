"""``autoskill lsp``: run the language server on stdio, or on TCP for debugging."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from ..cli_args import port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autoskill lsp", description="Run the SKILL.md language server (stdio).")
    parser.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio (for debugging)")
    parser.add_argument("--host", default="127.0.0.1", help="TCP host (default 127.0.0.1)")
    parser.add_argument("--port", type=port, default=2087, help="TCP port (default 2087)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr at INFO")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # stdout belongs to the protocol in stdio mode: every log line goes to stderr.
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pygls").setLevel(logging.WARNING)
    from .server import create_server

    server = create_server()
    if args.tcp:
        try:
            server.start_tcp(args.host, args.port)
        except OSError as exc:  # the port is taken, most often: say so instead of a traceback
            print(f"autoskill lsp: error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
                  file=sys.stderr)
            return 1
    else:
        server.start_io()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
