"""What is on disk: the skill folders under a store root and its libraries, read without following links.

The folders are the store's source of truth; this module only looks at them, it never touches the
catalog. `scan` lists every SKILL.md (it runs over every skill folder, hence plain os calls on
strings), `resource_files` lists what else a skill folder holds, and the read helpers give None
for a SKILL.md that is gone or unusable, so their callers can fall back on the skill's history.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInputError
from . import nofollow
from .layout import LIBRARY_PREFIX, MAX_SKILL_MD_BYTES, SHARED_DIR, USERS_DIR, check_resource_path, check_user_id

SKILL_FILE = "SKILL.md"
MAX_RESOURCE_BYTES = 16 * 1024 * 1024
_SKIP_DIRS = {"node_modules", "__pycache__"}


@dataclass
class Found:
    """A SKILL.md seen on disk during a sync."""

    key: str  # catalog `folder` value
    path: str  # the folder (a string: building Paths for every folder costs more than the scan)
    scope: str
    owner: str
    st: os.stat_result


def scan(root: Path, library_dirs: Sequence[Path]) -> list[Found]:
    """Every SKILL.md under the store's user and shared folders and the library folders."""
    # Plain os calls on strings: this runs over every skill folder, pathlib is 3x slower.
    found: list[Found] = []

    lstat, tail = os.lstat, os.sep + SKILL_FILE

    def add(dir_: str, key: str, scope: str, owner: str) -> None:
        # lstat: a SKILL.md that is a link is never followed. It is still "found", so reconciling
        # reports it (and a known skill keeps its last good version instead of vanishing).
        try:
            st = lstat(dir_ + tail)
        except OSError:
            return
        if stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
            found.append(Found(key, dir_, scope, owner, st))

    for user_entry in _subdirs(root / USERS_DIR):
        try:
            check_user_id(user_entry.name)
        except InvalidInputError:
            continue
        prefix = f"{USERS_DIR}/{user_entry.name}/"
        for skill_entry in _subdirs(user_entry.path):
            add(skill_entry.path, prefix + skill_entry.name, "user", user_entry.name)
    for skill_entry in _subdirs(root / SHARED_DIR):
        add(skill_entry.path, f"{SHARED_DIR}/{skill_entry.name}", "shared", "")
    for lib in library_dirs:
        for dir_ in _find_skill_dirs(lib, max_depth=6):
            add(str(dir_), LIBRARY_PREFIX + str(dir_), "library", f"library:{lib.name}")
    return found


def folder_path(root: Path, folder: str) -> Path:
    """The skill folder a catalog `folder` value names (a library's is its absolute path)."""
    return Path(folder_str(str(root), folder))


def folder_str(root: str, folder: str) -> str:
    """`folder_path` as a string, without pathlib's parsing (a listing of 10k skills names 10k folders)."""
    if folder.startswith(LIBRARY_PREFIX):
        return folder[len(LIBRARY_PREFIX):]
    return f"{root}{os.sep}{folder}"  # a catalog folder is relative: what os.path.join would give


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


def resource_files(dir_: Path) -> list[tuple[str, Path]]:
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


def servable(rel: str) -> bool:
    """A resource path `read_file` would serve (one with a control character on disk is not listed)."""
    try:
        check_resource_path(rel)
    except InvalidInputError:
        return False
    return True


def read_bytes_or_none(path: Path) -> bytes | None:
    try:
        return nofollow.read_regular(path, MAX_SKILL_MD_BYTES)
    except (OSError, InvalidInputError):
        return None


def read_text_or_none(path: Path) -> str | None:
    data = read_bytes_or_none(path)
    try:
        # universal newlines, as a text-mode read gives: the comparison with a render ignores them
        return None if data is None else data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        return None
