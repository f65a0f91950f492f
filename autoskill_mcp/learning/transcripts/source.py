"""Reading transcript files within bounds: size checks, tolerant JSONL, JSON documents, SQLite.

Transcripts are live files written by other programs: the last JSONL line is often half
written, a line may be garbage, a database may be open in the editor. Readers go through these
functions so that such input costs a warning in `Session.warnings`, never a traceback, and a
file over the size bound is refused before it is loaded.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoskill_mcp.errors import InvalidInputError
from autoskill_mcp.learning.session import Session, skip

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
#: Containers inside containers in one JSON value: transcripts use a dozen levels. Python's own
#: parser stops near its recursion limit (~1000, less in a deep stack) with a RecursionError; a
#: bound of our own well below it is the same on every platform and leaves room for the readers.
MAX_JSON_DEPTH = 512
SQLITE_MAGIC = b"SQLite format 3\x00"
_BOM = b"\xef\xbb\xbf"
_SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError)


class TranscriptError(InvalidInputError):
    """A transcript that cannot be read: missing, unreadable, too large, or of no known format."""


class JsonDepthError(ValueError):
    """JSON nested deeper than MAX_JSON_DEPTH levels."""


def loads(raw: str | bytes) -> Any:
    """``json.loads`` within MAX_JSON_DEPTH levels; a ValueError for text that is not JSON or nests deeper."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise JsonDepthError(f"JSON nests deeper than {MAX_JSON_DEPTH} levels") from None
    opening = raw.count(b"[") + raw.count(b"{") if isinstance(raw, bytes) else raw.count("[") + raw.count("{")
    if opening > MAX_JSON_DEPTH and _deeper_than(value, MAX_JSON_DEPTH):  # fewer brackets cannot nest deeper
        raise JsonDepthError(f"JSON nests deeper than {MAX_JSON_DEPTH} levels")
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether containers nest more than ``limit`` levels (iteratively: the value may be as deep as Python allows)."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What every reader is given besides the path."""

    max_bytes: int = DEFAULT_MAX_BYTES
    doc: Any = None            # the file's JSON document when detection already parsed it
    fmt: str = ""              # the format name the reader was chosen for


def checked_size(path: Path, max_bytes: int) -> int:
    """The file's size, after refusing what is missing, not a file, unreadable or too large."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise TranscriptError(f"{path}: no such file") from None
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if not path.is_file():
        raise TranscriptError(f"{path}: not a file")
    if info.st_size > max_bytes:
        raise TranscriptError(
            f"{path}: {info.st_size:,} bytes is over the {max_bytes:,}-byte limit for one transcript file; "
            f"raise max_bytes to read it"
        )
    return info.st_size


def head(path: Path, n: int = 8192) -> bytes:
    """The first bytes of a file (for sniffing its format)."""
    try:
        with path.open("rb") as f:
            return f.read(n)
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def load_json(path: Path, max_bytes: int) -> Any:
    """A whole JSON document, or a TranscriptError that names the file and the position."""
    checked_size(path, max_bytes)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        return loads(data.removeprefix(_BOM))
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except JsonDepthError as exc:
        raise TranscriptError(f"{path}: not readable JSON ({exc})") from None
    except UnicodeDecodeError as exc:
        raise TranscriptError(f"{path}: not a JSON text file ({type(exc).__name__})") from None


def iter_jsonl(path: Path, session: Session, max_bytes: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each JSON object line; bad lines become warnings, not errors."""
    checked_size(path, max_bytes)
    try:
        f = path.open("rb")
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    with f:
        for lineno, raw in enumerate(f, 1):
            if lineno == 1:
                raw = raw.removeprefix(_BOM)
            if not raw.strip():
                continue
            try:
                obj = loads(raw)
            except JsonDepthError as exc:
                session.warnings.append(f"line {lineno}: {exc}; skipped")
                skip(session, "bad_line")
                continue
            except ValueError:
                if raw.endswith(b"\n"):
                    session.warnings.append(f"line {lineno}: not JSON, skipped")
                else:
                    session.warnings.append(f"line {lineno}: truncated last line ignored")
                skip(session, "bad_line")
                continue
            if not isinstance(obj, dict):
                session.warnings.append(f"line {lineno}: a JSON {type(obj).__name__}, not an object; skipped")
                skip(session, "bad_line")
                continue
            yield lineno, obj


def jsonl_records(path: Path, limit: int = 20) -> list[dict[str, Any]]:
    """The first few JSON object lines of a file, for sniffing (garbage lines are passed over)."""
    out: list[dict[str, Any]] = []
    try:
        with path.open("rb") as f:
            for n, raw in enumerate(f):
                if n >= limit * 3 or len(out) >= limit:
                    break
                try:
                    obj = loads(raw.removeprefix(_BOM)) if raw.strip() else None
                except ValueError:
                    continue
                if isinstance(obj, dict):
                    out.append(obj)
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    return out


@contextmanager
def record_guard(session: Session, where: str) -> Iterator[None]:
    """Turn a record of unexpected shape (a field of the wrong type) into a warning."""
    try:
        yield
    except _SHAPE_ERRORS as exc:
        session.warnings.append(f"{where}: record of unexpected shape skipped ({type(exc).__name__}: {exc})")
        skip(session, "malformed")


@contextmanager
def open_sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection; a database the editor holds open (WAL, lock) is read from a copy."""
    if not path.is_file():
        raise TranscriptError(f"{path}: no such file")
    if head(path, len(SQLITE_MAGIC)) != SQLITE_MAGIC:
        raise TranscriptError(f"{path}: not an SQLite database")
    copy_dir: str | None = None
    try:
        try:
            conn = _connect_ro(path)
        except sqlite3.Error:
            copy_dir = tempfile.mkdtemp(prefix="autoskill-sqlite-")
            copy = Path(copy_dir) / path.name
            for suffix in ("", "-wal", "-shm"):
                src = path.with_name(path.name + suffix)
                if src.exists():
                    shutil.copy2(src, copy.with_name(copy.name + suffix))
            try:
                conn = _connect_ro(copy)
            except sqlite3.Error as exc:
                raise TranscriptError(f"{path}: cannot open the database ({exc})") from None
        try:
            yield conn
        finally:
            conn.close()
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    finally:
        if copy_dir:
            shutil.rmtree(copy_dir, ignore_errors=True)


def _connect_ro(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    except UnicodeDecodeError as exc:
        # A corrupt schema: SQLite's error message quotes its bytes, and sqlite3 fails decoding them.
        conn.close()
        raise sqlite3.DatabaseError(f"malformed database schema (bytes that are not UTF-8 at {exc.start})") from None
    return conn


def sqlite_tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
