"""Where computed vectors are kept between runs, keyed by embedder signature.

Embedding 5k skills with MiniLM takes about 40 s, so vectors must survive a
restart; keying them by (signature, doc id, content hash) means a model switch
or an edited skill can never pick up a stale or foreign vector. The store
implements this protocol over SQLite; `InMemoryVectorCache` serves tests and
in-memory stores.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["VectorCache", "InMemoryVectorCache"]


@runtime_checkable
class VectorCache(Protocol):
    """Persistent vectors per (embedder signature, doc id, content hash)."""

    def get_many(self, signature: str, items: list[tuple[str, str]]) -> dict[str, np.ndarray]:
        """Vectors for those (doc_id, content_hash) pairs whose hash still matches."""
        ...

    def put_many(self, signature: str, rows: list[tuple[str, str, np.ndarray]]) -> None:
        """Store (doc_id, content_hash, vector) rows, replacing older ones."""
        ...


class InMemoryVectorCache:
    """A dict-backed, thread-safe `VectorCache`."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], tuple[str, np.ndarray]] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_many(self, signature: str, items: list[tuple[str, str]]) -> dict[str, np.ndarray]:
        """Vectors whose stored content hash equals the requested one."""
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for doc_id, content_hash in items:
                hit = self._rows.get((signature, doc_id))
                if hit is not None and hit[0] == content_hash:
                    out[doc_id] = hit[1]
            self.hits += len(out)
            self.misses += len(items) - len(out)
        return out

    def present(self, signature: str, items: list[tuple[str, str]]) -> set[str]:
        """The ids whose stored content hash equals the requested one (what an index that keeps no
        vectors of its own asks, see `HybridIndex(keep_vectors=False)`)."""
        with self._lock:
            return {d for d, h in items if (hit := self._rows.get((signature, d))) is not None and hit[0] == h}

    def put_many(self, signature: str, rows: list[tuple[str, str, np.ndarray]]) -> None:
        """Store copies (callers may reuse their arrays)."""
        with self._lock:
            for doc_id, content_hash, vector in rows:
                self._rows[(signature, doc_id)] = (
                    content_hash,
                    np.array(vector, dtype=np.float32, copy=True),
                )

    def signatures(self) -> set[str]:
        """Embedder signatures that have vectors here."""
        with self._lock:
            return {sig for sig, _ in self._rows}

    def __len__(self) -> int:
        return len(self._rows)
