"""HTTP identity: bearer tokens mapped to users, and the ASGI guard that checks them.

How the user of a request is derived (see docs/mcp.md):

* A request carrying `Authorization: Bearer <token>` is served as the user the
  token was issued to (`autoskill mcp --new-token USER`). Tokens are kept as
  SHA-256 digests beside the store (store/tokens.py): in `<home>/mcp/tokens.json`
  (mode 0600, compared in constant time), or, with the team store, in its
  PostgreSQL database, so every replica accepts the same tokens. An unknown
  token is refused with 401: a user is never taken from an unverified token.
* A request without a token is served as the default user, and only when the
  server listens on loopback and `--require-token` was not given; on any other
  bind address a token is required. When the server starts on such an address
  and no token exists, one is generated for the default user and written to
  `<home>/mcp/token` (0600).
* The verified user travels to the tools in the ASGI scope (`autoskill.user`),
  which a client cannot set; headers such as `X-User` are ignored.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import anyio

from ..errors import DatabaseUnavailableError
from ..store.tokens import TokenStore

log = logging.getLogger(__name__)

SCOPE_USER_KEY = "autoskill.user"


class BearerGuard:
    """ASGI middleware: verify the bearer token and put the user in the scope, or answer 401."""

    def __init__(self, app: Any, tokens: TokenStore, *, default_user: str, require_token: bool,
                 anonymous_on_unknown: bool = False) -> None:
        """`anonymous_on_unknown` (never with `require_token`): an unknown token is served as the default
        user, like no token, instead of 401. The OpenAI proxy needs it: OpenAI clients always send their
        API key as a bearer token, and on loopback that key is no autoskill token."""
        self.app = app
        self.tokens = tokens
        self.default_user = default_user
        self.require_token = require_token
        self.anonymous_on_unknown = anonymous_on_unknown and not require_token

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") == "lifespan":
            try:
                await self.app(scope, receive, send)
            finally:  # the server is done: the team store's token connections go with it
                self.tokens.close()
            return
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        header = ""
        for key, value in scope.get("headers") or []:
            if key.lower() == b"authorization":
                header = value.decode("latin-1")
                break
        user: str | None
        if header:
            scheme, _, token = header.partition(" ")
            user = None
            if scheme.lower() == "bearer" and token.strip():
                try:  # on a thread: the team store's lookup is a round trip to its database
                    user = await anyio.to_thread.run_sync(self.tokens.user_for, token.strip())
                except DatabaseUnavailableError as exc:
                    await _answer(send, 503, "unavailable", f"cannot check the bearer token: {exc}")
                    return
            if user is None and self.anonymous_on_unknown:
                user = self.default_user
            elif user is None:
                await _refuse(send, "invalid bearer token")
                return
        elif self.require_token:
            await _refuse(send, "a bearer token is required (see `autoskill mcp --new-token`)")
            return
        else:
            user = self.default_user
        scope[SCOPE_USER_KEY] = user
        await self.app(scope, receive, send)


async def _refuse(send: Any, message: str) -> None:
    await _answer(send, 401, "unauthorized", message)


async def _answer(send: Any, status: int, error: str, message: str) -> None:
    body = json.dumps({"error": error, "message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="autoskill"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def user_of_request(request: Any) -> str | None:
    """The verified user the guard attached to an HTTP request, or None (stdio, in-process)."""
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict):
        user = scope.get(SCOPE_USER_KEY)
        return str(user) if user else None
    return None
