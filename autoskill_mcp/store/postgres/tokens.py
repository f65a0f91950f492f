"""Users and bearer tokens in the team store's database (migration 3), shared by every replica.

A token issued on any machine (`autoskill mcp --new-token USER` with the team store configured)
is accepted at once by every MCP HTTP server and `autoskill serve` in front of the same database.
Only the token's SHA-256 digest is stored. A token is looked up by its digest through the primary
key: the digest of a 256-bit random token cannot be steered byte by byte, so an index lookup
leaks nothing a constant-time scan would hide.

The pool is its own, small, and opened on first use: a loopback server that never sees a token
never connects for one, and the guard needs it before the store (opened on a thread) is ready.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ..tokens import TokenStore, token_digest
from .pool import ConnectionPool, redacted_dsn
from .schema import migrate

#: pg_advisory_xact_lock key taken to issue the first token (replicas starting at once issue one)
_FIRST_ISSUE_LOCK = int.from_bytes(b"tokn", "big")  # one advisory lock id for "the first token"


class PgTokenStore(TokenStore):
    """`users` and `tokens` (digests only) in one PostgreSQL database."""

    def __init__(self, dsn: str, *, home: Path, pool_size: int = 2) -> None:
        super().__init__(home)
        self.dsn = dsn
        self.where = f"the team store at {redacted_dsn(dsn)}"
        self._pool = ConnectionPool(dsn, size=pool_size)
        self._migrated = False
        self._lock = threading.Lock()

    def _run(self, work: Any) -> Any:
        if not self._migrated:
            with self._lock:
                if not self._migrated:
                    self._pool.run(migrate, transaction=False)
                    self._migrated = True
        return self._pool.run(work)

    def _add(self, digest: str, user: str, *, only_if_none: bool = False) -> bool:
        def work(conn: Any) -> bool:
            if only_if_none:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_FIRST_ISSUE_LOCK,))
                if conn.execute("SELECT EXISTS (SELECT 1 FROM tokens)").fetchone()[0]:
                    return False
            conn.execute("INSERT INTO users (id) VALUES (%s) ON CONFLICT (id) DO NOTHING", (user,))
            conn.execute("INSERT INTO tokens (digest, user_id) VALUES (%s, %s)", (digest, user))
            return True

        return bool(self._run(work))

    def user_for(self, token: str) -> str | None:
        digest = token_digest(token)
        row = self._run(lambda conn: conn.execute("SELECT user_id FROM tokens WHERE digest = %s",
                                                  (digest,)).fetchone())
        return None if row is None else str(row[0])

    def has_tokens(self) -> bool:
        return bool(self._run(lambda conn: conn.execute("SELECT EXISTS (SELECT 1 FROM tokens)").fetchone()[0]))

    def close(self) -> None:
        self._pool.close()
