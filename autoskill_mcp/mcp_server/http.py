"""Streamable HTTP: the SDK's app behind Host/Origin checks, a body size limit and the bearer guard.

Loopback by default. Any other bind address requires a bearer token; when none
exists one is generated for the default user and stored 0600 (see auth.py).
The SDK validates Host and Origin against the lists built here (DNS-rebinding
protection) and refuses bodies over `max_body` with 413.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from mcp.server.transport_security import TransportSecuritySettings

from .auth import BearerGuard, TokenStore
from .server import AutoSkillServer
from .settings import LOOPBACK_HOSTS, McpSettings

log = logging.getLogger(__name__)


def security_settings(settings: McpSettings) -> TransportSecuritySettings:
    """Host and Origin values accepted: loopback names, the bind address, and any configured extras."""
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost"]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    if settings.host not in LOOPBACK_HOSTS and settings.host not in ("0.0.0.0", "::"):
        bracketed = f"[{settings.host}]" if ":" in settings.host else settings.host
        hosts += [f"{bracketed}:*", bracketed]
        origins += [f"http://{bracketed}:*", f"https://{bracketed}:*"]
    hosts += settings.allowed_hosts
    origins += settings.allowed_origins
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                     allowed_origins=origins)


def build_app(server: AutoSkillServer, settings: McpSettings) -> Any:
    """The ASGI app: bearer guard around the SDK's streamable HTTP app."""
    app = server.streamable_http_app(
        streamable_http_path=settings.path,
        transport_security=security_settings(settings),
        max_request_body_size=settings.max_body,
        host=settings.host,
    )
    state = server.state
    tokens = TokenStore(state.config.home)
    require = settings.require_token or not settings.loopback
    if require:
        created = tokens.ensure_default(state.default_user)
        if created is not None:
            print(f"autoskill mcp: generated a bearer token for user {state.default_user!r} in {created} "
                  "(mode 0600); clients send it as 'Authorization: Bearer <token>'", file=sys.stderr)
    return BearerGuard(app, tokens, default_user=state.default_user, require_token=require)


def run_http(settings: McpSettings) -> None:
    """Serve until interrupted."""
    import anyio
    import uvicorn

    server = AutoSkillServer(settings)
    app = build_app(server, settings)
    print(f"autoskill mcp: serving streamable HTTP on http://{settings.host}:{settings.port}{settings.path}",
          file=sys.stderr, flush=True)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning", lifespan="on")
    anyio.run(uvicorn.Server(config).serve)
