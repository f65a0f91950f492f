"""Keeping the catalog in line with the folders: hand edits, new folders, removed folders.

`sync` scans the folders (folders.py) and records what changed since the catalog last saw them: a
new version for an edited SKILL.md, a new skill for a new folder, a deletion for a folder that is
gone. A file that cannot be used is reported once (`store.problems`) and its skill keeps its last
good version. A large store runs its first scan on a thread (BACKGROUND_SCAN_FROM in local.py);
later scans are spaced out in proportion to what the last one cost (`maybe_sync`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from .. import skillmd
from ..errors import InvalidInputError, quoted
from ..learning.redaction import redact_bytes
from ..skill import bump_version, now_iso, parse_version
from ..skillmd.names import unsafe_name_problem
from . import nofollow, view
from .catalog import Catalog, CatalogRow, sha256_hex
from .folders import MAX_RESOURCE_BYTES, SKILL_FILE, Found, folder_path, resource_files, scan
from .layout import MAX_SKILL_MD_BYTES
from .skill_rows import row_for

if TYPE_CHECKING:
    from .local import LocalSkillStore

log = logging.getLogger("autoskill_mcp.store.local")  # the store's messages keep the one logger name

#: the rescan an open runs on a thread first lets the first search answer (it competes for the interpreter),
#: or waits this long at most
RESCAN_DELAY = 1.0


def rescan_in_background(store: LocalSkillStore) -> None:
    """Reconcile with the folders on a thread (see BACKGROUND_SCAN_FROM)."""

    def run() -> None:
        store._answered.wait(RESCAN_DELAY)
        try:
            sync(store)
        except Exception as exc:  # noqa: BLE001 - the next rescan (or a stale hit's own) retries
            if not store._closed:
                log.warning("the folder rescan at open failed: %s", exc)

    store._last_sync = time.monotonic()
    store._rescan = threading.Thread(target=run, name="autoskill-rescan", daemon=True)
    store._rescan.start()


def wait_for_rescan(store: LocalSkillStore, timeout: float | None = None) -> bool:
    store._answered.set()  # no need to hold it back for a search any longer
    rescan = store._rescan
    if rescan is not None and rescan is not threading.current_thread():
        rescan.join(timeout)
        return not rescan.is_alive()
    return True


def maybe_sync(store: LocalSkillStore) -> None:
    if store._rescan is not None and store._rescan.is_alive():
        return  # the open's own rescan is still running
    # Rescans cost O(skills); space them out in proportion to what the last one cost.
    interval = max(store.sync_interval, 20 * store._sync_cost)
    if time.monotonic() - store._last_sync >= interval:
        sync(store)


def sync(store: LocalSkillStore) -> dict[str, list[str]]:
    started = time.monotonic()
    view.refresh(store)
    found = scan(store.root, store.library_dirs)
    with store._lock:  # from the columns: no row objects made for the unchanged (see rows.py)
        by_folder = {folder: (skill_id, mtime, size)
                     for skill_id, folder, mtime, size in store._rows.project("folder", "mtime_ns", "size")}
    stale = [
        f for f in found
        if (known := by_folder.get(f.key)) is None
        or known[1] != f.st.st_mtime_ns
        or known[2] != f.st.st_size
    ]
    present = {f.key for f in found}
    with store._lock:
        gone = [row for folder, (skill_id, _, _) in by_folder.items()
                if folder not in present and (row := store._rows.get(skill_id)) is not None]
    report: dict[str, list[str]] = {"added": [], "updated": [], "removed": [], "problems": []}
    if stale or gone:
        _reconcile(store, stale, gone, report)
    store._last_sync = time.monotonic()
    store._sync_cost = store._last_sync - started
    return report


def _reconcile(
    store: LocalSkillStore, stale: list[Found], gone: list[CatalogRow], report: dict[str, list[str]],
) -> None:
    applied: list[CatalogRow] = []
    with store.catalog.write() as conn:
        view.recover(store, conn)  # a folder a dead writer left half-made is undone, never recorded
        for f in stale:
            folder = Path(f.path)
            row = store.catalog.find_by_folder(f.key, conn=conn)
            try:
                st = os.lstat(folder / SKILL_FILE)
            except FileNotFoundError:
                continue  # gone since the scan (deleted, or undone just above): nothing to record
            try:
                if row and row.mtime_ns == st.st_mtime_ns and row.size == st.st_size:
                    _touched(store, row)
                    continue  # another process reconciled it first
                data = nofollow.read_regular(folder / SKILL_FILE, MAX_SKILL_MD_BYTES)
            except (OSError, InvalidInputError) as exc:
                _problem(store, f.key, str(exc), report)
                continue
            content_hash = sha256_hex(data)
            if row and row.content_hash == content_hash:
                row.mtime_ns, row.size = st.st_mtime_ns, st.st_size
                store.catalog.put_skill(conn, row)  # same content, touched file: no new version
                _touched(store, row)
                continue
            # A file edited by hand, or in a library, is the user's to keep; the catalog keeps no secret of it.
            data = redact_bytes(data)[0]
            result = skillmd.to_skill(skillmd.parse(data, path=str(folder / SKILL_FILE)), dir_name=folder.name)
            if result.skill is None:
                _problem(store, f.key, result.skipped_reason or "unusable SKILL.md", report)
                continue
            unsafe = unsafe_name_problem(result.skill.name)
            if unsafe is not None:  # never indexed, listed or served under such a name
                _problem(store, f.key, f"the name {quoted(result.skill.name)} {unsafe}", report)
                continue
            store.problems.pop(f.key, None)
            skill = result.skill
            if row is None:
                skill_id = skill.id if _is_free_id(store.catalog, skill.id, conn) else str(uuid.uuid4())
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
            seq = store.catalog.next_seq(conn)
            new = row_for(skill, skill_id, f.scope, f.owner, f.key, content_hash, st, created, now_iso(), seq)
            store.catalog.put_skill(conn, new)
            files = _store_blobs(store, conn, folder)
            store.catalog.add_version(conn, skill_id, new.version, reason, data.decode("utf-8", "replace"), files,
                                      new.updated_at)
            applied.append(new)
        for row in gone:
            current = store.catalog.get_skill(row.id, conn=conn)
            if current is None or current.deleted:
                continue
            where = folder_path(store.root, current.folder)
            if nofollow.is_link(where):
                # swapped for a link: not followed, not deleted either (the last good version is served)
                _problem(store, current.folder, f"{where} is a symbolic link: not followed", report)
                continue
            if nofollow.regular_stat(where / SKILL_FILE) is not None:
                continue
            current.deleted = True
            current.seq = store.catalog.next_seq(conn)
            store.catalog.put_skill(conn, current)
            report["removed"].append(row.folder)
            applied.append(current)
    if applied:
        view.refresh(store)  # replay in order: other processes may have committed before us


def _touched(store: LocalSkillStore, row: CatalogRow) -> None:
    """Take a file's new mtime and size that the catalog records without a change number."""
    with store._lock:
        held = store._rows.get(row.id)
        if held is not None and held.seq == row.seq:
            held.mtime_ns, held.size = row.mtime_ns, row.size


def _problem(store: LocalSkillStore, key: str, message: str, report: dict[str, list[str]]) -> None:
    known = store.problems.get(key) == message
    store.problems[key] = message
    report["problems"].append(f"{key}: {message}")
    if not known:  # said once, not at every rescan while the file stays as it is
        log.warning("skipping %s: %s (the last good version stays in the catalog)", key, message)


def _store_blobs(store: LocalSkillStore, conn: sqlite3.Connection, dir_: Path) -> dict[str, str]:
    manifest: dict[str, str] = {}
    for rel, path in resource_files(dir_):
        try:
            data = redact_bytes(nofollow.read_regular(path, MAX_RESOURCE_BYTES))[0]
            manifest[rel] = store.catalog.put_blob(conn, data)
        except (OSError, InvalidInputError) as exc:
            log.warning("not recording %s in history: %s", path, exc)
    return manifest


def _is_free_id(catalog: Catalog, skill_id: str, conn: sqlite3.Connection) -> bool:
    try:
        uuid.UUID(skill_id)
    except (ValueError, AttributeError, TypeError):
        if not (isinstance(skill_id, str) and 0 < len(skill_id) <= 128 and skill_id.isprintable()):
            return False
    return catalog.get_skill(skill_id, conn=conn) is None
