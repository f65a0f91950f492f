"""Index snapshots: what a store saves on close so the next process starts fast.

Two files under `<root>/index/`, both tagged with the catalog's id so a copied or
recreated store never reads a foreign one, both written atomically:

- `keywords.snapshot`: the BM25 index as of change number `seq`; the opener replays
  the changes made after it (see LocalSkillStore._ensure_index).
- `vectors.snapshot`: one embedder's vectors with the content hash each was made
  from; the opener keeps the rows whose skill still has that hash. Loading 5k
  vectors this way takes milliseconds, against ~150 ms from the catalog's cache.

A snapshot that does not fit (other format, tokenizer, catalog, or damaged) is
ignored with a warning: it only ever saves time, never decides a result.
"""

from __future__ import annotations

import logging
import marshal
import struct
from pathlib import Path

import numpy as np

from ..retrieval.hybrid import VectorSnapshot
from ..retrieval.tokenizer import TOKENIZER_VERSION
from .layout import atomic_write

log = logging.getLogger(__name__)

_KEYWORDS = "autoskill-keywords-1"
_VECTORS = "autoskill-vectors-1"


def keywords_path(root: Path) -> Path:
    return root / "index" / "keywords.snapshot"


def vectors_path(root: Path) -> Path:
    return root / "index" / "vectors.snapshot"


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


def write_vectors(root: Path, catalog_id: str, snap: VectorSnapshot) -> None:
    matrix = np.ascontiguousarray(snap.matrix, dtype="<f4")
    meta = marshal.dumps((snap.signature, list(snap.ids), list(snap.hashes)))
    header = f"{_VECTORS} {catalog_id} {matrix.shape[0]} {matrix.shape[1]}\n".encode("ascii")
    atomic_write(vectors_path(root), header + struct.pack("<Q", len(meta)) + meta + matrix.tobytes())


def read_vectors(root: Path, catalog_id: str) -> VectorSnapshot | None:
    """The saved vectors, else None (missing, foreign or damaged)."""
    try:
        with vectors_path(root).open("rb") as f:
            magic, owner, n, dims = f.readline(200).decode("ascii").split(" ")
            if magic != _VECTORS or owner != catalog_id:
                return None
            (meta_len,) = struct.unpack("<Q", f.read(8))
            signature, ids, hashes = marshal.loads(f.read(meta_len))
            rows, width = int(n), int(dims)
            # fromfile reads straight into a writable array: no second copy of the matrix.
            matrix = np.fromfile(f, dtype="<f4", count=rows * width)
            if len(ids) != rows or len(hashes) != rows or matrix.size != rows * width or f.read(1):
                raise ValueError("sizes do not match the header")
        return VectorSnapshot(str(signature), list(ids), list(hashes), matrix.reshape(rows, width))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, EOFError, struct.error, UnicodeDecodeError) as exc:
        log.warning("ignoring the vector snapshot (%s); vectors come from the catalog cache", exc)
        return None
