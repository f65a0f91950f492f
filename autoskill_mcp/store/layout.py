"""Where things live under the store root, and how files are written safely.

Every path built from a user id, a skill name or a resource path goes through
the checks here first: names and ids never reach the filesystem unvalidated.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path, PurePosixPath

from ..errors import InvalidInputError, quoted

USERS_DIR = "Users"
SHARED_DIR = "Common"
CATALOG_FILE = "catalog.sqlite3"
#: a library skill's catalog folder is this prefix and its absolute path
LIBRARY_PREFIX = "lib:"
#: the largest SKILL.md the store reads, and so the largest it writes (servers check it before any work)
MAX_SKILL_MD_BYTES = 2 * 1024 * 1024

#: matched whole (`fullmatch`): with `match` and `$`, "alice\n" passed and became a folder
_USER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}")
MAX_RESOURCE_PATH = 255


def check_user_id(user_id: str) -> str:
    """Return the user id if it is safe as a folder name, else raise."""
    if not isinstance(user_id, str) or not _USER_ID.fullmatch(user_id) or ".." in user_id:
        raise InvalidInputError(
            f"invalid user id {quoted(user_id)}: use 1-128 letters, digits, '.', '_', '@', '+' or '-', "
            "starting with a letter or digit"
        )
    return user_id


def check_folder_name(name: str) -> str:
    """Return a skill folder name if it is one safe path segment, else raise."""
    if (
        not isinstance(name, str)
        or not name
        or name in (".", "..")
        or "/" in name
        or "\\" in name
        or "\x00" in name
        or name.startswith(".")
        or len(name) > 128
    ):
        raise InvalidInputError(f"invalid skill folder name {quoted(name)}")
    return name


def check_resource_path(rel: str) -> str:
    """Normalise a resource path inside a skill folder; reject escapes and oddities."""
    if not isinstance(rel, str) or not rel or "\x00" in rel or len(rel) > MAX_RESOURCE_PATH:
        raise InvalidInputError(f"invalid resource path {quoted(rel)}")
    if "\\" in rel:
        raise InvalidInputError(f"resource path {quoted(rel)} uses backslashes; use forward slashes")
    hidden = next((ch for ch in rel if unicodedata.category(ch).startswith("C")), None)
    if hidden is not None:  # U+202E and friends make `gnp.exe` read as `exe.png`
        raise InvalidInputError(f"resource path {quoted(rel)} contains the invisible or control character "
                                f"U+{ord(hidden):04X}")
    pure = PurePosixPath(rel)
    if pure.is_absolute() or any(part in ("..", "") for part in pure.parts) or rel.startswith("/"):
        raise InvalidInputError(f"resource path {quoted(rel)} must be relative and stay inside the skill folder")
    if any(part.startswith(".") for part in pure.parts):
        raise InvalidInputError(f"resource path {quoted(rel)} names a hidden file")
    if pure.as_posix() == "SKILL.md":
        raise InvalidInputError("SKILL.md is written from the skill itself, not as a resource")
    return pure.as_posix()


def inside(root: Path, candidate: Path) -> bool:
    """True when `candidate` (resolved) is `root` or below it."""
    try:
        candidate.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file so readers see the old or the new content, never a torn one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # here, not at import: the hook path imports this module for a constant

    # The pid in the name tells a later process whether the writer is gone (store/recovery.py).
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    replace_with(fd, tmp, path, data)


def replace_with(fd: int, tmp: str | Path, target: Path, data: bytes, *, durable: bool = True) -> None:
    """Write `data` through `fd` (the open temp file `tmp`), then rename it over `target`; on any failure the
    temp file is removed and `target` is left as it was. `durable` fsyncs before the rename."""
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
