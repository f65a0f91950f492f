"""Retrieval: find the skills that fit a request.

Keyword search (an incremental BM25 over a code- and CJK-aware tokenizer),
embeddings behind a small `Embedder` protocol (MiniLM int8 ONNX by default,
feature hashing without a model, any OpenAI-compatible endpoint), a numpy
vector index of int8 rows (exact, or over coarse lists from 20k vectors), and
a fusion whose scores compare across queries, all wrapped by `HybridIndex`,
the object the store uses. Nothing here loads a model at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS = {
    "BM25Index": ".bm25",
    "Embedder": ".embedder",
    "EmbedderError": ".embedder",
    "auto_provider": ".embedder",
    "make_embedder": ".embedder",
    "DEFAULT_ALPHA": ".fusion",
    "Fused": ".fusion",
    "fuse": ".fusion",
    "HashingEmbedder": ".hashing",
    "HybridIndex": ".hybrid",
    "ScoredDoc": ".hybrid",
    "MiniLMEmbedder": ".minilm",
    "OpenAIEmbedder": ".openai_compat",
    "TOKENIZER_VERSION": ".tokenizer",
    "tokenize": ".tokenizer",
    "InMemoryVectorCache": ".vector_cache",
    "VectorCache": ".vector_cache",
    "VectorIndex": ".vector_index",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .bm25 import BM25Index
    from .embedder import Embedder, EmbedderError, auto_provider, make_embedder
    from .fusion import DEFAULT_ALPHA, Fused, fuse
    from .hashing import HashingEmbedder
    from .hybrid import HybridIndex, ScoredDoc
    from .minilm import MiniLMEmbedder
    from .openai_compat import OpenAIEmbedder
    from .tokenizer import TOKENIZER_VERSION, tokenize
    from .vector_cache import InMemoryVectorCache, VectorCache
    from .vector_index import VectorIndex
