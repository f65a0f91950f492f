"""The embedded default store: plain skill folders plus a SQLite catalog.

Layout under the root (AutoSkill's, so its users feel at home)::

    Users/<user>/<skill>/SKILL.md   (+ scripts/ references/ assets/)
    Common/<skill>/SKILL.md         shared by every user of this machine
    catalog.sqlite3                 ids, history, usage, vectors, change sequence

plus read-only library folders added by path. The folders stay ordinary Agent
Skills that any agent can read; the files are the source of truth and a hand
edit is picked up on the next read. Every process keeps an in-memory view of
the catalog and replays the change sequence before it answers, so a write by
one process is seen by the others without a restart.

`LocalSkillStore` is the façade: it holds one open store's state (all of it set
in `__init__`) and hands each method to the module of its concept, each
readable on its own:

- view.py: the in-memory view of the catalog, replayed from the change sequence
- folders.py: what is on disk (the folder scan, a folder's files), no catalog
- reconcile.py: the catalog kept in line with the folders (hand edits, new and
  removed folders), and when the folders are scanned again
- reads.py: fresh rows, parsed skills (cached), listings, resource files
- writes.py: save and delete, journaled, in one catalog transaction
- history.py: versions and rollback
- skill_rows.py: a skill's catalog row, and the catalog's fields on a skill
- search_index.py: the search index: built, kept current, snapshotted, rebuilt
- search.py: a search: the visible set, the index, hits checked on disk
- vectors.py: vectors across processes (embed lease, pick-up, embed now)

Below them: catalog.py (SQLite), rows.py (RowTable), snapshots.py,
recovery.py (undoing killed writers), nofollow.py and layout.py (paths).
"""

from __future__ import annotations

import builtins  # signatures after `LocalSkillStore.list` name the builtin `list` as `builtins.list`
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import NotFoundError
from ..skill import Skill, now_iso
from . import history, reads, reconcile, recovery, search, search_index, vectors, view, writes
from .base import FileInfo, Progress, SkillHit, SkillStore, SkillSummary, VersionInfo
from .catalog import Catalog
from .folders import MAX_RESOURCE_BYTES, SKILL_FILE
from .layout import CATALOG_FILE, MAX_SKILL_MD_BYTES
from .reads import PARSED_CACHE_SIZE
from .reconcile import RESCAN_DELAY
from .rows import RowTable
from .writes import check_skill_md_size

if TYPE_CHECKING:
    from ..retrieval.embedder_contract import Embedder
    from ..retrieval.hybrid import HybridIndex
    from .vector_filler import VectorFiller

__all__ = [
    "BACKGROUND_SCAN_FROM", "MAX_RESOURCE_BYTES", "MAX_SKILL_MD_BYTES", "PARSED_CACHE_SIZE", "RESCAN_DELAY",
    "SKILL_FILE", "LocalSkillStore", "check_skill_md_size",
]

log = logging.getLogger(__name__)

#: from this many skills an open does not wait for the folder rescan (one lstat a folder, ~5 us: 0.5 s at
#: 100k); it runs on a thread instead, and until it ends every hit is still checked against its folder
#: before it is served (`reads.fresh_row`), so a hand edit is never served stale, only ranked by its previous text
BACKGROUND_SCAN_FROM = 20_000


class LocalSkillStore(SkillStore):
    """Skill folders on disk with a SQLite catalog; safe to open from many processes."""

    def __init__(
        self,
        root: str | Path,
        *,
        embeddings: dict[str, Any] | None = None,
        embedder: Embedder | None = None,
        library_dirs: Iterable[str | Path] = (),
        sync_interval: float = 2.0,
        background: bool = True,
    ) -> None:
        self.root = Path(root).expanduser().resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(self.root / CATALOG_FILE)
        self.library_dirs = [Path(d).expanduser().resolve() for d in library_dirs]
        self.sync_interval = sync_interval
        self.problems: dict[str, str] = {}
        self._closed = False
        self._lock = threading.RLock()
        # the in-memory view of the catalog (view.py)
        self._rows = RowTable()
        self._seen_seq = -1
        self._rows_snapshot_seq = -1  # the change number of the rows snapshot read or saved (-1: none)
        # rescans of the folders (reconcile.py)
        self._last_sync = 0.0
        self._sync_cost = 0.0
        self._rescan: threading.Thread | None = None
        self._answered = threading.Event()  # set once a search has answered (see RESCAN_DELAY)
        # parsed SKILL.md files (reads.py)
        self._parsed: OrderedDict[tuple[str, int, int, int], Skill] = OrderedDict()
        # the search index and its snapshots (search_index.py), the visible sets (search.py)
        self._embeddings = embeddings
        self._embedder = embedder
        self._embedder_made = embedder is not None
        self._background = background
        self._index: HybridIndex | None = None
        self._snapshot_seq = -1
        self._vector_snapshot_n = -1  # vectors in the saved snapshot (-1: none loaded or saved)
        self._visible_cache: dict[tuple[str, tuple[str, ...], frozenset[str]], frozenset[str] | None] = {}
        self._visible_seq = -1
        # vectors across processes (vectors.py)
        self._vseq_seen = 0  # the catalog's last vector batch this process has looked at
        self._filler: VectorFiller | None = None  # a VectorFiller once this process embeds for every process
        view.restore_rows(self)
        self.refresh()
        view.recover(self)
        recovery.clear_dead_temp_files(self.root)
        if len(self._rows) >= BACKGROUND_SCAN_FROM:
            reconcile.rescan_in_background(self)
        else:
            self.sync()

    # -- keeping current: the catalog's changes (view.py), the folders (reconcile.py) -------------

    def refresh(self) -> None:
        """Replay catalog changes made by any process since we last looked."""
        view.refresh(self)

    def sync(self) -> dict[str, list[str]]:
        """Reconcile the catalog with the folders: pick up hand edits, new and removed folders."""
        return reconcile.sync(self)

    def wait_for_rescan(self, timeout: float | None = None) -> bool:
        """Wait for the rescan an open started on a thread, if any; True once none is running."""
        return reconcile.wait_for_rescan(self, timeout)

    # -- reads (reads.py) ---------------------------------------------------------------------------

    def get(self, skill_id: str, *, include_files: bool = False, user_id: str | None = None) -> Skill | None:
        return reads.get(self, skill_id, include_files=include_files, user_id=user_id)

    def find(self, name: str, *, user_id: str, scope: str = "all") -> Skill | None:
        return reads.find(self, name, user_id=user_id, scope=scope)

    def summaries(
        self, *, user_id: str | None = None, scope: str = "user", include_archived: bool = False
    ) -> list[SkillSummary]:
        return reads.summaries(self, user_id=user_id, scope=scope, include_archived=include_archived)

    def skill_dir(self, skill_id: str, *, user_id: str | None = None) -> Path | None:
        return reads.skill_dir(self, skill_id, user_id=user_id)

    def list_files(self, skill_id: str, *, user_id: str | None = None) -> builtins.list[FileInfo]:
        return reads.list_files(self, skill_id, user_id=user_id)

    def read_file(self, skill_id: str, rel_path: str, *, user_id: str | None = None) -> bytes:
        return reads.read_file(self, skill_id, rel_path, user_id=user_id)

    def read_skill_md(self, skill_id: str, *, user_id: str | None = None) -> bytes:
        """The SKILL.md bytes as stored on disk; its last good version when the file is unusable (a link, gone)."""
        return reads.read_skill_md(self, skill_id, user_id=user_id)

    # -- writes (writes.py) -------------------------------------------------------------------------

    def save(
        self, skill: Skill, *, reason: str = "save", expected_version: str | None = None,
        replace_files: bool = False,
    ) -> Skill:
        return writes.save(self, skill, reason=reason, expected_version=expected_version, replace_files=replace_files)

    def save_many(self, skills: Sequence[Skill], *, reason: str = "save") -> builtins.list[Skill]:
        return writes.save_many(self, skills, reason=reason)

    def save_verbatim(self, items: Sequence[tuple[Skill, bytes]], *, reason: str = "import") -> builtins.list[Skill]:
        """Write each SKILL.md as the given bytes; the catalog alone holds the skill's id and version."""
        return writes.save_verbatim(self, items, reason=reason)

    def delete(self, skill_id: str) -> bool:
        return writes.delete(self, skill_id)

    # -- history (history.py) -----------------------------------------------------------------------

    def versions(self, skill_id: str) -> builtins.list[VersionInfo]:
        return history.versions(self, skill_id)

    def get_version(self, skill_id: str, version: str) -> Skill:
        return history.get_version(self, skill_id, version)

    def rollback(self, skill_id: str, to_version: str | None = None) -> Skill:
        return history.rollback(self, skill_id, to_version)

    # -- search (search.py) and its index (search_index.py) ---------------------------------------

    def search(
        self, query: str, *, user_id: str, scope: str = "all", top_k: int = 5, min_score: float = 0.0,
        tags: Iterable[str] | None = None, wait: bool = False, load_model: bool = False,
    ) -> builtins.list[SkillHit]:
        return search.search(self, query, user_id=user_id, scope=scope, top_k=top_k, min_score=min_score,
                             tags=tags, wait=wait, load_model=load_model)

    @property
    def index(self) -> HybridIndex:
        """The hybrid index (built on first use)."""
        return search_index.ensure_index(self)

    def warm_index(self, on_progress: Progress | None = None) -> bool:
        """Build the index and wait until every skill has its vector (embedding what is missing).

        What a first hybrid search, or one after a change of embedder, waits for anyway; done
        here it can report `on_progress(stage, done, total)`. True when searches are hybrid.
        """
        return search_index.warm_index(self, on_progress)

    def save_index_snapshot(self, *, force: bool = False) -> bool:
        """Save the keyword index and the vectors so the next process starts without re-indexing.

        Each is skipped when the saved one is nearly current (replaying a few changes
        is cheaper) or the store is small (it rebuilds in a few milliseconds).
        """
        return search_index.save_index_snapshot(self, force=force)

    def rebuild_index(self, on_progress: Progress | None = None) -> int:
        """Rebuild the search index from the catalog, ignoring the keyword snapshot; how many skills.

        `autoskill reindex`: after a tokenizer change, or to be sure the index is right. Vectors
        whose skill kept its text are kept (they are keyed by content hash); `embed_missing`
        then embeds the rest.
        """
        return search_index.rebuild_index(self, on_progress)

    # -- vectors: who embeds, and how every process gets them (vectors.py) ------------------------

    def vector_status(self) -> tuple[int, int]:
        """(skills waiting for a vector, skills indexed); (0, n) without an embedder."""
        return vectors.vector_status(self)

    def vector_note(self) -> str | None:
        """Why a search now would answer from keywords only (e.g. "vector: pending 3 of 10"), else None."""
        return vectors.vector_note(self)

    def pick_up_vectors(self) -> int:
        """Take the vectors other processes wrote since we last looked (one indexed query when none)."""
        return vectors.pick_up_vectors(self)

    def take_embed_lease(self, owner: str, seconds: float) -> bool:
        """The right to embed this store's backlog for the current embedder (see vector_filler.py)."""
        return vectors.take_embed_lease(self, owner, seconds)

    def release_embed_lease(self, owner: str) -> None:
        vectors.release_embed_lease(self, owner)

    def start_filling_vectors(self, *, poll: float = 1.0) -> VectorFiller | None:
        """Embed missing vectors on a background thread for every process on this store (idempotent).

        The processes that work the learning queue call this; others only pick vectors up.
        Returns the VectorFiller (None once the store is closed).
        """
        return vectors.start_filling_vectors(self, poll=poll)

    def embed_missing(self, on_progress: Progress | None = None, *, chunk: int = 64) -> int:
        """Embed every skill that lacks a vector, here and now (import, reindex); how many were embedded.

        `on_progress(stage, done, total)` is called after every chunk. Takes the embedding
        lease from any background filler meanwhile, so the work is not done twice.
        """
        return vectors.embed_missing(self, on_progress, chunk=chunk)

    # -- usage and change feed -----------------------------------------------------------------------

    def record_usage(self, skill_id: str, *, retrieved: int = 0, used: int = 0, user_id: str = "") -> None:
        if reads.fresh_row(self, skill_id) is None:
            raise NotFoundError(f"no skill with id {skill_id!r}")
        self.record_usage_many([(skill_id, user_id, retrieved, used)])

    def record_usage_many(self, counts: Sequence[tuple[str, str, int, int]]) -> None:
        known = [c for c in counts if (c[2] or c[3]) and reads.fresh_row(self, c[0]) is not None]
        self.catalog.bump_usage(known, at=now_iso())

    def usage(self, skill_id: str, *, user_id: str | None = None) -> dict[str, Any]:
        return self.catalog.usage(skill_id, user_id)

    def change_seq(self) -> int:
        return self.catalog.current_seq()

    # -- closing -------------------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            filler = self._filler
        if filler is not None:
            filler.stop()  # outside the lock: its last step may need the store
        self._answered.set()  # a rescan still waiting starts now
        self.wait_for_rescan()  # outside the lock too: it writes what it found before the catalog closes
        with self._lock:
            if self._index is not None:
                try:
                    self.save_index_snapshot()
                except OSError as exc:
                    log.warning("could not save the keyword index snapshot: %s", exc)
                self._index.close()
            self.catalog.close()
