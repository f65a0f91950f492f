"""Reading and writing below a root without ever following a symbolic link.

Skill folders can hold links nobody made through us (a hand edit, a git checkout, a
library on a shared drive). Following one would let a write land outside the store or
export folder, or serve a file from anywhere (an env file as a "skill"). So every write
walks its path component by component below a root the caller chose, refusing any link,
and every read of a skill file opens it with `O_NOFOLLOW` and checks that its folder is
the folder it claims to be. A refusal is an `InvalidInputError` naming the link.
"""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from ..errors import InvalidInputError
from .layout import replace_with

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted as SKILL.md must not hang the open
_BINARY = getattr(os, "O_BINARY", 0)


def _link_error(path: Path) -> InvalidInputError:
    return InvalidInputError(f"{path} is a symbolic link: not followed (remove the link, or use a real file or folder)")


def regular_stat(path: str | Path) -> os.stat_result | None:
    """The `lstat` of a regular file, or None (missing, a link, a folder, a device...)."""
    try:
        st = os.lstat(path)
    except (OSError, ValueError):
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def is_link(path: str | Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def has_no_links(folder: Path) -> bool:
    """True when no component of the absolute `folder` is a link (its real path is itself)."""
    try:
        return os.path.realpath(folder) == os.path.normpath(folder)
    except (OSError, ValueError):
        return False


def read_regular(path: Path, limit: int) -> bytes:
    """A regular file's bytes; refuses a link at `path` or above it, anything not a file, and files over `limit`."""
    if not has_no_links(path.parent):
        raise InvalidInputError(f"{path.parent} is or lies below a symbolic link: not followed")
    if is_link(path):
        raise _link_error(path)
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _BINARY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InvalidInputError(f"{path} is not a regular file")
        if st.st_size > limit:
            raise InvalidInputError(f"{path} is {st.st_size} bytes, over the {limit}-byte limit")
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise InvalidInputError(f"{path} grew over the {limit}-byte limit while being read")
        return data
    finally:
        os.close(fd)


def _parts(rel: str | PurePosixPath) -> tuple[str, ...]:
    pure = PurePosixPath(rel)
    if pure.is_absolute() or any(p in ("", ".", "..") for p in pure.parts):
        raise InvalidInputError(f"{str(rel)!r} must be a relative path that stays below its folder")
    return pure.parts


def ensure_dir(root: Path, rel: str | PurePosixPath) -> Path:
    """`root/rel` as a real folder, creating what is missing; refuses a link or a file on the way."""
    current = root
    for part in _parts(rel) if str(rel) not in ("", ".") else ():
        current = current / part
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            try:
                os.mkdir(current)
            except FileExistsError:
                pass
            st = os.lstat(current)
        if stat.S_ISLNK(st.st_mode):
            raise _link_error(current)
        if not stat.S_ISDIR(st.st_mode):
            raise InvalidInputError(f"{current} is not a folder")
    return current


def _check_existing(path: Path, is_kind: Callable[[int], bool], problem: str) -> None:
    """Refuse an existing `path` that is a link or not of the wanted kind; a missing one is fine."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        raise _link_error(path)
    if not is_kind(st.st_mode):
        raise InvalidInputError(f"{path} {problem}")


def check_target(path: Path) -> None:
    """Refuse to replace `path` when it is a link or a folder (a missing or regular file is fine)."""
    _check_existing(path, stat.S_ISREG, "is not a regular file: not replaced")


def write_file(root: Path, rel: str | PurePosixPath, data: bytes, *, durable: bool = True) -> Path:
    """Write `root/rel` atomically (temp file + rename) with no link anywhere below `root`.

    `durable` adds an fsync before the rename (the single-skill path); bulk imports skip it.
    """
    parts = _parts(rel)
    folder = ensure_dir(root, PurePosixPath(*parts[:-1])) if len(parts) > 1 else ensure_dir(root, "")
    target = folder / parts[-1]
    check_target(target)
    tmp = folder / f".{parts[-1][:40]}.{uuid.uuid4().hex[:12]}.tmp"  # short: a 250-byte name stays legal
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o600)
    replace_with(fd, tmp, target, data, durable=durable)
    return target


def check_real_dir(path: Path) -> None:
    """Refuse a folder that is a link (or not a folder) before it is moved or removed."""
    _check_existing(path, stat.S_ISDIR, "is not a folder")


def check_writable(root: Path, rel: str | PurePosixPath) -> None:
    """Refuse, before anything is written, a `root/rel` that a write would reach through a link.

    Existing components must be real folders and an existing target a regular file; missing
    ones are fine (`write_file` creates them). Checking every path of a save first means a
    refused save writes nothing at all.
    """
    parts = _parts(rel)
    current = root
    for i, part in enumerate(parts):
        current = current / part
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            return
        if stat.S_ISLNK(st.st_mode):
            raise _link_error(current)
        last = i == len(parts) - 1
        if not last and not stat.S_ISDIR(st.st_mode):
            raise InvalidInputError(f"{current} is not a folder")
        if last and not stat.S_ISREG(st.st_mode):
            raise InvalidInputError(f"{current} is not a regular file: not replaced")
