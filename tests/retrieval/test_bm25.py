"""BM25: incremental updates equal a fresh build; ranking and speed."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autoskill_mcp.retrieval import BM25Index

from .conftest import SKILL_DOCS

WORDS = "pdf text extract deploy kubernetes git squash rebase pytest fixture csv docker image build run test".split()


def _scores(index: BM25Index, query: str) -> dict[str, float]:
    return dict(index.search(query, top_k=1000))


@settings(max_examples=60, deadline=None)
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["add", "add", "remove"]),
            st.integers(0, 12),
            st.lists(st.sampled_from(WORDS), min_size=0, max_size=8),
        ),
        max_size=40,
    ),
    query=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
)
def test_incremental_adds_and_removes_equal_a_fresh_rebuild(ops, query):
    live = BM25Index()
    final: dict[str, str] = {}
    q = " ".join(query)
    for op, n, words in ops:
        doc_id = f"d{n}"
        if op == "add":
            live.add(doc_id, " ".join(words))
            final[doc_id] = " ".join(words)
        else:
            live.remove(doc_id)
            final.pop(doc_id, None)
        live.search(q)  # searching in between must not leave stale per-term caches
    fresh = BM25Index()
    for doc_id, text in final.items():
        fresh.add(doc_id, text)
    got, want = _scores(live, q), _scores(fresh, q)
    assert got.keys() == want.keys()
    for doc_id in want:
        assert abs(got[doc_id] - want[doc_id]) < 1e-4
    assert len(live) == len(final)


@settings(max_examples=80, deadline=None)
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["add", "add", "remove", "merge", "snapshot"]),
            st.integers(0, 12),
            st.lists(st.sampled_from(WORDS), min_size=0, max_size=8),
        ),
        max_size=40,
    ),
    query=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
)
def test_compact_postings_merged_reloaded_and_removed_from_equal_a_fresh_rebuild(ops, query):
    """Documents moved into the compact base (a merge, a snapshot round trip), then removed or
    replaced there, score exactly as in an index built from the final documents."""
    live = BM25Index()
    final: dict[str, str] = {}
    q = " ".join(query)
    for op, n, words in ops:
        doc_id = f"d{n}"
        if op == "add":
            live.add(doc_id, " ".join(words))
            final[doc_id] = " ".join(words)
        elif op == "remove":
            live.remove(doc_id)
            final.pop(doc_id, None)
        elif op == "merge":
            live._merge()  # what a large add_many or many removals trigger
        else:
            live = BM25Index.from_bytes(live.to_bytes())
        live.search(q)
    fresh = BM25Index()
    for doc_id, text in final.items():
        fresh.add(doc_id, text)
    got, want = _scores(live, q), _scores(fresh, q)
    assert got.keys() == want.keys()
    for doc_id in want:
        assert abs(got[doc_id] - want[doc_id]) < 1e-4
    assert len(live) == len(final)
    assert set(live.doc_ids()) == set(final)


def test_a_bulk_add_that_merges_many_times_on_the_way_equals_small_adds(monkeypatch):
    """add_many merges its dict postings into the base as they grow; nothing added after a
    merge may be lost (they must go to the new dict postings, not the merged ones)."""
    from autoskill_mcp.retrieval import bm25

    monkeypatch.setattr(bm25, "MERGE_AT", 7)
    rng = random.Random(3)
    docs = [(f"d{i}", [rng.choice(WORDS) for _ in range(rng.randint(1, 6))]) for i in range(200)]
    bulk = BM25Index()
    bulk.add_many(docs)
    monkeypatch.setattr(bm25, "MERGE_AT", 10**9)
    one_by_one = BM25Index()
    for doc_id, tokens in docs:
        one_by_one.add(doc_id, tokens=tokens)
    for query in ("pdf text", "docker image build", "git squash rebase", "csv"):
        assert _scores(bulk, query) == pytest.approx(_scores(one_by_one, query), abs=1e-4)
    assert len(bulk._post_rows) + bulk._delta_size == len(one_by_one._post_rows) + one_by_one._delta_size


def test_ranks_the_document_that_matches_rare_query_words_first():
    index = BM25Index()
    for doc_id, text in SKILL_DOCS.items():
        index.add(doc_id, text)
    assert index.search("squash my commits")[0][0] == "git-squash"
    assert index.search("migrations dry_run")[0][0] == "dry-run"
    assert index.search("分析日志")[0][0] == "zh-log"
    assert index.search("zebra") == []  # no match: no results, not zero-score filler


def test_replacing_a_document_forgets_its_old_words():
    index = BM25Index()
    index.add("a", "kubernetes deploy")
    index.add("a", "pdf text")
    assert index.search("kubernetes") == []
    assert index.search("pdf")[0][0] == "a"
    assert len(index) == 1


def test_removed_rows_are_reused_and_unknown_removes_are_harmless():
    index = BM25Index()
    index.add("a", "one")
    index.add("b", "two")
    assert index.remove("a") and not index.remove("a")
    index.add("c", "three")
    assert index.capacity == 2
    assert [d for d, _ in index.search("three")] == ["c"]


def test_accept_filter_skips_disallowed_docs():
    index = BM25Index()
    for i in range(300):
        index.add(f"d{i}", "deploy service" + (" kubernetes" if i % 2 else ""))
    hits = index.search("kubernetes deploy", top_k=5, accept=lambda d: int(d[1:]) % 2 == 0)
    assert len(hits) == 5 and all(int(d[1:]) % 2 == 0 for d, _ in hits)


def test_coverage_norm_makes_a_full_match_score_about_one():
    index = BM25Index()
    rng = random.Random(1)
    for i in range(200):
        index.add(f"d{i}", " ".join(rng.choice(WORDS) for _ in range(6)))
    index.add("target", "kubernetes deploy rollout helm docker image")
    (doc, raw), *_ = index.search("kubernetes rollout helm")
    assert doc == "target"
    assert 0.7 < raw / index.coverage_norm("kubernetes rollout helm") <= 1.5
    # A query word the index has never seen lowers the coverage.
    assert raw / index.coverage_norm("kubernetes rollout helm terraform") < raw / index.coverage_norm(
        "kubernetes rollout helm"
    )



def test_add_many_with_a_repeated_id_equals_adding_one_by_one():
    bulk, single = BM25Index(), BM25Index()
    items = [("a", ["x", "y"]), ("b", ["y", "z", "z"]), ("a", ["q"]), ("c", ["x"]), ("b", ["z"])]
    bulk.add_many(items)
    for doc_id, tokens in items:
        single.add(doc_id, tokens=tokens)
        single.search("x")  # exercise the cached per-term arrays in between
    for query in ("x", "y", "z", "q", "x z q"):
        assert bulk.search(query) == single.search(query)
    assert len(bulk) == 3 and bulk._total_len == single._total_len == 3
