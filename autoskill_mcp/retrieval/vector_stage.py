"""The vector side of a search answered outside this process's `VectorIndex`.

A team store keeps every vector in a database with an approximate index of its own (pgvector's
HNSW); a process that does not hold the vectors in memory (not loaded yet, or told not to) asks
it for the query's nearest documents instead. `HybridIndex.search(..., vector_stage=...)` fuses
what the stage returns with its own keyword side exactly as it fuses its in-memory vectors, so
both paths rank by the same rule (fusion.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

__all__ = ["StageResult", "VectorStage"]


@dataclass(frozen=True, slots=True)
class StageResult:
    """The `depth` nearest documents (id, cosine) and the cosine of each asked-for document that has a vector."""

    nearest: list[tuple[str, float]]
    cosines: dict[str, float] = field(default_factory=dict)


class VectorStage(Protocol):
    """Nearest documents by cosine, from vectors kept elsewhere (see module doc)."""

    def search(self, query: np.ndarray, depth: int, also: Sequence[str]) -> StageResult:
        """The `depth` documents nearest `query` that this search may return, and the cosine of each
        `also` document (the keyword side's candidates) whose vector is there."""
        ...
