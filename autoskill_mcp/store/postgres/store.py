"""`PostgresSkillStore`: the team store's façade (reads, history, usage, search); writes are writes.py's.

Reads go to the database, so every machine sees every committed write at once. Search ranks with the
same hybrid index as the local store (retrieval's HybridIndex: BM25 plus vectors, fused by fusion.py),
so its quality is the local store's: the index lives in each process, is built from the skills
table on first use and kept current by replaying the rows whose change number is above the last
one seen (one indexed query, and none at all when the change number has not moved). Its vectors are
kept in pgvector (vectors.py), so a vector one machine computed is never computed again by another.

Where a search's vector side comes from is `vectors`: "memory" (the default) holds them in the
process, read by a background thread from the process's second search on (every search until the
load is done asks pgvector's HNSW index instead, hnsw.py, so a process that searches once, a CLI
command, never reads them); "database" never loads them and always asks the HNSW index.
Visibility, precedence and scopes are base.py's.
"""

from __future__ import annotations

import builtins
import json
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ...errors import ConfigError, DatabaseUnavailableError, InvalidInputError, NotFoundError
from ...skill import Skill, SkillStatus, now_iso
from ...skillmd.names import normalize_name
from ..base import PRECEDENCE, FileInfo, SkillHit, SkillStore, SkillSummary, VersionInfo, may_see
from ..catalog import CatalogRow, sha256_hex
from ..layout import check_resource_path
from ..reads import stored_scopes
from ..search import check_request
from ..skill_rows import tokens_from
from . import index as index_build
from . import writes
from .hnsw import HnswStage, Visibility, stage_pool
from .pool import ConnectionPool, require_psycopg
from .rows import INDEXED, ROW, ParsedCache, from_db, parse_skill
from .schema import CHANNEL, migrate
from .vectors import PgVectorCache

log = logging.getLogger("autoskill_mcp.store.postgres")

#: how often a search with skills waiting for a vector looks for vectors other machines computed
PICK_UP_EVERY_S = 1.0
#: where a search's vectors are: in this process ("memory", HNSW until loaded) or in the database only
VECTOR_MODES = ("memory", "database")
DEFAULT_VECTORS = "memory"
#: vectors the background loader reads from the database per query
LOAD_CHUNK = 5000
#: a "memory" store starts loading its vectors at this search through HNSW: not at the first, so a
#: process that searches once and exits (`autoskill search`) reads none
LOAD_AT_SEARCH = 2


def vector_mode(value: Any) -> str:
    """`[store] vectors` checked: "memory" or "database" (None: the default)."""
    if value is None:
        return DEFAULT_VECTORS
    if not isinstance(value, str) or value.lower() not in VECTOR_MODES:
        raise ConfigError(f'[store] vectors must be "memory" or "database", not {value!r}')
    return value.lower()


def open_migrated(dsn: str) -> list[int]:
    """Apply the migrations this database lacks (`autoskill store migrate`); the versions applied."""
    pool = ConnectionPool(dsn)  # before pgvector's types can be registered: the first migration makes them
    try:
        return pool.run(migrate, transaction=False)
    finally:
        pool.close()


class PostgresSkillStore(SkillStore):
    """Skills, history, usage and vectors in one PostgreSQL database, shared by every machine of a team."""

    def __init__(
        self, dsn: str, *, embeddings: dict[str, Any] | None = None, embedder: Any = None, background: bool = True,
        migrate: bool = True, cache_dir: str | Path | None = None, vectors: str | None = None,
    ) -> None:
        """`cache_dir`: where this machine keeps the search index's snapshots between processes
        (the member's home; None: each process builds its index from the table). `vectors`:
        "memory" or "database", see the module doc. `background=False` loads the vectors of a
        "memory" index when it is built, in the caller's thread, instead of in the background."""
        require_psycopg()
        self.vector_mode = vector_mode(vectors)
        self.dsn = dsn
        self.migrated: list[int] = open_migrated(dsn) if migrate else []
        from pgvector.psycopg import register_vector

        self.pool = ConnectionPool(dsn, on_connect=register_vector)
        self.vectors = PgVectorCache(self.pool)
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else None
        self.store_id = str(self.pool.run(lambda c: c.execute(
            "SELECT value FROM autoskill_meta WHERE key = 'store_id'").fetchone()[0], transaction=False))
        self._snapshot_seq = -1
        self._embeddings = embeddings
        self._embedder = embedder
        self._embedder_made = embedder is not None
        self._background = background
        self._lock = threading.RLock()
        self._index: Any = None
        self._rows: dict[str, CatalogRow] = {}  # live skills as the index last saw them (no texts)
        self._seen_seq = -1
        self._visible: dict[tuple[str, tuple[str, ...], frozenset[str]], frozenset[str] | None] = {}
        self._visible_seq = -1
        self._parsed = ParsedCache()
        self._picked_up_at = 0.0
        self._closed = False
        self._listener: Any = None  # the connection that LISTENs for other writers (wait_for_change)
        self._listen_lock = threading.Lock()
        self._closing = threading.Event()
        self._loader: threading.Thread | None = None  # brings a "memory" index's vectors in (load_vectors)
        self._stage_pool: ConnectionPool | None = None  # the HNSW stage's connections, made on first use
        self._staged = 0  # searches answered through HNSW so far

    def team_pool(self) -> ConnectionPool:
        return self.pool

    # -- reads ---------------------------------------------------------------------------------------

    def _row(self, conn: Any, skill_id: str, user_id: str | None) -> tuple[CatalogRow, bytes] | None:
        found = conn.execute(f"SELECT {ROW}, skill_md FROM skills WHERE id = %s AND NOT deleted",
                             (skill_id,)).fetchone()
        if found is None:
            return None
        row = from_db(found)
        if user_id is not None and not may_see(row.scope, row.owner, user_id):
            return None
        return row, bytes(found[-1])

    def _skill(self, row: CatalogRow, skill_md: bytes) -> Skill:
        key = (row.id, row.seq)
        with self._lock:
            hit = self._parsed.get(key)
        if hit is not None:
            return hit
        skill = parse_skill(row, skill_md)
        with self._lock:
            self._parsed.put(key, skill)
        return skill

    def get(self, skill_id: str, *, include_files: bool = False, user_id: str | None = None) -> Skill | None:
        if not isinstance(skill_id, str):
            raise InvalidInputError("skill id must be a string")

        def work(conn: Any) -> Skill | None:
            found = self._row(conn, skill_id, user_id)
            if found is None:
                return None
            skill = self._skill(*found)
            if include_files:
                skill.files = dict(conn.execute(
                    "SELECT f.path, b.data FROM skill_files f JOIN blobs b USING (digest) WHERE f.skill_id = %s "
                    "ORDER BY f.path", (skill_id,)).fetchall())
            return skill

        return self.pool.run(work, transaction=include_files)

    def find(self, name: str, *, user_id: str, scope: str = "all") -> Skill | None:
        scopes = list(stored_scopes(scope))
        wanted = list({name, normalize_name(name)}) if isinstance(name, str) else [name]
        found = self.pool.run(lambda c: c.execute(
            f"SELECT {ROW}, skill_md FROM skills WHERE name = ANY(%s) AND NOT deleted AND scope = ANY(%s) "
            "AND (scope != 'user' OR owner = %s)", (wanted, scopes, user_id)).fetchall(), transaction=False)
        rows = [(from_db(r), bytes(r[-1])) for r in found]
        rows = [(r, md) for r, md in rows if may_see(r.scope, r.owner, user_id)]
        rows.sort(key=lambda pair: PRECEDENCE.get(pair[0].scope, len(PRECEDENCE)))
        return self._skill(*rows[0]) if rows else None

    def summaries(
        self, *, user_id: str | None = None, scope: str = "user", include_archived: bool = False
    ) -> list[SkillSummary]:
        scopes = list(stored_scopes(scope))
        found = self.pool.run(lambda c: c.execute(
            f"SELECT {ROW} FROM skills WHERE NOT deleted AND scope = ANY(%s) "
            "AND (%s::text IS NULL OR scope != 'user' OR owner = %s) AND (%s OR status = %s) "
            "ORDER BY scope, owner, name",
            (scopes, user_id, user_id, include_archived, SkillStatus.ACTIVE.value)).fetchall(), transaction=False)
        rows = [from_db(r) for r in found]
        return [SkillSummary(r.id, r.name, r.description, r.version, r.scope, r.owner, r.status, tuple(r.tags),
                             r.updated_at, "")
                for r in rows if user_id is None or may_see(r.scope, r.owner, user_id)]

    def skill_dir(self, skill_id: str, *, user_id: str | None = None) -> Path | None:
        return None  # no folder: files are served by list_files / read_file

    def list_files(self, skill_id: str, *, user_id: str | None = None) -> builtins.list[FileInfo]:
        def work(conn: Any) -> list[FileInfo]:
            if self._row(conn, skill_id, user_id) is None:
                raise NotFoundError(f"no skill with id {skill_id!r}")
            return [FileInfo(p, int(n)) for p, n in conn.execute(
                "SELECT f.path, length(b.data) FROM skill_files f JOIN blobs b USING (digest) "
                "WHERE f.skill_id = %s ORDER BY f.path", (skill_id,)).fetchall()]

        return self.pool.run(work)

    def read_file(self, skill_id: str, rel_path: str, *, user_id: str | None = None) -> bytes:
        rel = check_resource_path(rel_path)

        def work(conn: Any) -> bytes:
            if self._row(conn, skill_id, user_id) is None:
                raise NotFoundError(f"no skill with id {skill_id!r}")
            found = conn.execute("SELECT b.data FROM skill_files f JOIN blobs b USING (digest) "
                                 "WHERE f.skill_id = %s AND f.path = %s", (skill_id, rel)).fetchone()
            if found is None:
                raise NotFoundError(f"skill {skill_id} has no file {rel!r}")
            return bytes(found[0])

        return self.pool.run(work)

    def read_skill_md(self, skill_id: str, *, user_id: str | None = None) -> bytes:
        """The SKILL.md bytes as stored (exactly the imported bytes for `save_verbatim`)."""
        found = self.pool.run(lambda c: self._row(c, skill_id, user_id), transaction=False)
        if found is None:
            raise NotFoundError(f"no skill with id {skill_id!r}")
        return found[1]

    # -- writes (writes.py) --------------------------------------------------------------------------

    def save(
        self, skill: Skill, *, reason: str = "save", expected_version: str | None = None,
        replace_files: bool = False,
    ) -> Skill:
        return writes.save_batch(self, [skill], reason=reason, expected_version=expected_version,
                                 replace_files=replace_files)[0]

    def save_many(self, skills: Sequence[Skill], *, reason: str = "save") -> builtins.list[Skill]:
        out: list[Skill] = []
        for start in range(0, len(skills), writes.BATCH):
            out += writes.save_batch(self, skills[start:start + writes.BATCH], reason=reason)
        return out

    def save_verbatim(self, items: Sequence[tuple[Skill, bytes]], *, reason: str = "import") -> builtins.list[Skill]:
        out: list[Skill] = []
        for start in range(0, len(items), writes.BATCH):
            chunk = items[start:start + writes.BATCH]
            out += writes.save_batch(self, [s for s, _ in chunk], reason=reason, verbatim=[d for _, d in chunk])
        return out

    def delete(self, skill_id: str) -> bool:
        return writes.delete(self, skill_id)

    # -- history -------------------------------------------------------------------------------------

    def _history(self, skill_id: str) -> builtins.list[tuple[int, str, str, str, str, dict[str, str]]]:
        rows = self.pool.run(lambda c: c.execute(
            "SELECT n, version, reason, created_at, skill_md, files FROM skill_versions WHERE skill_id = %s "
            "ORDER BY n", (skill_id,)).fetchall(), transaction=False)
        if not rows:
            raise NotFoundError(f"no history for skill id {skill_id!r}")
        return [(r[0], r[1], r[2], r[3], r[4], r[5] if isinstance(r[5], dict) else json.loads(r[5])) for r in rows]

    def versions(self, skill_id: str) -> builtins.list[VersionInfo]:
        history = self._history(skill_id)
        last = len(history) - 1
        return [VersionInfo(n, v, reason, at, i == last, sha256_hex(md.encode("utf-8")))
                for i, (n, v, reason, at, md, _) in enumerate(history)]

    def _entry(self, skill_id: str, version: str) -> tuple[int, str, str, str, str, dict[str, str]]:
        history = self._history(skill_id)
        if version.startswith("#") and version[1:].isdigit():
            matches = [h for h in history if h[0] == int(version[1:])]
        else:
            matches = [h for h in history if h[1] == version.lstrip("v")]
        if not matches:
            known = ", ".join(dict.fromkeys(h[1] for h in history))
            raise NotFoundError(f"skill {skill_id} has no version {version!r} (known: {known})")
        return matches[-1]

    def version_info(self, skill_id: str, version: str) -> VersionInfo:
        """The history entry `version` (or `#n`) names."""
        n, v, reason, at, md, _ = self._entry(skill_id, version)
        return VersionInfo(n, v, reason, at, False, sha256_hex(md.encode("utf-8")))

    def get_version(self, skill_id: str, version: str) -> Skill:
        n, v, _, _, md, files = self._entry(skill_id, version)

        def work(conn: Any) -> Skill:
            found = conn.execute(f"SELECT {ROW} FROM skills WHERE id = %s", (skill_id,)).fetchone()
            row = from_db(found) if found else None
            skill = parse_skill(row, md.encode("utf-8")) if row else None
            if skill is None:
                from ... import skillmd

                skill = skillmd.to_skill(skillmd.parse(md)).skill
            if skill is None:
                raise NotFoundError(f"version {version} of {skill_id} cannot be parsed")
            blobs = dict(conn.execute("SELECT digest, data FROM blobs WHERE digest = ANY(%s)",
                                      (list(files.values()),)).fetchall())
            skill.files = {rel: bytes(blobs[d]) for rel, d in files.items() if d in blobs}
            skill.version = v
            return skill

        return self.pool.run(work, transaction=False)

    def rollback(self, skill_id: str, to_version: str | None = None) -> Skill:
        return writes.rollback(self, skill_id, to_version)

    # -- usage and change feed -----------------------------------------------------------------------

    def record_usage(self, skill_id: str, *, retrieved: int = 0, used: int = 0, user_id: str = "") -> None:
        if self.get(skill_id) is None:
            raise NotFoundError(f"no skill with id {skill_id!r}")
        self.record_usage_many([(skill_id, user_id, retrieved, used)])

    def record_usage_many(self, counts: Sequence[tuple[str, str, int, int]]) -> None:
        known = [c for c in counts if c[2] or c[3]]
        if not known:
            return
        at = now_iso()

        def work(conn: Any) -> None:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO user_usage (skill_id, user_id, retrieved, used, last_retrieved_at, last_used_at) "
                    "SELECT %s, %s, %s, %s, %s, %s WHERE EXISTS (SELECT 1 FROM skills WHERE id = %s AND NOT deleted) "
                    "ON CONFLICT (skill_id, user_id) DO UPDATE SET "
                    "retrieved = user_usage.retrieved + excluded.retrieved, used = user_usage.used + excluded.used, "
                    "last_retrieved_at = coalesce(excluded.last_retrieved_at, user_usage.last_retrieved_at), "
                    "last_used_at = coalesce(excluded.last_used_at, user_usage.last_used_at)",
                    [(sid, uid, r, u, at if r else None, at if u else None, sid) for sid, uid, r, u in known])

        self.pool.run(work)

    def usage(self, skill_id: str, *, user_id: str | None = None) -> dict[str, Any]:
        rows = self.pool.run(lambda c: c.execute(
            "SELECT user_id, retrieved, used, last_retrieved_at, last_used_at FROM user_usage WHERE skill_id = %s "
            "AND (%s::text IS NULL OR user_id = %s)", (skill_id, user_id, user_id)).fetchall(), transaction=False)
        out: dict[str, Any] = {
            "retrieved": sum(int(r[1]) for r in rows), "used": sum(int(r[2]) for r in rows),
            "last_retrieved_at": max((r[3] for r in rows if r[3]), default=None),
            "last_used_at": max((r[4] for r in rows if r[4]), default=None),
        }
        if user_id is None:
            out["by_user"] = {r[0]: {"retrieved": int(r[1]), "used": int(r[2])} for r in rows}
        return out

    def change_seq(self) -> int:
        return int(self.pool.run(lambda c: c.execute("SELECT seq FROM autoskill_seq").fetchone()[0],
                                 transaction=False))

    def wait_for_change(self, timeout: float) -> bool:
        """Block until a write by any machine is announced (LISTEN), at most `timeout` seconds;
        True when one was. A change watch waits here instead of sleeping between polls, so a
        write reaches every replica's clients at once; without a listening connection (lost,
        refused) it simply waits, and the watch's poll of the change number still hears it."""
        psycopg = require_psycopg()
        with self._listen_lock:
            if self._closed:
                return False
            try:
                if self._listener is None or self._listener.closed:
                    self._listener = psycopg.connect(self.dsn, autocommit=True, connect_timeout=10)
                    self._listener.execute(f"LISTEN {CHANNEL}")
                return any(True for _ in self._listener.notifies(timeout=timeout, stop_after=1))
            except psycopg.OperationalError as exc:
                log.debug("listening for changes failed (%s); polling instead", exc)
                if self._listener is not None:
                    self._listener.close()
                self._listener = None
        self._closing.wait(timeout)
        return False

    # -- search --------------------------------------------------------------------------------------

    def _get_embedder(self) -> Any:
        with self._lock:
            if self._embedder is None and not self._embedder_made:
                from ...retrieval import make_embedder

                self._embedder = make_embedder(self._embeddings)
                self._embedder_made = True
            return self._embedder

    @property
    def index(self) -> Any:
        """The hybrid index: built on first use (from the table, or this machine's snapshots), then kept current."""
        with self._lock:
            if self._index is None:
                self._index, self._rows, self._seen_seq, self._snapshot_seq = index_build.build(self)
            return self._index

    def refresh(self) -> None:
        """Bring the index up to the last committed change (nothing to do before the first search)."""
        with self._lock:
            if self._index is None:
                return
            seen = self._seen_seq
        if self.change_seq() <= seen:
            return
        found = self.pool.run(lambda c: c.execute(
            f"SELECT {INDEXED} FROM skills WHERE seq > %s ORDER BY seq", (seen,)).fetchall(), transaction=False)
        with self._lock:
            index = self._index
            fresh = []
            for r in map(from_db, found):
                if r.seq <= self._seen_seq:
                    continue  # another thread replayed it meanwhile
                index.remove(r.id)
                self._rows.pop(r.id, None)
                if not r.deleted:
                    fresh.append(r)
                self._seen_seq = max(self._seen_seq, r.seq)
            index.upsert_many([(r.id, r.index_text, r.text_hash, tokens_from(r.tokens)) for r in fresh])
            for r in fresh:
                r.index_text = r.tokens = ""
                self._rows[r.id] = r

    def _visible_ids(self, user_id: str, scopes: tuple[str, ...], tags: frozenset[str]) -> frozenset[str] | None:
        """Ids a search may return (None: all of them); cached until the next change."""
        key = (user_id, scopes, tags)
        with self._lock:
            if self._visible_seq != self._seen_seq:
                self._visible.clear()
                self._visible_seq = self._seen_seq
            if key not in self._visible:
                active = SkillStatus.ACTIVE.value
                ids = [r.id for r in self._rows.values()
                       if r.status == active and r.scope in scopes and may_see(r.scope, r.owner, user_id)
                       and (not tags or bool(tags & {t.lower() for t in r.tags}))]
                if len(self._visible) > 64:
                    self._visible.clear()
                self._visible[key] = None if len(ids) == len(self._rows) else frozenset(ids)
            return self._visible[key]

    def pick_up_vectors(self) -> int:
        """Take the vectors other machines computed for skills this index still waits on."""
        index = self.index
        if index.embedder is None or not index.pending:
            return 0
        with self._lock:
            waiting = [(d, self._rows[d].text_hash) for d in index.pending_ids() if d in self._rows]
        hashes = dict(waiting)
        if not index.keep_vectors:  # only whether they are there: the HNSW index serves them
            return int(index.adopt_stored((d, hashes[d]) for d in self.vectors.present(index.embedder.signature,
                                                                                         waiting)))
        found = self.vectors.get_many(index.embedder.signature, waiting)
        return int(index.absorb_vectors([(d, hashes[d], v) for d, v in found.items()]))

    def _stage(self, index: Any, user_id: str, scopes: tuple[str, ...], tags: frozenset[str]) -> HnswStage | None:
        """The HNSW stage for a search whose vectors are not all in this process, else None."""
        if index.embedder is None or (index.keep_vectors and not index.stored_only):
            return None
        with self._lock:
            if self._stage_pool is None:
                self._stage_pool = stage_pool(self.dsn)
            pool = self._stage_pool
        return HnswStage(self.vectors, pool, index.embedder.signature, Visibility(user_id, scopes, tags))

    def load_vectors(self) -> int:
        """Bring the vectors a "memory" index left in the database into this process, `LOAD_CHUNK` a query
        (searches ask the HNSW index until it is done); how many were loaded. A vector gone since
        (its skill edited) is embedded again from the skill's text."""
        index = self.index
        loaded = 0
        while index.keep_vectors and index.stored_only and not self._closing.is_set() and index is self._index:
            n, gone = index.load_stored(LOAD_CHUNK)
            loaded += n
            if gone:
                index.upsert_many(self._texts(gone), keywords=False)
            elif not n:
                break  # nothing left this index can load
        return loaded

    def _texts(self, ids: list[str]) -> list[tuple[str, str, str]]:
        """(id, index text, text hash) of live skills: what embedding them again needs."""
        rows = self.pool.run(lambda c: c.execute(
            "SELECT id, index_text, text_hash FROM skills WHERE id = ANY(%s) AND NOT deleted", (ids,)).fetchall(),
            transaction=False)
        return [(str(i), str(text), str(h)) for i, text, h in rows]

    def _start_loading(self) -> None:
        """Load the vectors in a background thread, once (a search never waits for it)."""
        with self._lock:
            if (self._loader is not None and self._loader.is_alive()) or self._closing.is_set():
                return
            self._loader = threading.Thread(target=self._load_in_background, name="autoskill-pg-vectors",
                                            daemon=True)
            self._loader.start()

    def _load_in_background(self) -> None:
        try:
            self.load_vectors()
        except DatabaseUnavailableError as exc:  # searches keep asking the HNSW index; the next one retries
            if not self._closing.is_set():
                log.warning("loading the team store's vectors stopped: %s", exc)

    def search(
        self, query: str, *, user_id: str, scope: str = "all", top_k: int = 5, min_score: float = 0.0,
        tags: Iterable[str] | None = None, wait: bool = False, load_model: bool = False,
    ) -> builtins.list[SkillHit]:
        scopes = check_request(query, top_k, scope)
        wanted_tags = frozenset(t.lower() for t in tags or ())
        index = self.index
        self.refresh()
        if index.pending and time.monotonic() - self._picked_up_at >= PICK_UP_EVERY_S:
            self._picked_up_at = time.monotonic()
            self.pick_up_vectors()
        allowed = self._visible_ids(user_id, scopes, wanted_tags)
        stage = self._stage(index, user_id, scopes, wanted_tags)
        docs = index.search(query, top_k, allowed=allowed, min_score=min_score, wait=wait, load_model=load_model,
                            vector_stage=stage)
        if stage is not None and index.keep_vectors and self._background:
            with self._lock:
                self._staged += 1
                due = self._staged >= LOAD_AT_SEARCH
            if due:
                self._start_loading()  # after this search answered: no search waits for it
        if not docs:
            return []
        found = self.pool.run(lambda c: c.execute(
            f"SELECT {ROW}, skill_md FROM skills WHERE id = ANY(%s) AND NOT deleted",
            ([d.doc_id for d in docs],)).fetchall(), transaction=False)
        by_id = {r[0]: r for r in found}
        hits = []
        for doc in docs:
            r = by_id.get(doc.doc_id)
            if r is None:
                continue  # deleted since the index last looked
            row = from_db(r)
            if may_see(row.scope, row.owner, user_id):
                hits.append(SkillHit(self._skill(row, bytes(r[-1])), doc.score, doc.keyword, doc.vector,
                                     doc.mode, doc.note))
        return hits

    def vector_status(self) -> tuple[int, int]:
        """(skills waiting for a vector, skills indexed)."""
        index = self.index
        return index.pending, len(index)

    def vector_note(self) -> str | None:
        """Why a search now would answer from keywords only, else None."""
        note: str | None = self.index.vector_note(staged=True)  # vectors not loaded yet: the HNSW index serves
        return note

    def warm_index(self, on_progress: Any = None) -> bool:
        """Build the index and wait until every skill has its vector; True when searches are hybrid."""
        if on_progress is not None:
            on_progress("building the search index", 0, 0)
        index = self.index
        self.refresh()
        self.pick_up_vectors()
        self.load_vectors()
        if on_progress is None:
            return bool(index.wait_until_ready())
        return bool(index.wait_until_ready(on_progress=lambda done, n: on_progress("embedding skills", done, n)))

    def embed_missing(self, on_progress: Any = None, *, chunk: int = 64) -> int:
        """Embed every skill that lacks a vector here and now; how many were embedded."""
        index = self.index
        self.pick_up_vectors()
        total, done = index.pending, 0
        report = on_progress or (lambda stage, d, n: None)
        while index.pending:
            report("embedding skills", done, total)
            step = index.embed_pending(chunk)
            if not step:
                break
            done += step
        report("embedding skills", total, total)
        return done

    def rebuild_index(self, on_progress: Any = None) -> int:
        """Build the search index again from the skills table; how many skills it holds."""
        with self._lock:
            old, self._index = self._index, None
            if self.cache_dir is not None:  # from the table, not from what this machine saved
                from .. import snapshots

                snapshots.keywords_path(self.cache_dir).unlink(missing_ok=True)
        if old is not None:
            old.close()
        return len(self.index)

    # -- closing -------------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            index, self._index = self._index, None
            seen, rows = self._seen_seq, len(self._rows)
        self._closing.set()
        loader = self._loader
        if loader is not None:
            loader.join(timeout=30)  # it stops between two chunks
        if index is not None:
            if seen != self._snapshot_seq:
                index_build.save_snapshot(self, index, seen, rows)
            index.close()
        with self._listen_lock:  # a wait in progress ends within its timeout
            if self._listener is not None:
                self._listener.close()
                self._listener = None
        if self._stage_pool is not None:
            self._stage_pool.close()
        self.pool.close()
