"""HybridIndex: keyword-only while vectors are missing, background fill-in, cache, filters, scores."""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence

import numpy as np
import pytest

from autoskill_mcp.retrieval import HashingEmbedder, HybridIndex, InMemoryVectorCache, ScoredDoc, VectorIndex
from autoskill_mcp.retrieval.vector_stage import StageResult

from .conftest import SKILL_DOCS, GatedEmbedder


def _search_without_blocking(index: HybridIndex, query: str, **kw: object) -> list[ScoredDoc]:
    """Search from another thread; a search that waited for the gated model would never return."""
    out: list[list[ScoredDoc]] = []
    thread = threading.Thread(target=lambda: out.append(index.search(query, **kw)), daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "search blocked on the model load"
    return out[0]


def _load(index: HybridIndex, docs: dict[str, str] = SKILL_DOCS) -> None:
    index.upsert_many((d, t, f"h-{hash(t)}") for d, t in docs.items())


def test_searches_by_keywords_while_the_model_loads_then_fills_in_vectors(gated):
    index = HybridIndex(gated, background=True)
    _load(index)
    assert index.pending == len(SKILL_DOCS) and not index.ready
    hits = _search_without_blocking(index, "squash commits before merging")  # the model is still gated
    assert hits[0].doc_id == "git-squash"
    assert {h.mode for h in hits} == {"keyword"} and hits[0].vector is None
    gated.gate.set()
    assert index.wait_until_ready(timeout=10)
    assert index.pending == 0
    hits = index.search("squash commits before merging")
    assert hits[0].doc_id == "git-squash" and hits[0].mode == "hybrid"
    assert hits[0].vector_raw is not None and hits[0].vector is not None
    index.close()


def test_wait_true_loads_and_embeds_first_without_a_background_thread():
    emb = GatedEmbedder(gate_open=True)
    index = HybridIndex(emb, background=False)
    _load(index)
    assert index.search("deploy to kubernetes")[0].mode == "keyword"
    assert index.pending == len(SKILL_DOCS)  # nothing happens behind our back
    hits = index.search("deploy to kubernetes", wait=True)
    assert hits[0].mode == "hybrid" and hits[0].doc_id == "k8s-deploy"
    assert index.pending == 0 and index.ready


def test_wait_true_with_background_thread(gated):
    index = HybridIndex(gated)
    _load(index)
    threading.Timer(0.2, gated.gate.set).start()
    hits = index.search("clean up a messy csv file", wait=True)
    assert hits[0].mode == "hybrid" and hits[0].doc_id == "csv-clean"
    index.close()


def test_a_doc_still_waiting_for_its_vector_keeps_search_keyword_only(gated):
    gated.gate.set()
    index = HybridIndex(gated)
    _load(index)
    assert index.wait_until_ready(10)
    # The model stays loaded; only the new doc's embedding is held back.
    hold = threading.Event()
    original = gated.embed
    gated.embed = lambda texts: (hold.wait(10), original(texts))[1]  # type: ignore[method-assign]
    index.upsert("new", "rotate tls certificates with certbot", "h-new")
    assert index.pending == 1
    assert index.search("tls certificates")[0].mode == "keyword"
    # ...unless the caller only allows docs that already have vectors.
    assert index.search("docker", allowed={"docker-slim", "csv-clean"})[0].mode == "hybrid"
    hold.set()
    assert index.wait_until_ready(10)
    assert index.search("tls certificates")[0].mode == "hybrid"
    index.close()


def test_editing_a_doc_drops_its_stale_vector_at_once(gated):
    gated.gate.set()
    cache = InMemoryVectorCache()
    index = HybridIndex(gated, cache)
    _load(index)
    assert index.wait_until_ready(10)
    gated.gate.clear()
    gated._loaded = False  # the background thread now blocks in load()
    index.close()
    index2 = HybridIndex(gated, cache, background=False)
    _load(index2)
    assert index2.pending == 0  # all from the cache...
    index2.upsert("pdf-text", "convert markdown to html with pandoc", "h-edited")
    assert index2.pending == 1  # ...but an edit needs a new vector, the old one is gone
    assert index2._vectors is not None and "pdf-text" not in index2._vectors
    index2.remove("pdf-text")
    assert index2.pending == 0 and "pdf-text" not in index2
    gated.gate.set()


def test_cache_is_reused_by_signature_and_never_mixes_models():
    cache = InMemoryVectorCache()
    first = GatedEmbedder(dims=128, gate_open=True)
    a = HybridIndex(first, cache, background=False)
    _load(a)
    assert a.wait_until_ready()
    assert len(first.embedded) == len(SKILL_DOCS) and cache.signatures() == {first.signature}

    again = GatedEmbedder(dims=128, gate_open=True)  # same model, new process
    b = HybridIndex(again, cache, background=False)
    _load(b)
    assert b.pending == 0 and again.embedded == []
    assert b.search("pdf text", wait=True)[0].mode == "hybrid"

    other = GatedEmbedder(dims=64, gate_open=True)  # another model: nothing reused
    c = HybridIndex(other, cache, background=False)
    _load(c)
    assert c.pending == len(SKILL_DOCS)
    assert c.wait_until_ready()
    assert len(other.embedded) == len(SKILL_DOCS)
    assert c._vectors is not None and c._vectors.dims == 64
    assert cache.signatures() == {first.signature, other.signature}
    hit = c.search("pdf text")[0]
    assert hit.mode == "hybrid" and hit.vector_raw is not None


def test_cheap_embedders_embed_inline_and_are_ready_at_once():
    cache = InMemoryVectorCache()
    index = HybridIndex(HashingEmbedder(256), cache)
    _load(index)
    assert index.ready and index.pending == 0 and len(cache) == len(SKILL_DOCS)
    assert index._worker is None  # no thread needed
    assert index.search("slim docker image")[0].doc_id == "docker-slim"


def test_allowed_filters_by_collection_and_predicate():
    index = HybridIndex(HashingEmbedder(256))
    _load(index)
    only = {"pdf-text", "csv-clean"}
    assert {h.doc_id for h in index.search("file", allowed=only)} <= only
    assert all(h.doc_id.startswith("d") for h in index.search("docker deploy", allowed=lambda d: d.startswith("d")))
    assert index.search("docker", allowed=set()) == []
    most = frozenset(SKILL_DOCS) - {"docker-slim"}  # large sets are checked lazily, not masked
    hits = index.search("slim docker images to deploy", allowed=most)
    assert hits and "docker-slim" not in {h.doc_id for h in hits}
    assert index.search("slim docker images", allowed=most) == []  # only the excluded doc matches


def test_a_query_nothing_matches_has_no_hits_not_min_max_fillers():
    index = HybridIndex(HashingEmbedder(256))
    _load(index)
    assert index.search("qzxwv jjkpf") == []
    hits = index.search("squash commits")
    assert hits[0].doc_id == "git-squash"
    assert all((h.keyword_raw or 0) > 0 or h.score > 0 for h in hits)


def test_min_score_drops_weak_matches_and_scores_compare_across_queries():
    index = HybridIndex(HashingEmbedder())
    _load(index)
    good = index.search("extract text from pdf documents")
    nonsense = index.search("zebra herds roam the savanna grassland")
    assert good[0].doc_id == "pdf-text" and good[0].score > 0.5
    assert not nonsense or nonsense[0].score < 0.2
    assert index.search("zebra herds roam the savanna grassland", min_score=0.3) == []
    kept = index.search("extract text from pdf documents", min_score=0.3)
    assert kept and all(h.score >= 0.3 for h in kept)
    for h in good:
        assert h.keyword_part + h.vector_part == pytest.approx(h.score)
    assert [h.score for h in good] == sorted((h.score for h in good), reverse=True)


def test_keyword_only_index_without_embedder():
    index = HybridIndex(None)
    _load(index)
    hits = index.search("分析 服务器 日志")
    assert hits[0].doc_id == "zh-log" and hits[0].mode == "keyword" and index.ready
    assert isinstance(hits[0], ScoredDoc) and len(index) == len(SKILL_DOCS)


def test_a_failed_model_load_leaves_keyword_search_working():
    emb = GatedEmbedder(fail=True, gate_open=True)
    index = HybridIndex(emb)
    _load(index)
    assert not index.wait_until_ready(timeout=5)
    assert "corrupt" in str(index.error)
    assert index.search("git rebase")[0].mode == "keyword"
    index.close()


def test_first_search_of_a_5k_store_answers_by_keywords_while_vectors_are_missing(gated):
    rng = random.Random(0)
    words = "deploy build test lint format parse convert extract render upload sync backup migrate".split()
    objects = "docker kubernetes pdf csv json yaml markdown postgres redis terraform git python rust".split()
    index = HybridIndex(gated)
    index.upsert_many(
        (f"s{i}", f"{rng.choice(words)} {rng.choice(objects)}\n" + " ".join(rng.choices(words + objects, k=40)), str(i))
        for i in range(5000)
    )
    hits = _search_without_blocking(index, "convert markdown to pdf", top_k=10)
    assert len(hits) == 10 and hits[0].mode == "keyword"
    gated.gate.set()
    index.close()


def test_concurrent_searches_while_the_background_thread_embeds(gated):
    index = HybridIndex(gated)
    docs = {f"d{i}": f"{t} variant {i}" for i, t in enumerate(list(SKILL_DOCS.values()) * 40)}
    _load(index, docs)
    errors: list[BaseException] = []
    modes: set[str] = set()

    def searcher() -> None:
        try:
            for _ in range(60):
                for h in index.search("docker image build", top_k=5):
                    modes.add(h.mode)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=searcher) for _ in range(4)]
    for th in threads:
        th.start()
    gated.gate.set()
    for th in threads:
        th.join()
    assert not errors
    assert index.wait_until_ready(10)
    assert index.search("docker image build")[0].mode == "hybrid"
    assert len(index._vectors) == len(docs)  # type: ignore[arg-type]
    index.close()


def test_vector_only_weight_reports_vector_mode():
    index = HybridIndex(HashingEmbedder(256), alpha=1.0)
    _load(index)
    hit = index.search("pytest fixtures")[0]
    assert hit.mode == "vector" and hit.keyword_part == 0.0


def test_a_reused_allowed_set_follows_docs_added_and_removed_later():
    index = HybridIndex(HashingEmbedder(dims=256), InMemoryVectorCache())
    for i in range(40):
        index.upsert(f"d{i}", f"filler document number {i} about gardening", str(i))
    allowed = frozenset({"d1", "d2", "late"} | {f"d{i}" for i in range(10, 40)})
    for _ in range(3):  # the second sighting of a large set builds and caches its row mask
        assert "late" not in [h.doc_id for h in index.search("kubernetes deploy", allowed=allowed)]
    index.upsert("late", "kubernetes deploy with helm", "h")
    assert index.search("kubernetes deploy", allowed=allowed)[0].doc_id == "late"
    index.remove("late")
    index.upsert("d0", "kubernetes deploy with helm", "h2")  # not allowed: must stay hidden
    assert all(h.doc_id in allowed for h in index.search("kubernetes deploy", allowed=allowed))


class _HeldElsewhere:
    """A vector stage over vectors this test holds apart from the index (as a database would)."""

    def __init__(self, embedder: HashingEmbedder, docs: dict[str, str]) -> None:
        self.vectors = VectorIndex(embedder.dims)
        self.vectors.add_many(list(docs), np.stack(embedder.embed(list(docs.values()))))
        self.asked = 0

    def search(self, query: np.ndarray, depth: int, also: Sequence[str]) -> StageResult:
        self.asked += 1
        rows, cosines = self.vectors.best_rows(query, depth, with_ties=True)
        nearest = [(str(self.vectors.doc_id(r)), float(c))
                   for r, c in zip(rows.tolist(), cosines.tolist(), strict=True)]
        known = [(d, r) for d in also if (r := self.vectors.row(d)) is not None]
        exact = self.vectors.score_at(np.array([r for _, r in known], dtype=np.int64), query).tolist()
        return StageResult(nearest, {d: float(c) for (d, _), c in zip(known, exact, strict=True)})


def test_a_vector_stage_is_fused_with_the_keywords_exactly_as_the_vectors_held_here() -> None:
    embedder = HashingEmbedder(dims=256)
    held = HybridIndex(embedder, background=False)
    _load(held)
    cache = InMemoryVectorCache()
    vectors = embedder.embed(list(SKILL_DOCS.values()))
    cache.put_many(embedder.signature, [(d, f"h-{hash(t)}", v) for (d, t), v in zip(SKILL_DOCS.items(), vectors,
                                                                                   strict=True)])
    apart = HybridIndex(embedder, cache=cache, background=False, keep_vectors=False)
    _load(apart)
    assert apart.vector_count == apart.stored_only == len(SKILL_DOCS) and apart.ready
    stage = _HeldElsewhere(embedder, SKILL_DOCS)
    queries = ["squash commits before merging", "deploy to kubernetes", "extract pdf text", "pytset fixturs",
               "zebra quantum accordion"]
    for query in queries:
        for allowed in (None, {"git-squash", "py-tests", "dry-run"}):
            assert apart.search(query, 3, allowed=allowed, vector_stage=stage) == held.search(query, 3, allowed=allowed)
    assert stage.asked == 2 * len(queries)
    # without a stage, an index whose vectors are elsewhere answers from keywords and says why
    [hit] = apart.search("squash commits before merging", 1)
    assert hit.mode == "keyword" and hit.note == f"vector: loading {len(SKILL_DOCS)} of {len(SKILL_DOCS)}"
