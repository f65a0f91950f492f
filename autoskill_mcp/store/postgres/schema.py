"""The team store's tables and their versioned migrations, applied when a store opens.

Each migration is a list of statements applied in one transaction together with its row in
`autoskill_migrations`; an advisory lock makes concurrent openers apply each exactly once.
A database migrated by a newer release than this one is refused rather than misread.

The change number lives in one row (`autoskill_seq`) that every write bumps inside its own
transaction: the row lock orders writers, so change numbers are committed in order and a
reader replaying "everything after n" can never miss a write that committed late (a SEQUENCE
would hand out numbers that commit out of order).
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError
from .pool import require_psycopg

#: the NOTIFY channel every write signals with its change number
CHANNEL = "autoskill_changes"
#: pg_advisory_xact_lock key for migrations (any constant shared by every release)
_MIGRATION_LOCK = 0x61757473  # "auts"

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (1, "skills, files, history, usage, vectors, change number", [
        "CREATE EXTENSION IF NOT EXISTS vector",
        """CREATE TABLE autoskill_meta (key text PRIMARY KEY, value text NOT NULL)""",
        "INSERT INTO autoskill_meta VALUES ('store_id', md5(random()::text || clock_timestamp()::text))",
        """CREATE TABLE autoskill_seq (one boolean PRIMARY KEY DEFAULT true CHECK (one), seq bigint NOT NULL)""",
        "INSERT INTO autoskill_seq VALUES (true, 0)",
        """CREATE TABLE skills (
            id text PRIMARY KEY,
            owner text NOT NULL,
            scope text NOT NULL,
            name text NOT NULL,
            name_key text NOT NULL,
            version text NOT NULL,
            status text NOT NULL,
            description text NOT NULL,
            tags text[] NOT NULL DEFAULT '{}',
            skill_md bytea NOT NULL,
            index_text text NOT NULL,
            text_hash text NOT NULL,
            tokens text NOT NULL DEFAULT '',
            content_hash text NOT NULL,
            created_at text NOT NULL,
            updated_at text NOT NULL,
            seq bigint NOT NULL,
            deleted boolean NOT NULL DEFAULT false
        )""",
        "CREATE UNIQUE INDEX skills_owner_name ON skills (owner, name) WHERE NOT deleted",
        "CREATE INDEX skills_owner_key ON skills (owner, name_key) WHERE NOT deleted",
        "CREATE INDEX skills_seq ON skills (seq)",
        """CREATE TABLE skill_files (
            skill_id text NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
            path text NOT NULL,
            digest text NOT NULL,
            PRIMARY KEY (skill_id, path)
        )""",
        """CREATE TABLE blobs (digest text PRIMARY KEY, data bytea NOT NULL)""",
        """CREATE TABLE skill_versions (
            skill_id text NOT NULL,
            n integer NOT NULL,
            version text NOT NULL,
            reason text NOT NULL,
            skill_md text NOT NULL,
            files jsonb NOT NULL DEFAULT '{}',
            created_at text NOT NULL,
            PRIMARY KEY (skill_id, n)
        )""",
        """CREATE TABLE user_usage (
            skill_id text NOT NULL,
            user_id text NOT NULL,
            retrieved bigint NOT NULL DEFAULT 0,
            used bigint NOT NULL DEFAULT 0,
            last_retrieved_at text,
            last_used_at text,
            PRIMARY KEY (skill_id, user_id)
        )""",
        # One vector per (embedder, skill), valid while the skill's text hash matches; the HNSW
        # index (cosine) is made per dimension count, see vectors.py.
        """CREATE TABLE skill_vectors (
            signature text NOT NULL,
            skill_id text NOT NULL,
            text_hash text NOT NULL,
            dims integer NOT NULL,
            embedding vector NOT NULL,
            PRIMARY KEY (signature, skill_id)
        )""",
    ]),
    (2, "the extraction queue: jobs, ingest watermarks, workers", [
        # Times are epoch seconds (double precision), as in the local queue, so a Job reads the same.
        """CREATE TABLE jobs (
            id text PRIMARY KEY,
            kind text NOT NULL,
            source text NOT NULL,
            payload bytea,
            format text,
            user_id text NOT NULL,
            hint text,
            dedupe_key text NOT NULL UNIQUE,
            state text NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            lease_owner text,
            lease_until double precision,
            not_before double precision NOT NULL DEFAULT 0,
            created_at double precision NOT NULL,
            started_at double precision,
            finished_at double precision,
            progress text,
            result text,
            error text,
            host text
        )""",
        # host: the machine a path job's file is on (only its workers claim it); NULL: any machine
        "CREATE INDEX jobs_by_state ON jobs (state, not_before, created_at)",
        """CREATE TABLE ingested (
            user_id text NOT NULL,
            session_key text NOT NULL,
            last_uid text NOT NULL,
            content_hash text NOT NULL,
            updated_at double precision NOT NULL,
            PRIMARY KEY (user_id, session_key)
        )""",
        """CREATE TABLE workers (
            owner text PRIMARY KEY,
            pid integer NOT NULL,
            host text NOT NULL,
            seen_at double precision NOT NULL
        )""",
    ]),
    (3, "users and bearer tokens (digests only)", [
        """CREATE TABLE users (
            id text PRIMARY KEY,
            created_at timestamptz NOT NULL DEFAULT now()
        )""",
        # A token's SHA-256 (hex), never the token: see tokens.py.
        """CREATE TABLE tokens (
            digest text PRIMARY KEY,
            user_id text NOT NULL REFERENCES users(id),
            created_at timestamptz NOT NULL DEFAULT now()
        )""",
        "CREATE INDEX tokens_by_user ON tokens (user_id)",
    ]),
]

LATEST = MIGRATIONS[-1][0]


def applied_version(conn: Any) -> int:
    """The schema version of this database (0: never migrated)."""
    row = conn.execute("SELECT to_regclass('autoskill_migrations') IS NOT NULL").fetchone()
    if not row[0]:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM autoskill_migrations").fetchone()
    return int(row[0])


def migrate(conn: Any) -> list[int]:
    """Apply the migrations this database lacks (in one transaction each); the versions applied."""
    psycopg = require_psycopg()
    done: list[int] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS autoskill_migrations "
            "(version integer PRIMARY KEY, note text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        current = applied_version(conn)
        if current > LATEST:
            raise ConfigError(
                f"this team store's schema is version {current}, newer than this release knows ({LATEST}): "
                "upgrade autoskill-mcp on this machine"
            )
        for version, note, statements in MIGRATIONS:
            if version <= current:
                continue
            for statement in statements:
                try:
                    conn.execute(statement)
                except psycopg.errors.InsufficientPrivilege as exc:
                    raise ConfigError(
                        f"cannot migrate the team store to schema {version}: {' '.join(str(exc).split())}; "
                        "a superuser must run `CREATE EXTENSION vector` in this database once (docs/team.md)"
                    ) from exc
            conn.execute("INSERT INTO autoskill_migrations (version, note) VALUES (%s, %s)", (version, note))
            done.append(version)
    return done
