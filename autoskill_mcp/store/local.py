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
"""

from __future__ import annotations

import builtins  # signatures after `LocalSkillStore.list` name the builtin `list` as `builtins.list`
import logging
import os
import shutil
import stat
import threading
import time
import uuid
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import skillmd
from ..errors import ConflictError, InvalidInputError, NotFoundError, ReadOnlyError, quoted
from ..learning.redaction import redact_bytes, redact_skill
from ..retrieval.tokenizer import TOKENIZER_VERSION, tokenize
from ..skill import Scope, Skill, SkillStatus, bump_version, now_iso, parse_version
from ..skillmd.names import canonical_name, name_input_problem, normalize_name, unsafe_name_problem
from . import nofollow, recovery
from .base import PRECEDENCE, SCOPES, FileInfo, SkillHit, SkillStore, SkillSummary, VersionInfo, may_see
from .catalog import Catalog, CatalogRow, sha256_hex
from .layout import (
    CATALOG_FILE,
    LIBRARY_PREFIX,
    MAX_SKILL_MD_BYTES,
    SHARED_DIR,
    USERS_DIR,
    check_folder_name,
    check_resource_path,
    check_user_id,
    inside,
)
from .rows import RowTable

log = logging.getLogger(__name__)

SKILL_FILE = "SKILL.md"
MAX_RESOURCE_BYTES = 16 * 1024 * 1024
PARSED_CACHE_SIZE = 4096
#: from this many skills an open does not wait for the folder rescan (one lstat a folder, ~5 us: 0.5 s at
#: 100k); it runs on a thread instead, and until it ends every hit is still checked against its folder
#: before it is served (`_row`), so a hand edit is never served stale, only ranked by its previous text
BACKGROUND_SCAN_FROM = 20_000
#: that rescan first lets the first search answer (it competes for the interpreter), or waits this long at most
RESCAN_DELAY = 1.0
_SKIP_DIRS = {"node_modules", "__pycache__"}


@dataclass
class _Found:
    """A SKILL.md seen on disk during a sync."""

    key: str  # catalog `folder` value
    path: str  # the folder (a string: building Paths for every folder costs more than the scan)
    scope: str
    owner: str
    st: os.stat_result


class LocalSkillStore(SkillStore):
    """Skill folders on disk with a SQLite catalog; safe to open from many processes."""

    def __init__(
        self,
        root: str | Path,
        *,
        embeddings: dict[str, Any] | None = None,
        embedder: Any = None,
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
        self._embeddings = embeddings
        self._embedder = embedder
        self._embedder_made = embedder is not None
        self._background = background
        self._lock = threading.RLock()
        self._rows = RowTable()
        self._parsed: OrderedDict[tuple[str, int, int, int], Skill] = OrderedDict()
        self._visible_cache: dict[tuple[str, tuple[str, ...], frozenset[str]], frozenset[str] | None] = {}
        self._visible_seq = -1
        self._snapshot_seq = -1
        self._vector_snapshot_n = -1  # vectors in the saved snapshot (-1: none loaded or saved)
        self._seen_seq = -1
        self._index: Any = None
        self._vseq_seen = 0  # the catalog's last vector batch this process has looked at
        self._filler: Any = None  # a VectorFiller once this process embeds for every process
        self._last_sync = 0.0
        self._sync_cost = 0.0
        self._closed = False
        self._rescan: threading.Thread | None = None
        self._answered = threading.Event()  # set once a search has answered (see RESCAN_DELAY)
        self._rows_snapshot_seq = -1  # the change number of the rows snapshot read or saved (-1: none)
        self._restore_rows()
        self.refresh()
        self._recover()
        recovery.clear_dead_temp_files(self.root)
        if len(self._rows) >= BACKGROUND_SCAN_FROM:
            self._rescan_in_background()
        else:
            self.sync()

    # -- keeping the in-memory view current ------------------------------------------------------

    def _restore_rows(self) -> None:
        """Start from the saved rows (see snapshots.py), so `refresh` replays only later changes."""
        from . import snapshots

        saved = snapshots.read_rows(self.root, self.catalog.catalog_id, self.catalog.current_seq())
        if saved is not None:
            with self._lock:
                self._rows_snapshot_seq, self._rows = saved
                self._seen_seq = saved[0]

    def refresh(self) -> None:
        """Replay catalog changes made by any process since we last looked."""
        with self._lock:
            if self.catalog.current_seq() == self._seen_seq:
                return
            # Until the index exists no row's text is needed: _ensure_index fetches the few it needs.
            for row in self.catalog.changed_since(self._seen_seq, texts=self._index is not None):
                self._apply(row)

    def _recover(self, conn: Any = None) -> None:
        """Undo what writers killed mid-write left in the folders (see recovery.py); cheap when nothing is."""
        if not recovery.needed(self.root):
            return
        if conn is not None:
            recovery.recover(self.root, self.catalog, conn)
            return
        with self.catalog.write() as own:
            recovery.recover(self.root, self.catalog, own)

    def _apply(self, row: CatalogRow) -> None:
        # Only `refresh` calls this, in seq order: jumping ahead would skip others' commits.
        with self._lock:
            self._seen_seq = max(self._seen_seq, row.seq)
            if row.deleted:
                self._rows.pop(row.id, None)
                if self._index is not None:
                    self._index.remove(row.id)
                return
            self._rows[row.id] = row
            if self._index is not None:
                self._index.upsert_many([(row.id, row.index_text, row.text_hash, _saved_tokens(row))])
                _drop_texts(row)

    def _rescan_in_background(self) -> None:
        """Reconcile with the folders on a thread (see BACKGROUND_SCAN_FROM)."""

        def run() -> None:
            self._answered.wait(RESCAN_DELAY)
            try:
                self.sync()
            except Exception as exc:  # noqa: BLE001 - the next rescan (or a stale hit's own) retries
                if not self._closed:
                    log.warning("the folder rescan at open failed: %s", exc)

        self._last_sync = time.monotonic()
        self._rescan = threading.Thread(target=run, name="autoskill-rescan", daemon=True)
        self._rescan.start()

    def wait_for_rescan(self, timeout: float | None = None) -> bool:
        """Wait for the rescan an open started on a thread, if any; True once none is running."""
        self._answered.set()  # no need to hold it back for a search any longer
        rescan = self._rescan
        if rescan is not None and rescan is not threading.current_thread():
            rescan.join(timeout)
            return not rescan.is_alive()
        return True

    def _maybe_sync(self) -> None:
        if self._rescan is not None and self._rescan.is_alive():
            return  # the open's own rescan is still running
        # Rescans cost O(skills); space them out in proportion to what the last one cost.
        interval = max(self.sync_interval, 20 * self._sync_cost)
        if time.monotonic() - self._last_sync >= interval:
            self.sync()

    def _abs(self, folder: str) -> Path:
        if folder.startswith(LIBRARY_PREFIX):
            return Path(folder[len(LIBRARY_PREFIX):])
        return self.root / folder

    # -- disk reconciliation ---------------------------------------------------------------------

    def _scan(self) -> list[_Found]:
        # Plain os calls on strings: this runs over every skill folder, pathlib is 3x slower.
        found: list[_Found] = []

        lstat, tail = os.lstat, os.sep + SKILL_FILE

        def add(dir_: str, key: str, scope: str, owner: str) -> None:
            # lstat: a SKILL.md that is a link is never followed. It is still "found", so reconciling
            # reports it (and a known skill keeps its last good version instead of vanishing).
            try:
                st = lstat(dir_ + tail)
            except OSError:
                return
            if stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
                found.append(_Found(key, dir_, scope, owner, st))

        for user_entry in _subdirs(self.root / USERS_DIR):
            try:
                check_user_id(user_entry.name)
            except InvalidInputError:
                continue
            prefix = f"{USERS_DIR}/{user_entry.name}/"
            for skill_entry in _subdirs(user_entry.path):
                add(skill_entry.path, prefix + skill_entry.name, "user", user_entry.name)
        for skill_entry in _subdirs(self.root / SHARED_DIR):
            add(skill_entry.path, f"{SHARED_DIR}/{skill_entry.name}", "shared", "")
        for lib in self.library_dirs:
            for dir_ in _find_skill_dirs(lib, max_depth=6):
                add(str(dir_), LIBRARY_PREFIX + str(dir_), "library", f"library:{lib.name}")
        return found

    def sync(self) -> dict[str, list[str]]:
        """Reconcile the catalog with the folders: pick up hand edits, new and removed folders."""
        started = time.monotonic()
        self.refresh()
        found = self._scan()
        with self._lock:  # from the columns: no row objects made for the unchanged (see rows.py)
            by_folder = {folder: (skill_id, mtime, size)
                         for skill_id, folder, mtime, size in self._rows.project("folder", "mtime_ns", "size")}
        stale = [
            f for f in found
            if (known := by_folder.get(f.key)) is None
            or known[1] != f.st.st_mtime_ns
            or known[2] != f.st.st_size
        ]
        present = {f.key for f in found}
        with self._lock:
            gone = [row for folder, (skill_id, _, _) in by_folder.items()
                    if folder not in present and (row := self._rows.get(skill_id)) is not None]
        report: dict[str, list[str]] = {"added": [], "updated": [], "removed": [], "problems": []}
        if stale or gone:
            self._reconcile(stale, gone, report)
        self._last_sync = time.monotonic()
        self._sync_cost = self._last_sync - started
        return report

    def _reconcile(self, stale: list[_Found], gone: list[CatalogRow], report: dict[str, list[str]]) -> None:
        applied: list[CatalogRow] = []
        with self.catalog.write() as conn:
            self._recover(conn)  # a folder a dead writer left half-made is undone, never recorded
            for f in stale:
                folder = Path(f.path)
                row = self.catalog.find_by_folder(f.key, conn=conn)
                try:
                    st = os.lstat(folder / SKILL_FILE)
                except FileNotFoundError:
                    continue  # gone since the scan (deleted, or undone just above): nothing to record
                try:
                    if row and row.mtime_ns == st.st_mtime_ns and row.size == st.st_size:
                        self._touched(row)
                        continue  # another process reconciled it first
                    data = nofollow.read_regular(folder / SKILL_FILE, MAX_SKILL_MD_BYTES)
                except (OSError, InvalidInputError) as exc:
                    self._problem(f.key, str(exc), report)
                    continue
                content_hash = sha256_hex(data)
                if row and row.content_hash == content_hash:
                    row.mtime_ns, row.size = st.st_mtime_ns, st.st_size
                    self.catalog.put_skill(conn, row)  # same content, touched file: no new version
                    self._touched(row)
                    continue
                # A file edited by hand, or in a library, is the user's to keep; the catalog keeps no secret of it.
                data = redact_bytes(data)[0]
                result = skillmd.to_skill(skillmd.parse(data, path=str(folder / SKILL_FILE)), dir_name=folder.name)
                if result.skill is None:
                    self._problem(f.key, result.skipped_reason or "unusable SKILL.md", report)
                    continue
                unsafe = unsafe_name_problem(result.skill.name)
                if unsafe is not None:  # never indexed, listed or served under such a name
                    self._problem(f.key, f"the name {quoted(result.skill.name)} {unsafe}", report)
                    continue
                self.problems.pop(f.key, None)
                skill = result.skill
                if row is None:
                    skill_id = skill.id if _is_free_id(self.catalog, skill.id, conn) else str(uuid.uuid4())
                    created = now_iso()
                    report["added"].append(f.key)
                    reason = "found on disk"
                else:
                    skill_id, created = row.id, row.created_at
                    report["updated"].append(f.key)
                    reason = "edited on disk"
                    # Versions only move forward: an edit that kept the old number gets a patch bump
                    # in the catalog (authoritative); the file is corrected at the next store write.
                    old_v, file_v = parse_version(row.version), parse_version(skill.version)
                    if old_v is None or file_v is None or file_v <= old_v:
                        skill.version = bump_version(row.version)
                seq = self.catalog.next_seq(conn)
                new = _row_for(skill, skill_id, f.scope, f.owner, f.key, content_hash, st, created, now_iso(), seq)
                self.catalog.put_skill(conn, new)
                files = self._store_blobs(conn, folder)
                self.catalog.add_version(conn, skill_id, new.version, reason, data.decode("utf-8", "replace"), files,
                                         new.updated_at)
                applied.append(new)
            for row in gone:
                current = self.catalog.get_skill(row.id, conn=conn)
                if current is None or current.deleted:
                    continue
                where = self._abs(current.folder)
                if nofollow.is_link(where):
                    # swapped for a link: not followed, not deleted either (the last good version is served)
                    self._problem(current.folder, f"{where} is a symbolic link: not followed", report)
                    continue
                if nofollow.regular_stat(where / SKILL_FILE) is not None:
                    continue
                current.deleted = True
                current.seq = self.catalog.next_seq(conn)
                self.catalog.put_skill(conn, current)
                report["removed"].append(row.folder)
                applied.append(current)
        if applied:
            self.refresh()  # replay in order: other processes may have committed before us

    def _touched(self, row: CatalogRow) -> None:
        """Take a file's new mtime and size that the catalog records without a change number."""
        with self._lock:
            held = self._rows.get(row.id)
            if held is not None and held.seq == row.seq:
                held.mtime_ns, held.size = row.mtime_ns, row.size

    def _problem(self, key: str, message: str, report: dict[str, list[str]]) -> None:
        known = self.problems.get(key) == message
        self.problems[key] = message
        report["problems"].append(f"{key}: {message}")
        if not known:  # said once, not at every rescan while the file stays as it is
            log.warning("skipping %s: %s (the last good version stays in the catalog)", key, message)

    def _store_blobs(self, conn: Any, dir_: Path) -> dict[str, str]:
        manifest: dict[str, str] = {}
        for rel, path in _resource_files(dir_):
            try:
                data = redact_bytes(nofollow.read_regular(path, MAX_RESOURCE_BYTES))[0]
                manifest[rel] = self.catalog.put_blob(conn, data)
            except (OSError, InvalidInputError) as exc:
                log.warning("not recording %s in history: %s", path, exc)
        return manifest

    # -- reads --------------------------------------------------------------------------------------

    def _row(self, skill_id: str, user_id: str | None = None) -> CatalogRow | None:
        """The fresh catalog row of a skill; None when absent or (`user_id` given) not theirs to see."""
        self.refresh()
        with self._lock:
            row = self._rows.get(skill_id)
        if row is None or (user_id is not None and not may_see(row.scope, row.owner, user_id)):
            return None
        try:
            st = os.lstat(self._abs(row.folder) / SKILL_FILE)
            fresh = st.st_mtime_ns == row.mtime_ns and st.st_size == row.size
        except OSError:
            fresh = False
        if not fresh:
            self.sync()
            with self._lock:
                row = self._rows.get(skill_id)
        return row

    def get(self, skill_id: str, *, include_files: bool = False, user_id: str | None = None) -> Skill | None:
        if not isinstance(skill_id, str):
            raise InvalidInputError("skill id must be a string")
        row = self._row(skill_id, user_id)
        if row is None:
            return None
        skill = self._load(row)
        if include_files:
            skill.files = {f.path: self.read_file(row.id, f.path) for f in self.list_files(row.id)}
        return skill

    def _load(self, row: CatalogRow) -> Skill:
        # Parsing YAML costs ~1-2 ms a file; search returns the same few skills again and again.
        key = (row.id, row.seq, row.mtime_ns, row.size)
        with self._lock:
            cached = self._parsed.get(key)
            if cached is not None:
                self._parsed.move_to_end(key)
                return cached.copy()
        skill = self._parse_row(row)
        with self._lock:
            self._parsed[key] = skill.copy()
            if len(self._parsed) > PARSED_CACHE_SIZE:
                self._parsed.popitem(last=False)
        return skill

    def _parse_row(self, row: CatalogRow) -> Skill:
        path = self._abs(row.folder) / SKILL_FILE
        skill: Skill | None = None
        try:
            result = skillmd.to_skill(skillmd.parse(nofollow.read_regular(path, MAX_SKILL_MD_BYTES), path=str(path)),
                                      dir_name=path.parent.name)
            skill = result.skill
        except (OSError, InvalidInputError):
            skill = None
        if skill is not None and unsafe_name_problem(skill.name) is not None:
            skill = None  # renamed on disk to a name that is never served (the rescan reports it)
        if skill is None:  # broken on disk: serve the last good version from history
            history = self.catalog.versions(row.id)
            if history:
                skill = skillmd.to_skill(skillmd.parse(history[-1].skill_md), dir_name=path.parent.name).skill
        if skill is None:
            skill = Skill(name=row.name, description=row.description)
        return _with_catalog_fields(skill, row)

    def find(self, name: str, *, user_id: str, scope: str = "all") -> Skill | None:
        self._maybe_sync()
        self.refresh()
        scopes = _scopes(scope)
        wanted = {name, normalize_name(name)} if isinstance(name, str) else {name}  # NFKC: the same name
        with self._lock:
            rows = [r for r in self._rows.values() if r.name in wanted and _visible(r, user_id, scopes)]
        rows.sort(key=lambda r: PRECEDENCE.get(r.scope, len(PRECEDENCE)))
        return self._load(rows[0]) if rows else None

    def summaries(
        self, *, user_id: str | None = None, scope: str = "user", include_archived: bool = False
    ) -> list[SkillSummary]:
        self._maybe_sync()
        self.refresh()
        scopes = _scopes(scope)
        with self._lock:
            rows = [
                r for r in self._rows.values()
                if r.scope in scopes
                and (user_id is None or may_see(r.scope, r.owner, user_id))
                and (include_archived or r.status == SkillStatus.ACTIVE.value)
            ]
        rows.sort(key=lambda r: (r.scope, r.owner, r.name))
        return [
            SkillSummary(r.id, r.name, r.description, r.version, r.scope, r.owner, r.status, tuple(r.tags),
                         r.updated_at, str(self._abs(r.folder)))
            for r in rows
        ]

    def list(self, *, user_id: str | None = None, scope: str = "user", include_archived: bool = False) -> list[Skill]:
        """Full skills (parsed from their folders); use `summaries` for large listings."""
        out = []
        for summary in self.summaries(user_id=user_id, scope=scope, include_archived=include_archived):
            skill = self.get(summary.id)
            if skill is not None:
                out.append(skill)
        return out

    def skill_dir(self, skill_id: str, *, user_id: str | None = None) -> Path | None:
        row = self._row(skill_id, user_id)
        return self._abs(row.folder) if row else None

    def list_files(self, skill_id: str, *, user_id: str | None = None) -> builtins.list[FileInfo]:
        dir_ = self.skill_dir(skill_id, user_id=user_id)
        if dir_ is None:
            raise NotFoundError(f"no skill with id {skill_id!r}")
        if not nofollow.has_no_links(dir_):
            return []  # the folder became a link: nothing in it is ours to serve
        return [FileInfo(rel, st.st_size) for rel, path in _resource_files(dir_)
                if _servable(rel) and (st := nofollow.regular_stat(path)) is not None]

    def read_file(self, skill_id: str, rel_path: str, *, user_id: str | None = None) -> bytes:
        dir_ = self.skill_dir(skill_id, user_id=user_id)
        if dir_ is None:
            raise NotFoundError(f"no skill with id {skill_id!r}")
        rel = check_resource_path(rel_path)
        path = dir_ / rel
        if not nofollow.has_no_links(dir_) or path.is_symlink() or not inside(dir_, path):
            raise InvalidInputError(f"{rel_path!r} leaves the skill folder (a symbolic link is not followed)")
        if not path.is_file():
            raise NotFoundError(f"skill {skill_id} has no file {rel!r}")
        return nofollow.read_regular(path, MAX_RESOURCE_BYTES)

    def read_skill_md(self, skill_id: str, *, user_id: str | None = None) -> bytes:
        """The SKILL.md bytes as stored on disk; its last good version when the file is unusable (a link, gone)."""
        dir_ = self.skill_dir(skill_id, user_id=user_id)
        if dir_ is None:
            raise NotFoundError(f"no skill with id {skill_id!r}")
        try:
            return nofollow.read_regular(dir_ / SKILL_FILE, MAX_SKILL_MD_BYTES)
        except (OSError, InvalidInputError) as exc:
            history = self.catalog.versions(skill_id)
            if not history:
                raise NotFoundError(f"skill {skill_id} has no readable SKILL.md: {exc}") from exc
            return history[-1].skill_md.encode("utf-8")

    # -- writes -------------------------------------------------------------------------------------

    def save(
        self, skill: Skill, *, reason: str = "save", expected_version: str | None = None,
        replace_files: bool = False,
    ) -> Skill:
        return self._save_batch([skill], reason=reason, expected_version=expected_version,
                                replace_files=replace_files, durable=True)[0]

    def save_many(self, skills: Sequence[Skill], *, reason: str = "save") -> builtins.list[Skill]:
        out: list[Skill] = []
        for start in range(0, len(skills), 200):
            out += self._save_batch(list(skills[start:start + 200]), reason=reason, durable=False)
        return out

    def save_verbatim(self, items: Sequence[tuple[Skill, bytes]], *, reason: str = "import") -> builtins.list[Skill]:
        """Write each SKILL.md as the given bytes; the catalog alone holds the skill's id and version."""
        out: list[Skill] = []
        for start in range(0, len(items), 200):
            chunk = list(items[start:start + 200])
            out += self._save_batch([s for s, _ in chunk], reason=reason, durable=len(items) == 1,
                                    verbatim=[data for _, data in chunk])
        return out

    def _save_batch(
        self, skills: builtins.list[Skill], *, reason: str, expected_version: str | None = None,
        replace_files: bool = False, durable: bool, verbatim: builtins.list[bytes] | None = None,
    ) -> builtins.list[Skill]:
        prepared = [_prepare(s) for s in skills]
        raw: list[bytes | None] = list(verbatim) if verbatim is not None else [None] * len(prepared)
        for i, data in enumerate(raw):
            if data is not None and prepared[i].name != skills[i].name:
                raise InvalidInputError(f"{skills[i].name!r} is not a valid name: it cannot be kept as written")
        # No secret is stored: every write path (SDK, MCP, editor, import, learning, rollback) ends here.
        found: list[Counter[str]] = []
        for i, skill in enumerate(prepared):
            prepared[i], in_fields, in_files = redact_skill(skill)
            data = raw[i]
            if data is not None:
                clean, in_text = redact_bytes(data)
                if in_fields and not in_text:
                    raw[i] = None  # the file's text hid what its parsed fields held: write the fields instead
                else:
                    raw[i], in_fields = clean, in_text
            found.append(in_fields + in_files)
        # before anything is written: a batch is stored whole or not at all
        for skill, data in zip(prepared, raw, strict=True):
            check_skill_md_size(skill, data)
        self.refresh()
        results: list[tuple[Skill, CatalogRow | None]] = []
        journal = recovery.Journal(self.root, durable=durable)
        try:
            with self.catalog.write() as conn:
                self._recover(conn)
                for skill in prepared:  # before any file is written: a refused batch leaves the folders as they were
                    self._check_name_free(conn, skill)
                for skill, data in zip(prepared, raw, strict=True):
                    results.append(self._save_one(conn, skill, reason, expected_version, replace_files, durable,
                                                  data, journal))
                journal.finish()  # every file is written; a kill from here on leaves whole files
        except BaseException:
            journal.abandon()
            if journal.path is not None:
                self._recover()  # put the folders back as the catalog (rolled back) has them
            raise
        if any(row is not None for _, row in results):
            self.refresh()  # never jump our seen-seq past another process's earlier commit
        for (saved, _), counts in zip(results, found, strict=True):
            saved.redactions = dict(counts)
        return [s for s, _ in results]

    def _check_name_free(self, conn: Any, skill: Skill) -> None:
        """ConflictError when another skill of the same owner has this name (committed by any process)."""
        owner = skill.user_id if skill.scope == Scope.USER else ""
        clash = self.catalog.find_by_name(owner, skill.name, conn=conn)
        if clash is not None and clash.id != skill.id:
            raise ConflictError(
                f"a skill named {skill.name!r} already exists in this scope (id {clash.id}); "
                "update that id, or choose another name"
            )
        existing = self.catalog.get_skill(skill.id, conn=conn)
        renamed = existing is None or existing.deleted or existing.name != skill.name
        if renamed:  # a new name is checked; an unchanged one never is
            twin = self.catalog.find_lookalike(owner, skill.name, other_than=skill.id, conn=conn)
            if twin is not None:
                raise ConflictError(
                    f"{skill.name!r} looks like the existing skill {twin.name!r} (id {twin.id}) in this scope: "
                    "a reader could not tell them apart; update that skill, or choose a name that reads differently"
                )

    def _save_one(
        self, conn: Any, skill: Skill, reason: str, expected_version: str | None, replace_files: bool,
        durable: bool, skill_md: bytes | None = None, journal: recovery.Journal | None = None,
    ) -> tuple[Skill, CatalogRow | None]:
        """Write one skill: rendered by us, or, given `skill_md`, exactly those bytes."""
        owner = skill.user_id if skill.scope == Scope.USER else ""
        existing = self.catalog.get_skill(skill.id, conn=conn)
        if existing is not None and existing.deleted:
            existing = None
        if existing is not None and existing.scope == Scope.LIBRARY.value:
            raise ReadOnlyError(f"skill {existing.name!r} lives in a read-only library; copy it to your skills first")
        self._check_name_free(conn, skill)
        if expected_version is not None and existing is not None and existing.version != expected_version:
            raise ConflictError(
                f"skill {skill.name!r} is at version {existing.version}, not {expected_version}; reload and retry"
            )
        key = (f"{USERS_DIR}/{owner}/{skill.name}" if skill.scope == Scope.USER else f"{SHARED_DIR}/{skill.name}")
        new_dir = self.root / key
        old_dir = self._abs(existing.folder) if existing else None

        old_manifest: dict[str, str] = {}
        if existing is not None:
            history = self.catalog.versions(existing.id)
            old_manifest = history[-1].files if history else {}
        new_manifest = {} if replace_files else dict(old_manifest)
        for rel, data in skill.files.items():
            new_manifest[rel] = sha256_hex(data)

        if existing is not None:
            if skill_md is not None:
                same = _read_bytes_or_none(old_dir / SKILL_FILE) == skill_md if old_dir else False
            else:
                old_text = _read_text_or_none(old_dir / SKILL_FILE) if old_dir else None
                same = old_text == skillmd.render(skill.copy(version=existing.version))
            if (
                same
                and new_manifest == old_manifest
                and existing.folder == key
                and existing.status == skill.status.value
            ):
                return _with_catalog_fields(skill.copy(version=existing.version), existing), None
            old_v, new_v = parse_version(existing.version), parse_version(skill.version)
            if old_v is None or new_v is None or new_v <= old_v:
                skill.version = bump_version(existing.version)

        md_bytes = skill_md if skill_md is not None else skillmd.render(skill).encode("utf-8")
        if len(md_bytes) > MAX_SKILL_MD_BYTES:  # a bumped version can add a byte to what the batch checked
            raise InvalidInputError(_too_big(skill.name, len(md_bytes)))
        text = md_bytes.decode("utf-8", "replace")
        # Every path this save touches is checked for links before anything is written, so a
        # refused save writes nothing (links below the store root are never followed).
        renaming = old_dir is not None and old_dir != new_dir
        if renaming and old_dir is not None:
            nofollow.check_real_dir(old_dir)
            if not nofollow.has_no_links(old_dir.parent):
                raise InvalidInputError(f"{old_dir.parent} is or lies below a symbolic link: not followed")
            if os.path.lexists(new_dir):
                raise ConflictError(f"cannot rename to {new_dir}: a folder is already there")
        for rel in [SKILL_FILE, *skill.files]:
            nofollow.check_writable(self.root, f"{key}/{rel}")
        if old_dir is None and os.path.lexists(new_dir / SKILL_FILE):
            stray = self.catalog.find_by_folder(key, conn=conn)
            if stray is None or stray.id != skill.id:
                raise ConflictError(f"{new_dir} already holds another skill; choose another name")
        if journal is not None:  # before the first change on disk, so a kill -9 from here on can be undone
            removed = [rel for rel, _ in _resource_files(old_dir or new_dir) if rel not in skill.files] \
                if replace_files else []
            journal.note({"op": "save", "id": skill.id, "key": key, "from": existing.folder if existing else None,
                          "created": old_dir is None and not os.path.lexists(new_dir),
                          "files": sorted({*skill.files, *removed})})
        if renaming and old_dir is not None:
            nofollow.ensure_dir(self.root, key.rsplit("/", 1)[0])
            os.replace(old_dir, new_dir)
        nofollow.ensure_dir(self.root, key)
        for rel, data in skill.files.items():
            nofollow.write_file(self.root, f"{key}/{rel}", data, durable=durable)
        if replace_files:
            for rel, path in _resource_files(new_dir):
                if rel not in skill.files:
                    path.unlink()
        nofollow.write_file(self.root, f"{key}/{SKILL_FILE}", md_bytes, durable=durable)
        st = os.lstat(new_dir / SKILL_FILE)
        now = now_iso()
        created = existing.created_at if existing else skill.created_at or now
        seq = self.catalog.next_seq(conn)
        row = _row_for(skill, skill.id, skill.scope.value, owner, key, sha256_hex(md_bytes), st, created, now, seq)
        self.catalog.put_skill(conn, row)
        for data in skill.files.values():
            self.catalog.put_blob(conn, data)
        self.catalog.add_version(conn, skill.id, skill.version, reason, text, new_manifest, now)
        return _with_catalog_fields(skill, row), row

    def delete(self, skill_id: str) -> bool:
        self.refresh()
        journal = recovery.Journal(self.root, durable=True)
        trash: Path | None = None
        try:
            with self.catalog.write() as conn:
                self._recover(conn)
                row = self.catalog.get_skill(skill_id, conn=conn)
                if row is None or row.deleted:
                    return False
                if row.scope == Scope.LIBRARY.value:
                    raise ReadOnlyError(f"skill {row.name!r} lives in a read-only library")
                dir_ = self._abs(row.folder)
                if nofollow.is_link(dir_):
                    os.unlink(dir_)  # a folder swapped for a link: remove the link, never what it points at
                elif dir_.exists():
                    # Moved aside, removed only once the delete is committed: a kill before the commit
                    # puts the folder back (recovery.py), never leaves it half-deleted.
                    trash = self.root / recovery.trash_name(row.id)
                    journal.note({"op": "delete", "id": row.id, "key": row.folder, "trash": trash.name})
                    os.replace(dir_, trash)
                row.deleted = True
                row.seq = self.catalog.next_seq(conn)
                row.updated_at = now_iso()
                self.catalog.put_skill(conn, row)
                journal.finish()
        except BaseException:
            journal.abandon()
            if journal.path is not None:
                self._recover()
            raise
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)
        self.refresh()
        return True

    # -- history --------------------------------------------------------------------------------------

    def versions(self, skill_id: str) -> builtins.list[VersionInfo]:
        history = self.catalog.versions(skill_id)
        if not history:
            raise NotFoundError(f"no history for skill id {skill_id!r}")
        last = len(history) - 1
        return [VersionInfo(v.n, v.version, v.reason, v.created_at, i == last, sha256_hex(v.skill_md.encode("utf-8")))
                for i, v in enumerate(history)]

    def _version_row(self, skill_id: str, version: str) -> Any:
        history = self.catalog.versions(skill_id)
        if not history:
            raise NotFoundError(f"no history for skill id {skill_id!r}")
        if version.startswith("#") and version[1:].isdigit():
            matches = [v for v in history if v.n == int(version[1:])]
        else:
            matches = [v for v in history if v.version == version.lstrip("v")]
        if not matches:
            known = ", ".join(dict.fromkeys(v.version for v in history))
            raise NotFoundError(f"skill {skill_id} has no version {version!r} (known: {known})")
        return matches[-1]

    def get_version(self, skill_id: str, version: str) -> Skill:
        entry = self._version_row(skill_id, version)
        skill = skillmd.to_skill(skillmd.parse(entry.skill_md)).skill
        if skill is None:
            raise NotFoundError(f"version {version} of {skill_id} cannot be parsed")
        for rel, digest in entry.files.items():
            blob = self.catalog.get_blob(digest)
            if blob is not None:
                skill.files[rel] = blob
        row = self.catalog.get_skill(skill_id)
        if row is not None:
            skill = _with_catalog_fields(skill, row)
        skill.version = entry.version
        return skill

    def rollback(self, skill_id: str, to_version: str | None = None) -> Skill:
        current = self.get(skill_id)
        if current is None:
            raise NotFoundError(f"no skill with id {skill_id!r}")
        history = self.catalog.versions(skill_id)
        if to_version is None:
            if len(history) < 2:
                raise NotFoundError(f"skill {current.name!r} has no earlier version to roll back to")
            target = history[-2]
        else:
            target = self._version_row(skill_id, to_version)
        restored = self.get_version(skill_id, f"#{target.n}")
        restored = restored.copy(
            id=current.id, user_id=current.user_id, scope=current.scope, name=current.name,
            version=bump_version(current.version), created_at=current.created_at,
        )
        return self._save_batch([restored], reason=f"rollback to {target.version}", replace_files=True,
                                durable=True)[0]

    # -- search ---------------------------------------------------------------------------------------

    def _ensure_index(self) -> Any:
        with self._lock:
            if self._index is None:
                from ..retrieval import HybridIndex
                from . import snapshots

                embedder = self._get_embedder()
                # A costly embedder's backlog is embedded only by a process that fills vectors for all
                # (start_filling_vectors), by import / reindex (embed_missing) or by a search that waits.
                index = HybridIndex(embedder, cache=self.catalog, background=self._background,
                                    embed_backlog=embedder is None or bool(embedder.cheap))
                if embedder is not None:  # read before any vector is loaded, so none written meanwhile is missed
                    self._vseq_seen = self.catalog.vector_seq(embedder.signature)
                rows = self._rows
                saved = snapshots.read_vectors(self.root, self.catalog.catalog_id)
                kept = 0
                if saved is not None:
                    kept = index.restore_vectors(saved[0], rows.mapping("text_hash"))
                    # an old-format snapshot (float32 rows) is rewritten at the next save, whatever changed
                    self._vector_snapshot_n = kept if saved[1] else -1
                since = self._restore_keywords(index)
                if since is None:
                    self._fill_texts(list(rows.values()))
                    index.upsert_many((r.id, r.index_text, r.text_hash, _saved_tokens(r)) for r in rows.values())
                    self._snapshot_seq = -1
                else:
                    # The snapshot holds the keyword index as of change `since`: replay what came after
                    # (those rows come with their texts).
                    changed = self.catalog.changed_since(since)
                    for row in changed:
                        index.remove(row.id)
                    fresh = [r for r in changed if r.id in rows and not r.deleted]
                    index.upsert_many([(r.id, r.index_text, r.text_hash, _saved_tokens(r)) for r in fresh])
                    # Only a skill without a vector needs its text (to be embedded); when the snapshot
                    # restored every skill's vector (the usual open), none does.
                    lacking: list[CatalogRow] = []
                    if kept < len(rows):
                        done = {r.id for r in fresh}
                        lacking = [r for r in rows.values()
                                   if r.id not in done and not index.has_vector(r.id, r.text_hash)]
                    self._fill_texts(lacking)
                    index.upsert_many([(r.id, r.index_text, r.text_hash) for r in lacking], keywords=False)
                    self._snapshot_seq = since
                for row in rows.made():  # rows still in snapshot columns have no texts
                    _drop_texts(row)
                self._index = index
            return self._index

    def _fill_texts(self, rows: Sequence[CatalogRow]) -> None:
        """Give rows loaded without their texts (see refresh) their index text and tokens."""
        lean = [r for r in rows if not r.index_text and not r.tokens]
        found = self.catalog.texts([r.id for r in lean])
        for r in lean:
            r.index_text, r.tokens = found.get(r.id, ("", ""))

    def _get_embedder(self) -> Any:
        """The embedder this store's index uses, made once (None: keyword search only)."""
        with self._lock:
            if self._embedder is None and not self._embedder_made:
                from ..retrieval import make_embedder

                self._embedder = make_embedder(self._embeddings)
                self._embedder_made = True
            return self._embedder

    def _preload_model(self) -> None:
        """Start loading a costly embedding model while the index is built: a fresh process's
        first search then waits for the longer of the two, not for both."""
        embedder = self._get_embedder()
        if embedder is None or embedder.cheap or embedder.ready:
            return

        def load() -> None:
            try:
                embedder.load()
            except Exception as exc:  # noqa: BLE001 - the search's own load reports it
                log.debug("preloading the embedding model failed: %s", exc)

        threading.Thread(target=load, name="autoskill-model-load", daemon=True).start()

    def _restore_keywords(self, index: Any) -> int | None:
        """Load the saved keyword index; the change number it reflects, or None to rebuild."""
        from . import snapshots

        saved = snapshots.read_keywords(self.root, self.catalog.catalog_id, self._seen_seq)
        if saved is None:
            return None
        try:
            index.restore_keywords(saved[1])
        except ValueError as exc:
            log.warning("ignoring the keyword snapshot (%s); rebuilding the index", exc)
            return None
        return saved[0]

    def save_index_snapshot(self, *, force: bool = False) -> bool:
        """Save the keyword index and the vectors so the next process starts without re-indexing.

        Each is skipped when the saved one is nearly current (replaying a few changes
        is cheaper) or the store is small (it rebuilds in a few milliseconds).
        """
        from . import snapshots

        with self._lock:
            if self._index is None:
                return False
            seq, n = self._seen_seq, len(self._rows)
            slack = max(50, n // 50)
            keywords = force or (
                seq - self._snapshot_seq >= slack if self._snapshot_seq >= 0 else n >= 200
            )
            payload = self._index.keyword_snapshot() if keywords else None
            held = self._index.vector_count
            vectors = force or (
                abs(held - self._vector_snapshot_n) >= slack if self._vector_snapshot_n >= 0 else held >= 200
            ) or (keywords and held > 0)
            snap = self._index.vector_snapshot() if vectors else None
            rows_due = force or (
                seq - self._rows_snapshot_seq >= slack if self._rows_snapshot_seq >= 0 else n >= 200
            )
            columns = self._rows.columns() if rows_due else None  # a copy: written while the store goes on
        if columns is not None:
            snapshots.write_rows(self.root, self.catalog.catalog_id, seq, columns)
            self._rows_snapshot_seq = seq
        if payload is not None:
            snapshots.write_keywords(self.root, self.catalog.catalog_id, seq, payload)
            self._snapshot_seq = seq
        if snap is not None:
            snapshots.write_vectors(self.root, self.catalog.catalog_id, snap)
            self._vector_snapshot_n = len(snap.ids)
        return payload is not None or snap is not None or columns is not None

    def rebuild_index(self, on_progress: Any = None) -> int:
        """Rebuild the search index from the catalog, ignoring the keyword snapshot; how many skills.

        `autoskill reindex`: after a tokenizer change, or to be sure the index is right. Vectors
        whose skill kept its text are kept (they are keyed by content hash); `embed_missing`
        then embeds the rest.
        """
        from . import snapshots

        report = on_progress or (lambda stage, d, n: None)
        self.sync()
        with self._lock:
            old, self._index = self._index, None
            # Rows drop their text once indexed: read them all again from the catalog.
            self._rows, self._seen_seq = RowTable(), -1
            self._snapshot_seq = self._vector_snapshot_n = -1
            snapshots.keywords_path(self.root).unlink(missing_ok=True)
        if old is not None:
            old.close()
        self.refresh()
        report("indexing skills", 0, len(self._rows))
        index = self._ensure_index()
        report("indexing skills", len(index), len(index))
        self.save_index_snapshot(force=True)
        return len(index)

    @property
    def index(self) -> Any:
        """The hybrid index (built on first use)."""
        return self._ensure_index()

    def warm_index(self, on_progress: Any = None) -> bool:
        """Build the index and wait until every skill has its vector (embedding what is missing).

        What a first hybrid search, or one after a change of embedder, waits for anyway; done
        here it can report `on_progress(stage, done, total)`. True when searches are hybrid.
        """
        self.refresh()
        total = len(self._rows)
        if on_progress is not None:
            on_progress("building the search index", 0, total)
        index = self._ensure_index()
        if on_progress is None:
            return bool(index.wait_until_ready())
        return bool(index.wait_until_ready(on_progress=lambda done, n: on_progress("embedding skills", done, n)))

    # -- vectors: who embeds, and how every process gets them ----------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    def vector_status(self) -> tuple[int, int]:
        """(skills waiting for a vector, skills indexed); (0, n) without an embedder."""
        index = self._ensure_index()
        return index.pending, len(index)

    def vector_note(self) -> str | None:
        """Why a search now would answer from keywords only (e.g. "vector: pending 3 of 10"), else None."""
        return self._ensure_index().vector_note()

    def pick_up_vectors(self) -> int:
        """Take the vectors other processes wrote since we last looked (one indexed query when none)."""
        index = self._ensure_index()
        if index.embedder is None or not index.pending:
            return 0
        signature = index.embedder.signature
        if self.catalog.vector_seq(signature) <= self._vseq_seen:
            return 0
        rows, top = self.catalog.vectors_since(signature, self._vseq_seen)
        self._vseq_seen = max(self._vseq_seen, top)
        return int(index.absorb_vectors(rows))

    def take_embed_lease(self, owner: str, seconds: float) -> bool:
        """The right to embed this store's backlog for the current embedder (see vector_filler.py)."""
        index = self._ensure_index()
        if index.embedder is None:
            return False
        return self.catalog.take_embed_lease(index.embedder.signature, owner, seconds, now=time.time())

    def release_embed_lease(self, owner: str) -> None:
        index = self._index
        if index is None or index.embedder is None or self._closed:
            return
        try:
            self.catalog.drop_embed_lease(index.embedder.signature, owner)
        except Exception as exc:  # noqa: BLE001 - a lease left behind expires by itself
            log.debug("could not drop the embedding lease: %s", exc)

    def start_filling_vectors(self, *, poll: float = 1.0) -> Any:
        """Embed missing vectors on a background thread for every process on this store (idempotent).

        The processes that work the learning queue call this; others only pick vectors up.
        Returns the VectorFiller.
        """
        from .vector_filler import VectorFiller

        with self._lock:
            if self._filler is None and not self._closed:
                self._filler = VectorFiller(self, poll=poll)
                self._filler.start()
            return self._filler

    def embed_missing(self, on_progress: Any = None, *, chunk: int = 64) -> int:
        """Embed every skill that lacks a vector, here and now (import, reindex); how many were embedded.

        `on_progress(stage, done, total)` is called after every chunk. Takes the embedding
        lease from any background filler meanwhile, so the work is not done twice.
        """
        from .vector_filler import LEASE_SECONDS, new_owner

        index = self._ensure_index()
        if index.embedder is None or not index.pending:
            return 0
        owner = new_owner()
        signature = index.embedder.signature
        total, done = index.pending, 0
        report = on_progress or (lambda stage, d, n: None)
        try:
            while index.pending:
                self.catalog.take_embed_lease(signature, owner, LEASE_SECONDS, now=time.time(), force=True)
                report("embedding skills", done, total)
                self.pick_up_vectors()
                done += index.embed_pending(chunk)
            report("embedding skills", total, total)
        finally:
            self.release_embed_lease(owner)
        self.save_index_snapshot(force=True)
        return done

    def search(
        self, query: str, *, user_id: str, scope: str = "all", top_k: int = 5, min_score: float = 0.0,
        tags: Iterable[str] | None = None, wait: bool = False, load_model: bool = False,
    ) -> builtins.list[SkillHit]:
        if not isinstance(query, str):
            raise InvalidInputError("query must be a string")
        if not query.strip():
            raise InvalidInputError("the query is empty: say what the task is, e.g. 'write a commit message'")
        if not isinstance(top_k, int) or top_k < 1:
            raise InvalidInputError("top_k must be a positive integer")
        scopes = _scopes(scope)
        wanted_tags = {t.lower() for t in tags or ()}
        self._maybe_sync()
        self.refresh()
        if load_model and self._index is None:
            self._preload_model()
        index = self._ensure_index()
        if index.pending:
            self.pick_up_vectors()
            if self._filler is not None:
                self._filler.wake()
        allowed = self._visible_ids(user_id, scopes, frozenset(wanted_tags))
        hits = []
        for doc in index.search(query, top_k, allowed=allowed, min_score=min_score, wait=wait, load_model=load_model):
            row = self._row(doc.doc_id, user_id)  # one stat per hit: a hand edit is never served stale
            if row is not None:
                hits.append(SkillHit(self._load(row), doc.score, doc.keyword, doc.vector, doc.mode, doc.note))
        self._answered.set()
        return hits

    def _visible_ids(self, user_id: str, scopes: tuple[str, ...], tags: frozenset[str]) -> frozenset[str] | None:
        """Ids a search may return, None meaning all of them; cached until the catalog changes."""
        key = (user_id, scopes, tags)
        with self._lock:
            if self._visible_seq != self._seen_seq:
                self._visible_cache.clear()
                self._visible_seq = self._seen_seq
            if key in self._visible_cache:
                return self._visible_cache[key]
            active = SkillStatus.ACTIVE.value  # once, not an enum lookup per skill
            cached: frozenset[str] | None = None
            # Every skill visible (one user's store, the usual case): no filter to build or apply.
            everyone = not tags and all(status == active for (status,) in self._rows.distinct("status")) and all(
                scope in scopes and may_see(scope, owner, user_id)
                for scope, owner in self._rows.distinct("scope", "owner"))
            if not everyone:
                cached = frozenset([
                    skill_id for skill_id, status, scope, owner, row_tags
                    in self._rows.project("status", "scope", "owner", "tags")
                    if status == active
                    and scope in scopes and may_see(scope, owner, user_id)
                    and (not tags or bool(tags & {t.lower() for t in row_tags}))
                ])
            if len(self._visible_cache) > 64:
                self._visible_cache.clear()
            self._visible_cache[key] = cached
            return cached

    # -- usage and change feed -----------------------------------------------------------------------

    def record_usage(self, skill_id: str, *, retrieved: int = 0, used: int = 0, user_id: str = "") -> None:
        if self._row(skill_id) is None:
            raise NotFoundError(f"no skill with id {skill_id!r}")
        self.record_usage_many([(skill_id, user_id, retrieved, used)])

    def record_usage_many(self, counts: Sequence[tuple[str, str, int, int]]) -> None:
        known = [c for c in counts if (c[2] or c[3]) and self._row(c[0]) is not None]
        self.catalog.bump_usage(known, at=now_iso())

    def usage(self, skill_id: str, *, user_id: str | None = None) -> dict[str, Any]:
        return self.catalog.usage(skill_id, user_id)

    def change_seq(self) -> int:
        return self.catalog.current_seq()

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


# -- helpers private to this module ---------------------------------------------------------------------


def _subdirs(path: str | Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as it:
            return [e for e in it if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")]
    except OSError:
        return []


def _find_skill_dirs(root: Path, *, max_depth: int) -> list[Path]:
    """Folders below `root` holding a SKILL.md, never following symlinks."""
    out: list[Path] = []
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack:
        dir_, depth = stack.pop()
        if os.path.lexists(dir_ / SKILL_FILE):  # a linked SKILL.md is kept so the scan can report it
            out.append(dir_)
            continue
        if depth >= max_depth:
            continue
        for entry in _subdirs(dir_):
            if entry.name not in _SKIP_DIRS:
                stack.append((Path(entry.path), depth + 1))
    return sorted(out)


def _resource_files(dir_: Path) -> list[tuple[str, Path]]:
    """(relative path, path) of every regular file in a skill folder except SKILL.md."""
    out: list[tuple[str, Path]] = []
    stack = [dir_]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name in _SKIP_DIRS:
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                rel = Path(entry.path).relative_to(dir_).as_posix()
                if rel != SKILL_FILE:
                    out.append((rel, Path(entry.path)))
    return sorted(out)


def _servable(rel: str) -> bool:
    """A resource path `read_file` would serve (one with a control character on disk is not listed)."""
    try:
        check_resource_path(rel)
    except InvalidInputError:
        return False
    return True


def _read_bytes_or_none(path: Path) -> bytes | None:
    try:
        return nofollow.read_regular(path, MAX_SKILL_MD_BYTES)
    except (OSError, InvalidInputError):
        return None


def _read_text_or_none(path: Path) -> str | None:
    data = _read_bytes_or_none(path)
    try:
        # universal newlines, as a text-mode read gives: the comparison with a render ignores them
        return None if data is None else data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        return None


def _scopes(scope: str) -> tuple[str, ...]:
    try:
        return SCOPES[scope]
    except (KeyError, TypeError):
        raise InvalidInputError(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}") from None


def _visible(row: CatalogRow, user_id: str, scopes: tuple[str, ...]) -> bool:
    return row.scope in scopes and may_see(row.scope, row.owner, user_id)


def _is_free_id(catalog: Catalog, skill_id: str, conn: Any) -> bool:
    try:
        uuid.UUID(skill_id)
    except (ValueError, AttributeError, TypeError):
        if not (isinstance(skill_id, str) and 0 < len(skill_id) <= 128 and skill_id.isprintable()):
            return False
    return catalog.get_skill(skill_id, conn=conn) is None


def _prepare(skill: Skill) -> Skill:
    """Validate a skill for writing and give it a spec-valid name."""
    if not isinstance(skill, Skill):
        raise InvalidInputError("expected a Skill")
    skill = skill.copy()
    if not isinstance(skill.name, str) or not skill.name.strip():
        raise InvalidInputError("a skill needs a name")
    problem = name_input_problem(skill.name)
    if problem is not None:
        raise InvalidInputError(f"invalid skill name {quoted(skill.name)}: {problem}")
    if not isinstance(skill.description, str) or not skill.description.strip():
        raise InvalidInputError(f"skill {skill.name!r} needs a description that says what it does and when to use it")
    skill.name = canonical_name(skill.name)  # NFKC: 'ｇｉｔ-x' is stored (and found) as 'git-x'
    check_folder_name(skill.name)
    if skill.scope == Scope.USER:
        check_user_id(skill.user_id)
    elif skill.scope == Scope.LIBRARY:
        raise ReadOnlyError("library skills are read-only; save it as a user or shared skill")
    if not isinstance(skill.id, str) or not skill.id.strip() or len(skill.id) > 128 or not skill.id.isprintable():
        raise InvalidInputError("a skill id must be a non-empty string of at most 128 printable characters")
    skill.files = {check_resource_path(rel): bytes(data) for rel, data in skill.files.items()}
    for rel, data in skill.files.items():
        if len(data) > MAX_RESOURCE_BYTES:
            raise InvalidInputError(f"resource {rel} is over the {MAX_RESOURCE_BYTES}-byte limit")
    return skill


def _too_big(name: str, size: int) -> str:
    return (f"skill {name!r}: its SKILL.md would be {size:,} bytes, over the {MAX_SKILL_MD_BYTES:,}-byte limit "
            "(2 MiB) of what the store reads back; move long material into files under references/. "
            "Nothing was stored")


def check_skill_md_size(skill: Skill, data: bytes | None = None) -> None:
    """Refuse a skill whose SKILL.md (these bytes, or the rendering of `skill`) the store could not read back.

    Rendering is skipped when the text fields are far below the limit (a UTF-8 character is at most
    4 bytes, a YAML escape at most 10 characters), so bulk writes of ordinary skills cost nothing.
    """
    if data is not None:
        size = len(data)
    else:
        texts = [skill.name, skill.description, skill.instructions, *skill.tags, *skill.triggers,
                 skill.license or "", skill.compatibility or "", skill.allowed_tools or "",
                 *skill.metadata.keys(), *skill.metadata.values(), repr(skill.extensions)]
        texts += [x or "" for e in skill.examples for x in (e.input, e.output, e.notes)]
        texts += [q for p in skill.provenance for q in p.quotes]
        if sum(map(len, texts)) * 10 + 65536 < MAX_SKILL_MD_BYTES:
            return
        size = len(skillmd.render(skill).encode("utf-8"))
    if size > MAX_SKILL_MD_BYTES:
        raise InvalidInputError(_too_big(skill.name, size))


def _drop_texts(row: CatalogRow) -> None:
    """Once indexed, a row's text and tokens live in the index; keeping them twice costs
    kilobytes per skill (the catalog still has them)."""
    row.index_text = ""
    row.tokens = ""


def _saved_tokens(row: CatalogRow) -> list[str] | None:
    """The row's token list if this tokenizer version wrote it, else None (re-tokenize)."""
    version, sep, joined = row.tokens.partition("|")
    if not sep or version != str(TOKENIZER_VERSION):
        return None
    return joined.split(" ") if joined else []


def _row_for(
    skill: Skill, skill_id: str, scope: str, owner: str, key: str, content_hash: str, st: os.stat_result,
    created: str, updated: str, seq: int,
) -> CatalogRow:
    text = skill.index_text()
    tokens = tokenize(text)
    saved_tokens = f"{TOKENIZER_VERSION}|{' '.join(tokens)}" if not any(" " in t for t in tokens) else ""
    return CatalogRow(
        id=skill_id, owner=owner, scope=scope, name=skill.name, folder=key, version=skill.version,
        status=skill.status.value, description=skill.description, tags=list(skill.tags), index_text=text,
        text_hash=sha256_hex(text.encode("utf-8"))[:32], content_hash=content_hash, mtime_ns=st.st_mtime_ns,
        size=st.st_size, created_at=created, updated_at=updated, seq=seq, tokens=saved_tokens,
    )


def _with_catalog_fields(skill: Skill, row: CatalogRow) -> Skill:
    skill.id = row.id
    skill.version = row.version
    skill.scope = Scope(row.scope)
    skill.user_id = row.owner if row.scope == "user" else ("" if row.scope == "shared" else row.owner)
    skill.created_at = row.created_at
    skill.updated_at = row.updated_at
    return skill
