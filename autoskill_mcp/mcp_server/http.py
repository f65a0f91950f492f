"""Streamable HTTP: the SDK's app behind Host/Origin checks, a body size limit and the bearer guard.

Loopback by default. Any other bind address requires a bearer token; when none
exists one is generated for the default user and stored 0600 (see auth.py). Tokens are the
store's (`store.open_tokens`): the team store's database, or `<home>/mcp/tokens.json`.
The SDK validates Host and Origin against the lists built here (DNS-rebinding
protection); bodies over `max_body` get 413 with a JSON-RPC error (`BodyLimit`), which is what
an MCP client reads (the SDK's own 413 is plain text).
"""

from __future__ import annotations

import dataclasses
import errno
import logging
import socket
import sys
from collections.abc import Callable
from typing import Any

from mcp.server.transport_security import (
    RequestBodyLimitMiddleware,
    TransportSecurityMiddleware,
    TransportSecuritySettings,
)
from mcp.types import INVALID_REQUEST, ErrorData, JSONRPCError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..store.factory import open_tokens
from ..store.tokens import TokenStore
from .auth import BearerGuard
from .server import AutoSkillServer
from .settings import LOOPBACK_HOSTS, McpSettings

log = logging.getLogger(__name__)


def security_settings(settings: McpSettings) -> TransportSecuritySettings:
    """Host and Origin values accepted: loopback names, the bind address, and any configured extras.

    Origins are this server's own only, port included: a page served from another local port
    (a dev server, a page a hostile site opened there) is another origin and gets 403, like
    any other site, unless `--allowed-origin` names it. Requests without an Origin (every client
    that is not a browser) are not affected.
    """
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost"]
    port = settings.port
    origins = [f"http://127.0.0.1:{port}", f"http://localhost:{port}", f"http://[::1]:{port}"]
    if settings.host not in LOOPBACK_HOSTS and settings.host not in ("0.0.0.0", "::"):
        bracketed = f"[{settings.host}]" if ":" in settings.host else settings.host
        hosts += [f"{bracketed}:*", bracketed]
        origins += [f"http://{bracketed}:{port}", f"https://{bracketed}:{port}"]
    hosts += settings.allowed_hosts
    origins += settings.allowed_origins
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                     allowed_origins=origins)


def streamable_app(server: AutoSkillServer, settings: McpSettings) -> Any:
    """The SDK's streamable HTTP app (a Starlette app whose lifespan runs the server's), without the guard."""
    return server.streamable_http_app(
        streamable_http_path=settings.path,
        transport_security=security_settings(settings),
        max_request_body_size=settings.max_body,
        host=settings.host,
    )


def guard(app: Any, settings: McpSettings, *, tokens: TokenStore, default_user: str, prog: str = "autoskill mcp",
          anonymous_on_unknown: bool = False) -> BearerGuard:
    """`app` behind the bearer guard; off loopback (or with --require-token) a token is required, one made if none.

    `autoskill serve` guards its proxy routes with this too (see serve/app.py).
    """
    require = settings.require_token or not settings.loopback
    if require:
        created = tokens.ensure_default(default_user)
        if created is not None:
            print(f"{prog}: generated a bearer token for user {default_user!r} in {created} "
                  "(mode 0600); clients send it as 'Authorization: Bearer <token>'", file=sys.stderr)
    return BearerGuard(app, tokens, default_user=default_user, require_token=require,
                       anonymous_on_unknown=anonymous_on_unknown)


def build_app(server: AutoSkillServer, settings: McpSettings) -> Any:
    """The ASGI app: bearer guard around the SDK's streamable HTTP app, its body limit answering in JSON-RPC."""
    config = server.state.config
    tokens = open_tokens(config.resolved_store(), home=config.home)
    return guard(mcp_body_limit(streamable_app(server, settings), settings.max_body), settings, tokens=tokens,
                 default_user=server.state.default_user)


def request_checks(settings: McpSettings) -> TransportSecurityMiddleware:
    """The SDK's Host/Origin (and JSON Content-Type) checks with this server's lists, for routes besides /mcp."""
    return TransportSecurityMiddleware(security_settings(settings))


def too_large_message(max_body: int) -> str:
    """What a refused body is told, in every error shape: the limit, the flag that sets it, that nothing changed."""
    return f"the request body is over {max_body:,} bytes (--max-body); nothing was read or changed"


class BodyLimit:
    """The SDK's request body limit (413 past `max_body` bytes, declared or streamed), its plain-text answer
    replaced by `refusal(max_body)`: the error shape the route's clients read (JSON-RPC for /mcp, OpenAI's
    for `autoskill serve`). A 413 the app itself answers in JSON (a SKILL.md over the store's limit) passes."""

    def __init__(self, app: ASGIApp, max_body: int, refusal: Callable[[int], Response]) -> None:
        self.app = RequestBodyLimitMiddleware(app, max_body)
        self.max_body = max_body
        self.refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = False

        async def reshaped(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start" and message["status"] == 413 and not any(
                    k.lower() == b"content-type" and b"json" in v for k, v in message.get("headers", [])):
                refused = True  # the limit's own plain-text answer: replaced below, headers and body at once
                return
            if refused and message["type"] == "http.response.body":
                error = self.refusal(self.max_body)
                await send({"type": "http.response.start", "status": 413, "headers": error.raw_headers})
                await send({"type": "http.response.body", "body": error.body})
                return
            await send(message)

        await self.app(scope, receive, reshaped)


def jsonrpc_too_large(max_body: int) -> Response:
    """413 with a JSON-RPC error (-32600, id null: the request was never read), as the SDK answers its other
    refusals, so an MCP client shows the reason instead of failing to parse the body."""
    error = JSONRPCError(jsonrpc="2.0", id=None, error=ErrorData(code=INVALID_REQUEST,
                                                                 message=too_large_message(max_body)))
    return Response(error.model_dump_json(by_alias=True, exclude_unset=True), status_code=413,
                    media_type="application/json")


def mcp_body_limit(app: ASGIApp, max_body: int) -> BodyLimit:
    """The MCP endpoint behind the body limit, refusals in JSON-RPC."""
    return BodyLimit(app, max_body, jsonrpc_too_large)


class ListenError(OSError):
    """The address cannot be listened on (a port in use, most often); said before anything is served."""


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port) and listening, or ListenError saying why not.

    Binding here, before announcing anything, is what lets a port in use be reported as such;
    uvicorn then serves on this very socket, so no other process can take the port in between.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, IndexError) as exc:
        raise ListenError(f"cannot listen on {host}:{port}: {exc}") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ListenError(f"port {port} on {host} is in use (another server?): stop it, or pass "
                              "another --port") from exc
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sock


def run_http(settings: McpSettings) -> None:
    """Serve until interrupted; ListenError (before any output) when the port cannot be had."""
    import anyio
    import uvicorn

    sock = listen(settings.host, settings.port)
    bound = sock.getsockname()[1]
    settings = dataclasses.replace(settings, port=bound)  # the origin checks need the real port (`--port 0`)
    server = AutoSkillServer(settings)
    app = build_app(server, settings)
    print(f"autoskill mcp: serving streamable HTTP on http://{settings.host}:{bound}{settings.path}",
          file=sys.stderr, flush=True)
    config = uvicorn.Config(app, host=settings.host, port=bound, log_level="warning", lifespan="on")
    try:
        anyio.run(graceful_server(config).serve, [sock])
    finally:
        sock.close()


def graceful_server(config: Any, *, clean_signals: tuple[int, ...] | None = None) -> Any:
    """A uvicorn server for `config` (uvicorn is imported only when serving HTTP).

    `clean_signals`: the signals after which the process ends normally (default SIGTERM only).
    """
    import contextlib
    import signal

    import uvicorn

    class GracefulServer(uvicorn.Server):  # type: ignore[misc]
        """uvicorn's server, except that SIGTERM ends in exit 0 once the graceful shutdown is done.

        uvicorn raises the signal again after shutting down, so the process would die of it
        (-15): a service manager would count a clean stop as a crash. Ctrl-C still ends in
        KeyboardInterrupt (exit 130).
        """

        @contextlib.contextmanager
        def capture_signals(self) -> Any:
            with super().capture_signals():
                try:
                    yield
                finally:
                    self._captured_signals = [s for s in self._captured_signals if s not in clean]

    clean = clean_signals if clean_signals is not None else (signal.SIGTERM,)
    return GracefulServer(config)
