"""The team store: every `SkillStore` promise kept in one PostgreSQL database, vectors in pgvector.

Chosen by `store={"provider": "postgres", "dsn": "postgresql://…"}`, `[store] url = "postgresql://…"`
in config.toml, or `AUTOSKILL_STORE_URL`; nothing above the store changes. psycopg is imported only
here, so the default install (without the `postgres` extra) never needs it.

- pool.py: connections, the one retry of a lost one, `DatabaseUnavailableError`
- schema.py: the tables, versioned migrations applied on open (`autoskill store migrate`)
- vectors.py: the pgvector column as the search index's vector cache
- rows.py: a skills row, read and parsed
- index.py: the search index of one process, built from the table or this machine's snapshots
- writes.py: save, save_verbatim, delete and rollback, each one transaction with its change number
- store.py: `PostgresSkillStore`, the façade (reads, history, usage, search)
- tokens.py: users and bearer tokens (digests only), shared by every server in front of the database
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._lazy import lazy_exports

__all__ = ["PostgresSkillStore", "require_psycopg"]

__getattr__, __dir__ = lazy_exports(__name__, {"PostgresSkillStore": ".store", "require_psycopg": ".pool"})

if TYPE_CHECKING:
    from .pool import require_psycopg
    from .store import PostgresSkillStore
