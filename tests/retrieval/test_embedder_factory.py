"""make_embedder: the seed SDK's config shapes."""

from __future__ import annotations

import logging

import pytest

from autoskill_mcp.retrieval import (
    Embedder,
    EmbedderError,
    HashingEmbedder,
    MiniLMEmbedder,
    auto_provider,
    make_embedder,
)


def test_hashing_honours_dims_and_defaults_to_the_better_variant():
    emb = make_embedder({"provider": "hashing", "dims": 256})
    assert isinstance(emb, HashingEmbedder) and emb.dims == 256 and emb.variant == "words+char3"
    assert make_embedder({"provider": "hashing"}).dims == 1024  # type: ignore[union-attr]
    autoskill = make_embedder({"provider": "hashing", "variant": "autoskill"})
    assert autoskill.dims == 256 and autoskill.signature != emb.signature  # type: ignore[union-attr]


def test_autoskill_variant_reproduces_autoskills_vectors():
    import hashlib
    import math

    text = "Convert PDF files to text"
    vec = [0.0] * 256
    for token in ["convert", "pdf", "files", "to", "text"]:
        digest = hashlib.md5(token.encode()).digest()
        vec[int.from_bytes(digest[:4], "little") % 256] += 1.0 if digest[4] & 1 == 0 else -1.0
    norm = math.sqrt(sum(v * v for v in vec))
    ours = HashingEmbedder(256, variant="autoskill").embed_query(text)
    assert ours.tolist() == pytest.approx([v / norm for v in vec], abs=1e-6)


def test_none_gives_no_embedder_and_minilm_is_lazy():
    assert make_embedder({"provider": "none"}) is None
    emb = make_embedder({"provider": "minilm"})
    assert isinstance(emb, MiniLMEmbedder) and not emb.ready
    with pytest.raises(EmbedderError, match="384"):
        make_embedder({"provider": "minilm", "dims": 256})


def test_auto_picks_minilm_when_installed_and_logs_it(caplog):
    with caplog.at_level(logging.INFO, logger="autoskill_mcp.retrieval"):
        emb = make_embedder("auto")
    assert emb is not None and emb.provider == auto_provider() == "minilm"
    assert make_embedder(None).provider == "minilm"  # type: ignore[union-attr]
    assert "(auto)" in caplog.text and emb.signature in caplog.text


def test_auto_falls_back_to_hashing_without_onnxruntime(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnxruntime" else real(name, *a))
    assert auto_provider() == "hashing"
    assert isinstance(make_embedder(None), HashingEmbedder)


def test_every_provider_satisfies_the_protocol_and_bad_names_fail():
    assert isinstance(HashingEmbedder(), Embedder) and isinstance(MiniLMEmbedder(), Embedder)
    with pytest.raises(EmbedderError, match="unknown embedding provider 'bert'"):
        make_embedder({"provider": "bert"})
