"""HTTP identity: bearer tokens mapped to users, and the ASGI guard that checks them.

How the user of a request is derived (see docs/mcp.md):

* A request carrying `Authorization: Bearer <token>` is served as the user the
  token was issued to (`autoskill mcp --new-token USER`). Tokens are stored as
  SHA-256 hashes in `<home>/mcp/tokens.json` (mode 0600) and compared in
  constant time. An unknown token is refused with 401: a user is never taken
  from an unverified token.
* A request without a token is served as the default user, and only when the
  server listens on loopback and `--require-token` was not given; on any other
  bind address a token is required. When the server starts on such an address
  and no token exists, one is generated for the default user and written to
  `<home>/mcp/token` (0600).
* The verified user travels to the tools in the ASGI scope (`autoskill.user`),
  which a client cannot set; headers such as `X-User` are ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from ..store.layout import check_user_id

log = logging.getLogger(__name__)

SCOPE_USER_KEY = "autoskill.user"
TOKENS_FILE = "tokens.json"
TOKEN_FILE = "token"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (created 0600, never world-readable even briefly)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


class TokenStore:
    """Bearer tokens of one store root: `{sha256(token): user}` in `<home>/mcp/tokens.json`."""

    def __init__(self, home: Path) -> None:
        self.dir = Path(home) / "mcp"
        self.path = self.dir / TOKENS_FILE

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise RuntimeError(f"{self.path}: cannot read the token file ({exc}); fix or remove it") from exc
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def issue(self, user: str) -> str:
        """A new token for `user` (stored hashed); the token itself is returned once."""
        check_user_id(user)
        token = secrets.token_urlsafe(32)
        tokens = self._load()
        tokens[_digest(token)] = user
        _write_private(self.path, json.dumps(tokens, indent=1, sort_keys=True))
        return token

    def user_for(self, token: str) -> str | None:
        """The user a token was issued to, or None (constant-time comparison over every entry)."""
        digest = _digest(token)
        found: str | None = None
        for known, user in self._load().items():
            if hmac.compare_digest(known, digest):
                found = user
        return found

    def has_tokens(self) -> bool:
        return bool(self._load())

    def ensure_default(self, user: str) -> Path | None:
        """When no token exists, issue one for `user` and write it to `<home>/mcp/token` (0600)."""
        if self.has_tokens():
            return None
        token = self.issue(user)
        path = self.dir / TOKEN_FILE
        _write_private(path, token + "\n")
        return path


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
            user = self.tokens.user_for(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
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
    body = json.dumps({"error": "unauthorized", "message": message}).encode()
    await send({"type": "http.response.start", "status": 401,
                "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b'Bearer realm="autoskill"'),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def user_of_request(request: Any) -> str | None:
    """The verified user the guard attached to an HTTP request, or None (stdio, in-process)."""
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict):
        user = scope.get(SCOPE_USER_KEY)
        return str(user) if user else None
    return None
