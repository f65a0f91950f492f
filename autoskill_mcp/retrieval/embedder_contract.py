"""What every embedder is and may raise, apart from the factory that picks one.

The implementations (hashing, minilm, openai_compat) import only this module and the
factory (embedder.py) imports them, so the dependency runs one way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Embedder", "EmbedderError", "normalise_rows"]


class EmbedderError(RuntimeError):
    """An embedder could not load or answer; the message says what to fix."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    #: Which provider this is ("hashing", "minilm", "openai").
    provider: str
    #: Unique per provider + model + dims (+ anything else that changes vectors).
    signature: str
    #: True when embedding inline (on upsert, on every query) costs microseconds.
    cheap: bool
    #: (cosine of an unrelated pair, cosine of a clear match): maps raw cosine to
    #: an absolute 0..1 strength so scores compare across queries.
    calibration: tuple[float, float]

    @property
    def dims(self) -> int:
        """Vector length (a remote model's may be discovered by `load`)."""
        ...

    @property
    def ready(self) -> bool:
        """True once `embed` will not have to load anything first."""
        ...

    def load(self) -> None:
        """Load the model now (idempotent, thread-safe); raises EmbedderError."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """A (len(texts), dims) float32 array of unit vectors."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One (dims,) unit vector for a search query."""
        ...


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    m = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms
