"""Retrieval: find the skills that fit a request.

Keyword search (an incremental BM25 over a code- and CJK-aware tokenizer),
embeddings behind a small `Embedder` protocol (MiniLM int8 ONNX by default,
feature hashing without a model, any OpenAI-compatible endpoint), an exact
numpy vector index, and a fusion whose scores compare across queries, all
wrapped by `HybridIndex`, the object the store uses. Nothing here loads a
model at import time.
"""

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

__all__ = [
    "BM25Index",
    "DEFAULT_ALPHA",
    "Embedder",
    "EmbedderError",
    "Fused",
    "HashingEmbedder",
    "HybridIndex",
    "InMemoryVectorCache",
    "MiniLMEmbedder",
    "OpenAIEmbedder",
    "ScoredDoc",
    "TOKENIZER_VERSION",
    "VectorCache",
    "VectorIndex",
    "auto_provider",
    "fuse",
    "make_embedder",
    "tokenize",
]
