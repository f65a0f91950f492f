"""Undoing what a writer killed mid-write left on disk, so the folders match the committed catalog.

A store write changes folders first and commits the catalog last, all under the catalog's
write lock. Before it touches a folder it appends what it is about to change to a journal file
(`<root>/.journal/<pid>-<random>.jsonl`), and it removes that file just before it commits. So
a journal file seen by a process holding the write lock belongs to a writer that died (or
failed) before its commit, and everything it names is undone against the committed catalog:

- a skill the writer was creating (no committed row) loses its folder;
- a skill it was changing gets back its committed SKILL.md and resources (from the catalog's
  history and blobs), and its folder's committed place if it was being renamed;
- a folder it was deleting is put back (or, once the delete was committed, removed for good);
- its temp files go.

A writer killed after removing its journal but before committing has finished writing every
file: the next rescan records that content as a hand edit, whole. `recover` runs when a store
opens and before every write transaction, so no write ever lands on a dead writer's leftovers.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InvalidInputError
from . import nofollow
from .catalog import Catalog, sha256_hex

log = logging.getLogger(__name__)

JOURNAL_DIR = ".journal"
TRASH_PREFIX = ".deleting-"
SKILL_FILE = "SKILL.md"


class Journal:
    """The intent records of one write transaction (created on its first entry)."""

    def __init__(self, root: Path, *, durable: bool) -> None:
        self.root = root
        self.durable = durable
        self.path: Path | None = None
        self._fh: BinaryIO | None = None

    def note(self, entry: dict[str, Any]) -> None:
        """Record a change before making it (flushed, so a kill -9 right after still leaves it)."""
        if self._fh is None:
            folder = nofollow.ensure_dir(self.root, JOURNAL_DIR)
            self.path = folder / f"{os.getpid()}-{uuid.uuid4().hex}.jsonl"
            self._fh = open(self.path, "ab")  # noqa: SIM115 - open for the transaction's whole length
        self._fh.write(json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n")
        self._fh.flush()
        if self.durable:
            os.fsync(self._fh.fileno())

    def finish(self) -> None:
        """Every change is on disk: drop the journal (call under the lock, before the commit)."""
        self._close()
        if self.path is not None:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass

    def abandon(self) -> None:
        """The transaction failed: keep the journal for `recover` to undo."""
        self._close()

    def _close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def trash_name(skill_id: str) -> str:
    """The folder name a skill's folder is moved to while it is deleted.

    The id is kept in the name (hex: an id may hold '/' or '..'), so a delete cut short after its
    journal was dropped can still be settled; an id too long for a file name is left out.
    """
    encoded = skill_id.encode("utf-8").hex()
    return f"{TRASH_PREFIX}{encoded if len(encoded) <= 200 else ''}-{uuid.uuid4().hex[:8]}"


def _trash_id(name: str) -> str:
    """The skill id a trash folder's name holds ('' when it holds none)."""
    try:
        return bytes.fromhex(name[len(TRASH_PREFIX):-9]).decode("utf-8")
    except ValueError:
        return ""


def needed(root: Path) -> bool:
    """Anything for `recover` to look at? (A stat and a short scan of the root: cheap.)"""
    if os.path.isdir(root / JOURNAL_DIR) and any(os.scandir(root / JOURNAL_DIR)):
        return True
    try:
        with os.scandir(root) as it:
            return any(e.name.startswith(TRASH_PREFIX) for e in it)
    except OSError:
        return False


def recover(root: Path, catalog: Catalog, conn: sqlite3.Connection) -> list[str]:
    """Undo every dead writer's changes; call holding the write lock (`conn` is its transaction).

    Returns what was done, one line each (logged).
    """
    done: list[str] = []
    journal_dir = root / JOURNAL_DIR
    for path in sorted(journal_dir.glob("*.jsonl")) if journal_dir.is_dir() else []:
        entries = _entries(path)
        for entry in reversed(entries):  # newest first: a rename is undone after what followed it
            try:
                done += _undo(root, catalog, conn, entry)
            except (OSError, InvalidInputError) as exc:  # a link put in the way is never followed
                log.warning("could not undo %s from %s: %s", entry, path.name, exc)
        path.unlink(missing_ok=True)
    for trash in _trash_dirs(root):  # deletes whose journal is gone: committed, or just before the commit
        skill_id = _trash_id(trash.name)
        done += _settle_trash(root, catalog, conn, skill_id, trash, None)
    for line in done:
        log.warning("recovered from an interrupted write: %s", line)
    return done


def clear_dead_temp_files(root: Path) -> list[str]:
    """Remove the index snapshots' temp files whose writer is no longer running (a kill mid-save).

    Those are written outside the write lock (see snapshots.py); the writer's pid is in the name.
    """
    removed: list[str] = []
    try:
        entries = list(os.scandir(root / "index"))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            continue
        parts = entry.name.split(".")
        pid = int(parts[-3]) if len(parts) >= 4 and parts[-3].isdigit() else None
        if pid is not None and pid != os.getpid() and _alive(pid):
            continue
        if pid is None or pid != os.getpid():
            if _unlink(Path(entry.path)):
                removed.append(entry.path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def leftovers(root: Path) -> list[str]:
    """What an interrupted write could leave and `recover` did not clear: journals, trash, temp files.

    For `autoskill doctor`: O(files) (every skill folder is walked).
    """
    out = [str(p) for p in sorted((root / JOURNAL_DIR).glob("*.jsonl"))] if (root / JOURNAL_DIR).is_dir() else []
    out += [str(p) for p in _trash_dirs(root)]
    for top in ("Users", "Common", "index"):
        for dirpath, _dirs, filenames in os.walk(root / top, followlinks=False):
            out += [os.path.join(dirpath, n) for n in sorted(filenames) if n.startswith(".") and n.endswith(".tmp")]
    return out


def _entries(path: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    try:
        lines = path.read_bytes().splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # torn last line: its change had not begun
        if isinstance(entry, dict):
            out.append(entry)
    return out


def _undo(root: Path, catalog: Catalog, conn: sqlite3.Connection, entry: dict[str, Any]) -> list[str]:
    skill_id, key = str(entry.get("id", "")), str(entry.get("key", ""))
    if not skill_id or not key or not _real(root, root / key):
        return []
    if entry.get("op") == "delete":
        trash = root / str(entry.get("trash", ""))
        return _settle_trash(root, catalog, conn, skill_id, trash, key) if trash.name.startswith(TRASH_PREFIX) else []
    row = catalog.get_skill(skill_id, conn=conn)
    folder = root / key
    files = [str(f) for f in entry.get("files", [])]
    if row is None or row.deleted or row.scope == "library":  # it was being created: it never existed
        if entry.get("created"):
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
                return [f"removed {key}, a skill whose creation was cut short"]
            return []
        for rel in [SKILL_FILE, *files]:
            _unlink(folder / rel)
        _remove_temp_files(folder)
        return [f"removed the files a cut-short write had put in {key}"]
    committed = root / row.folder
    moved: list[str] = []
    if committed != folder and folder.is_dir() and not os.path.lexists(committed) and _real(root, committed):
        nofollow.ensure_dir(root, committed.parent.relative_to(root).as_posix())
        os.replace(folder, committed)  # a rename that was not committed
        moved = [f"moved {key} back to {row.folder}"]
    if not committed.is_dir() or not _real(root, committed):
        return moved
    history = catalog.versions(skill_id)
    restored: list[str] = []
    if history:
        last = history[-1]
        md = committed / SKILL_FILE
        if _digest(md) != row.content_hash:
            _replace(root, md, last.skill_md.encode("utf-8"))
            restored.append(SKILL_FILE)
        for rel in files:
            target = committed / rel
            if not _real(committed, target.parent):
                continue
            digest = last.files.get(rel)
            if digest is None:
                if _unlink(target):
                    restored.append(rel)
            elif _digest(target) != digest:
                blob = catalog.get_blob(digest)
                if blob is not None:
                    _replace(root, target, blob)
                    restored.append(rel)
    _remove_temp_files(committed)
    return moved + ([f"restored {', '.join(restored)} of {row.folder} to version {row.version}"] if restored else [])


def _settle_trash(root: Path, catalog: Catalog, conn: sqlite3.Connection, skill_id: str, trash: Path,
                  key: str | None) -> list[str]:
    if not trash.is_dir():
        return []
    row = catalog.get_skill(skill_id, conn=conn)
    target = root / (key or (row.folder if row is not None else ""))
    if row is not None and not row.deleted and target != root and not os.path.lexists(target) \
            and _real(root, target.parent):
        os.replace(trash, target)  # the delete was not committed: the skill is still there
        _remove_temp_files(target)
        return [f"put back {row.folder}, whose delete was cut short"]
    shutil.rmtree(trash, ignore_errors=True)
    return [f"finished removing {trash.name}"]


def _trash_dirs(root: Path) -> list[Path]:
    try:
        with os.scandir(root) as it:
            return sorted(
                Path(e.path) for e in it if e.name.startswith(TRASH_PREFIX) and e.is_dir(follow_symlinks=False)
            )
    except OSError:
        return []


def _remove_temp_files(folder: Path) -> None:
    for dirpath, _dirnames, filenames in os.walk(folder, followlinks=False):
        for name in filenames:
            if name.startswith(".") and name.endswith(".tmp"):
                _unlink(Path(dirpath) / name)


def _replace(root: Path, path: Path, data: bytes) -> None:
    """Write a committed file back, atomically and through no link."""
    nofollow.write_file(root, path.relative_to(root).as_posix(), data)


def _unlink(path: Path) -> bool:
    try:
        if path.is_symlink() or path.is_file():
            path.unlink()
            return True
    except FileNotFoundError:
        pass
    return False


def _digest(path: Path) -> str | None:
    try:
        return sha256_hex(nofollow.read_regular(path, 1 << 40))
    except (OSError, InvalidInputError):
        return None


def _inside(root: Path, candidate: Path) -> bool:
    try:
        candidate.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False


def _real(root: Path, candidate: Path) -> bool:
    """`candidate` lies inside `root` and no part of it is a link (so undoing never acts through one)."""
    return _inside(root, candidate) and nofollow.has_no_links(candidate)
