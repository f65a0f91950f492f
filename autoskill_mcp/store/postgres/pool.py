"""Connections to the team store's database: a small pool, and the one retry of a lost connection.

A lock-guarded list of idle connections is all a store needs (psycopg_pool would add a package
and a thread for the same). Every unit of work runs in one transaction through `run`: when the
connection is lost (server restart, network), the transaction has rolled back on the server, so
the work is retried once on a fresh connection; a second failure raises `DatabaseUnavailableError`
saying what to check. A half-done write is therefore never left behind.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ...errors import ConfigError, DatabaseUnavailableError

T = TypeVar("T")
log = logging.getLogger("autoskill_mcp.store.postgres")

#: idle connections kept per store; more may be open at once, the rest are closed when returned
POOL_SIZE = 4
CONNECT_TIMEOUT_S = 10

INSTALL_HINT = "install the postgres extra: pip install 'autoskill-mcp[postgres]' (from a clone: -e '.[postgres]')"


def require_psycopg() -> Any:
    """The psycopg module, or a ConfigError naming the extra to install."""
    try:
        import pgvector.psycopg  # noqa: F401 - checked here so the error names both packages
        import psycopg
    except ImportError as exc:
        raise ConfigError(
            f"the postgres store needs psycopg 3 and pgvector ({exc.name} is missing); {INSTALL_HINT}"
        ) from exc
    return psycopg


def redacted_dsn(dsn: str) -> str:
    """The DSN without its password, for messages and logs."""
    psycopg = require_psycopg()
    try:
        parts = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "postgresql://…"
    parts.pop("password", None)
    return psycopg.conninfo.make_conninfo(**parts)


class ConnectionPool:
    """Connections to one database, each set up by `on_connect` (types, session settings)."""

    def __init__(self, dsn: str, *, on_connect: Callable[[Any], None] | None = None, size: int = POOL_SIZE) -> None:
        self._psycopg = require_psycopg()
        self.dsn = dsn
        self._on_connect = on_connect
        self._size = size
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False

    def _connect(self) -> Any:
        conn = self._psycopg.connect(self.dsn, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True)
        if self._on_connect is not None:
            self._on_connect(conn)
        return conn

    def _take(self) -> Any:
        with self._lock:
            if self._closed:
                raise DatabaseUnavailableError("the store is closed")
            while self._idle:
                conn = self._idle.pop()
                if not conn.closed:
                    return conn
        return self._connect()

    def _give_back(self, conn: Any) -> None:
        broken = conn.closed or conn.broken or conn.info.transaction_status != self._psycopg.pq.TransactionStatus.IDLE
        with self._lock:
            if not broken and not self._closed and len(self._idle) < self._size:
                self._idle.append(conn)
                return
        conn.close()

    def run(self, work: Callable[[Any], T], *, transaction: bool = True) -> T:
        """`work(conn)` in one transaction (or, `transaction=False`, in autocommit); a lost
        connection is retried once on a fresh one, then DatabaseUnavailableError."""
        op_error = self._psycopg.OperationalError
        for attempt in (1, 2):
            try:
                conn = self._take()
            except op_error as exc:
                if attempt == 2:
                    raise self._unavailable(exc) from exc
                log.warning("cannot connect to the team store (%s); retrying once", exc)
                continue
            try:
                if transaction:
                    with conn.transaction():
                        result = work(conn)
                else:
                    result = work(conn)
            except op_error as exc:
                lost = conn.closed or conn.broken
                conn.close()
                if not lost:
                    raise  # e.g. a statement error the server reported: not a connection problem
                if attempt == 2:
                    raise self._unavailable(exc) from exc
                log.warning("lost the connection to the team store (%s); retrying once", exc)
                continue
            except BaseException:
                self._give_back(conn)
                raise
            self._give_back(conn)
            return result
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _unavailable(self, exc: BaseException) -> DatabaseUnavailableError:
        why = " ".join(str(exc).split()) or type(exc).__name__  # one line: psycopg's messages span several
        return DatabaseUnavailableError(
            f"the team store at {redacted_dsn(self.dsn)} is unreachable ({why}); "
            "nothing was half-written: check that the server is running and the DSN, then retry"
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
