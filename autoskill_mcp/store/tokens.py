"""Users and their bearer tokens, kept beside the store: a file in the home, or the team store's database.

A token is shown once, when issued, and only its SHA-256 digest is ever stored, so a copy of the
file or of the table lets nobody in. Which implementation serves a process is picked the way its
store is (`factory.open_tokens`): the team store on PostgreSQL keeps them in its database
(`postgres/tokens.py`), so every replica in front of it accepts the same tokens; any other store
keeps `{digest: user}` in `<home>/mcp/tokens.json` (0600).

The servers' guard (mcp_server/auth.py) asks `user_for`; nothing here knows HTTP.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from abc import ABC, abstractmethod
from pathlib import Path

from .layout import check_user_id

#: `{sha256(token): user}`, in `<home>/mcp/`
TOKENS_FILE = "tokens.json"
#: the token generated for the default user when a server off loopback starts with none
TOKEN_FILE = "token"


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (created 0600, never world-readable even briefly)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


class TokenStore(ABC):
    """Bearer tokens mapped to users. `home` is this machine's store root (where a generated token is written)."""

    #: where the tokens live, for messages ("<home>/mcp/tokens.json", "the team store at …")
    where: str

    def __init__(self, home: Path) -> None:
        self.home = Path(home)

    @abstractmethod
    def _add(self, digest: str, user: str, *, only_if_none: bool = False) -> bool:
        """Store `digest` for `user` (and the user); with `only_if_none`, only when no token exists at all.
        True when it was stored."""

    @abstractmethod
    def user_for(self, token: str) -> str | None:
        """The user a token was issued to, or None."""

    @abstractmethod
    def has_tokens(self) -> bool:
        """Whether any token has been issued."""

    def close(self) -> None:  # noqa: B027 - not abstract: the file store holds nothing open
        """Let go of what the store holds open (the database's connections)."""

    def issue(self, user: str) -> str:
        """A new token for `user` (stored hashed); the token itself is returned once."""
        check_user_id(user)
        token = secrets.token_urlsafe(32)
        self._add(token_digest(token), user)
        return token

    def ensure_default(self, user: str) -> Path | None:
        """When no token exists anywhere, issue one for `user` and write it to `<home>/mcp/token` (0600).

        The check and the issue are one step (one transaction on the team store), so replicas that
        start at once generate one token between them, not one each."""
        check_user_id(user)
        token = secrets.token_urlsafe(32)
        if not self._add(token_digest(token), user, only_if_none=True):
            return None
        path = self.home / "mcp" / TOKEN_FILE
        write_private(path, token + "\n")
        return path


class FileTokenStore(TokenStore):
    """Bearer tokens of one store root: `{sha256(token): user}` in `<home>/mcp/tokens.json` (0600)."""

    def __init__(self, home: Path) -> None:
        super().__init__(home)
        self.path = self.home / "mcp" / TOKENS_FILE
        self.where = str(self.path)

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise RuntimeError(f"{self.path}: cannot read the token file ({exc}); fix or remove it") from exc
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _add(self, digest: str, user: str, *, only_if_none: bool = False) -> bool:
        tokens = self._load()
        if only_if_none and tokens:
            return False
        tokens[digest] = user
        write_private(self.path, json.dumps(tokens, indent=1, sort_keys=True))
        return True

    def user_for(self, token: str) -> str | None:
        """Constant-time comparison over every entry: how long it takes says nothing of the digests."""
        digest = token_digest(token)
        found: str | None = None
        for known, user in self._load().items():
            if hmac.compare_digest(known, digest):
                found = user
        return found

    def has_tokens(self) -> bool:
        return bool(self._load())
