"""Run the proxy: bind first (a port in use is said before anything else), then serve with uvicorn until a signal.

SIGTERM and SIGINT both end in a graceful shutdown and exit 0: queued conversations are handed to
the queue, the worker finishes or leaves its job to its lease, the store is closed.
"""

from __future__ import annotations

import dataclasses
import signal
import sys

from ..mcp_server.http import graceful_server, listen
from .settings import ServeSettings


def run(settings: ServeSettings) -> None:
    """Serve until interrupted; `ListenError` (before any output) when the address cannot be had."""
    import anyio
    import uvicorn

    from .app import build_app

    http = settings.http
    sock = listen(http.host, http.port)
    bound = sock.getsockname()[1]
    settings = dataclasses.replace(settings, http=dataclasses.replace(http, port=bound))  # Origin checks: the real port
    app = build_app(settings)
    where = f"http://{http.host}:{bound}"
    mcp = f", MCP at {where}{http.path}" if settings.mcp else ""
    upstream = "" if settings.upstream else " (no upstream configured: chat requests get 503)"
    print(f"autoskill serve: serving the OpenAI-compatible proxy on {where}/v1{mcp}{upstream}",
          file=sys.stderr, flush=True)
    print(f"autoskill serve: web UI at {where}/", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, host=http.host, port=bound, log_level="warning", lifespan="on")
    try:
        anyio.run(graceful_server(config, clean_signals=(signal.SIGTERM, signal.SIGINT)).serve, [sock])
    finally:
        sock.close()
