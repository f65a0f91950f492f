"""Index snapshots: what a store saves on close so the next process starts fast.

Two files under `<root>/index/`, both tagged with the catalog's id so a copied or
recreated store never reads a foreign one, both written atomically:

- `keywords.snapshot`: the BM25 index as of change number `seq`; the opener replays
  the changes made after it (see search_index.ensure_index).
- `vectors.snapshot`: one embedder's vectors with the content hash each was made
  from; the opener keeps the rows whose skill still has that hash. Loading 5k
  vectors this way takes milliseconds, against ~150 ms from the catalog's cache.
  Format 2 holds int8 rows and their scales (quantize.py) and, for a large store,
  the coarse partition (coarse.py), so no process rebuilds it; format 1 (float32
  rows) is still read, quantized on the way in, and rewritten as format 2.

- `rows.snapshot`: the catalog's skill rows (without their texts) as of change
  number `seq`, as column lists; the opener replays the changes made after it. At
  100k skills reading it takes ~0.25 s, against ~0.9 s from SQLite (most of that
  making one Python object per value); rows.py keeps them as columns meanwhile.

A snapshot that does not fit (other format, tokenizer, catalog, or damaged) is
ignored with a warning: it only ever saves time, never decides a result.
"""

from __future__ import annotations

import logging
import marshal
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from ..retrieval.hybrid import VectorSnapshot
from ..retrieval.tokenizer import TOKENIZER_VERSION
from .layout import atomic_write
from .rows import SNAPSHOT_FIELDS, RowTable

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from ..retrieval.hybrid import HybridIndex

log = logging.getLogger(__name__)

_KEYWORDS = "autoskill-keywords-1"
_ROWS = "autoskill-rows-1"
_VECTORS_V1 = "autoskill-vectors-1"  # float32 rows: read, then rewritten as format 2
_VECTORS = "autoskill-vectors-2"


def keywords_path(root: Path) -> Path:
    return root / "index" / "keywords.snapshot"


def vectors_path(root: Path) -> Path:
    return root / "index" / "vectors.snapshot"


def rows_path(root: Path) -> Path:
    return root / "index" / "rows.snapshot"


def write_rows(root: Path, catalog_id: str, seq: int, columns: list[list[Any]]) -> None:
    """Save RowTable.columns() as of change number `seq`."""
    header = f"{_ROWS} {catalog_id} {seq} {len(columns[0])}\n".encode("ascii")
    atomic_write(rows_path(root), header + marshal.dumps(columns))


def read_rows(root: Path, catalog_id: str, max_seq: int) -> tuple[int, RowTable] | None:
    """(seq, the live rows) of a usable rows snapshot, else None."""
    try:
        data = rows_path(root).read_bytes()
        header, _, payload = data.partition(b"\n")
        magic, owner, seq, count = header.decode("ascii").split(" ")
        if magic != _ROWS or owner != catalog_id or int(seq) > max_seq:
            return None
        columns = marshal.loads(payload)
        if not isinstance(columns, list) or len(columns) != len(SNAPSHOT_FIELDS) or len(columns[0]) != int(count):
            raise ValueError("the columns do not match the header")
        return int(seq), RowTable(columns)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, EOFError, UnicodeDecodeError) as exc:
        log.warning("ignoring the rows snapshot (%s); reading the catalog", exc)
        return None


def write_keywords(root: Path, catalog_id: str, seq: int, payload: bytes) -> None:
    header = f"{_KEYWORDS} {catalog_id} {TOKENIZER_VERSION} {seq}\n".encode("ascii")
    atomic_write(keywords_path(root), header + payload)


def read_keywords(root: Path, catalog_id: str, max_seq: int) -> tuple[int, bytes] | None:
    """(seq, payload) of a usable keyword snapshot, else None."""
    try:
        data = keywords_path(root).read_bytes()
        header, _, payload = data.partition(b"\n")
        magic, owner, tokenizer, seq = header.decode("ascii").split(" ")
        if magic != _KEYWORDS or owner != catalog_id or tokenizer != str(TOKENIZER_VERSION) or int(seq) > max_seq:
            return None
        return int(seq), payload
    except FileNotFoundError:
        return None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        log.warning("ignoring the keyword snapshot (%s); rebuilding the index", exc)
        return None


def restore_keywords(index: HybridIndex, root: Path, catalog_id: str, max_seq: int) -> int | None:
    """Load a usable keyword snapshot into `index`: the change number it reflects, or None to rebuild."""
    saved = read_keywords(root, catalog_id, max_seq)
    if saved is None:
        return None
    try:
        index.restore_keywords(saved[1])
    except ValueError as exc:
        log.warning("ignoring the keyword snapshot (%s); rebuilding the index", exc)
        return None
    return saved[0]


def write_vectors(root: Path, catalog_id: str, snap: VectorSnapshot) -> None:
    codes = np.ascontiguousarray(snap.codes, dtype=np.int8)
    n, dims = codes.shape
    parts = [codes.tobytes(), np.ascontiguousarray(snap.scales, dtype="<f4").tobytes()]
    lists = 0
    if snap.centroids is not None and snap.lists is not None:
        lists = snap.centroids.shape[0]
        parts += [np.ascontiguousarray(snap.centroids, dtype="<f4").tobytes(),
                  np.ascontiguousarray(snap.lists, dtype="<i4").tobytes()]
    meta = marshal.dumps((snap.signature, list(snap.ids), list(snap.hashes)))
    header = f"{_VECTORS} {catalog_id} {n} {dims} {lists}\n".encode("ascii")
    atomic_write(vectors_path(root), b"".join([header, struct.pack("<Q", len(meta)), meta, *parts]))


def read_vectors(root: Path, catalog_id: str) -> tuple[VectorSnapshot, bool] | None:
    """(the saved vectors, whether in the current format), else None (missing, foreign or damaged)."""
    try:
        with vectors_path(root).open("rb") as f:
            fields = f.readline(200).decode("ascii").split(" ")
            magic, owner = fields[0], fields[1]
            if magic not in (_VECTORS, _VECTORS_V1) or owner != catalog_id:
                return None
            (meta_len,) = struct.unpack("<Q", f.read(8))
            signature, ids, hashes = marshal.loads(f.read(meta_len))
            rows, width = int(fields[2]), int(fields[3])
            if len(ids) != rows or len(hashes) != rows:
                raise ValueError("sizes do not match the header")
            if magic == _VECTORS_V1:
                matrix = _read(f, "<f4", rows * width).reshape(rows, width)
                _at_end(f)
                return VectorSnapshot.from_floats(str(signature), list(ids), list(hashes), matrix), False
            lists = int(fields[4])
            # fromfile reads straight into writable arrays: no second copy of the matrix.
            codes = _read(f, np.int8, rows * width).reshape(rows, width)
            scales = _read(f, "<f4", rows)
            centroids = _read(f, "<f4", lists * width).reshape(lists, width) if lists else None
            owners = _read(f, "<i4", rows) if lists else None
            _at_end(f)
        return VectorSnapshot(str(signature), list(ids), list(hashes), codes, scales.astype(np.float32),
                              None if centroids is None else centroids.astype(np.float32),
                              None if owners is None else owners.astype(np.int32)), True
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, EOFError, IndexError, struct.error, UnicodeDecodeError) as exc:
        log.warning("ignoring the vector snapshot (%s); vectors come from the catalog cache", exc)
        return None


def _read(f: BinaryIO, dtype: DTypeLike, count: int) -> np.ndarray:
    arr = np.fromfile(f, dtype=dtype, count=count)
    if arr.size != count:
        raise ValueError("the snapshot is shorter than its header says")
    return arr


def _at_end(f: BinaryIO) -> None:
    if f.read(1):
        raise ValueError("the snapshot is longer than its header says")
