"""Retrieval quality on a labelled tool-retrieval set (default: the MetaTool dev set).

Doc = tool name + description, query = user request, one relevant tool each.
Prints mean nDCG@10, R@1, R@5, MRR for BM25, AutoSkill-style hashing-256,
our default hashing, MiniLM dense, and the fused hybrid (our default), with
each one's ratio to BM25. `--tune` also sweeps the fusion weight and method.

    .venv/bin/python bench/eval_retrieval.py [--all] [--sample N] [--tune] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autoskill_mcp.retrieval import (  # noqa: E402
    DEFAULT_ALPHA,
    BM25Index,
    HashingEmbedder,
    HybridIndex,
    MiniLMEmbedder,
    fuse,
    tokenize,
)
from autoskill_mcp.retrieval.embedder import Embedder  # noqa: E402
from autoskill_mcp.retrieval.evaluation import LabelledSet, evaluate, load_labelled_set  # noqa: E402

DEFAULT_SET = Path(os.environ.get(
    "AUTOSKILL_RETRIEVAL_FIXTURES", Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "retrieval"
)) / "metatool.json"
DEPTH = 100


def dense_ranker(embedder: Embedder, data: LabelledSet, qvecs: np.ndarray) -> Callable[[str], Sequence[str]]:
    """Rank by cosine alone (exact)."""
    ids = list(data.docs)
    matrix = embedder.embed([data.docs[d] for d in ids])
    index = {q.text: i for i, q in enumerate(data.queries)}

    def rank(text: str) -> list[str]:
        scores = matrix @ qvecs[index[text]]
        return [ids[i] for i in np.argsort(-scores, kind="stable")[:DEPTH]]

    return rank


def score_tables(data: LabelledSet, embedder: Embedder) -> tuple[list[str], np.ndarray, np.ndarray, list[float]]:
    """BM25 and cosine of every (query, doc), plus each query's coverage norm (for tuning)."""
    ids = list(data.docs)
    bm25 = BM25Index()
    for d in ids:
        bm25.add(d, data.docs[d])
    rows = [bm25.row(d) for d in ids]
    kw = np.stack([bm25.score_rows(tokenize(q.text))[rows] for q in data.queries])
    norms = [bm25.coverage_norm(q.text) for q in data.queries]
    dvec = embedder.embed([data.docs[d] for d in ids])
    qvec = embedder.embed([q.text for q in data.queries])
    return ids, kw, qvec @ dvec.T, norms


def tuned(data: LabelledSet, tables: tuple, embedder: Embedder, alpha: float, method: str) -> dict[str, float]:
    """Quality of fuse(method, alpha) over the union of both top-100 lists."""
    ids, kw, cos, norms = tables
    pos = {q.text: i for i, q in enumerate(data.queries)}

    def rank(text: str) -> list[str]:
        i = pos[text]
        k_top = [j for j in np.argsort(-kw[i], kind="stable")[:DEPTH] if kw[i, j] > 0]
        v_top = list(np.argsort(-cos[i], kind="stable")[:DEPTH])
        cand = set(k_top) | set(v_top)
        fused = fuse(
            {ids[j]: float(kw[i, j]) for j in cand},
            {ids[j]: float(cos[i, j]) for j in cand},
            alpha=alpha, keyword_norm=norms[i], calibration=embedder.calibration, method=method,
        )
        return [f.doc_id for f in fused]

    return evaluate(rank, data.queries)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", type=Path, default=DEFAULT_SET, help="labelled set JSON (default: MetaTool dev set)")
    ap.add_argument("--sample", type=int, default=2000, help="queries sampled with a fixed seed (default 2000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--all", action="store_true", help="use every query")
    ap.add_argument("--tune", action="store_true", help="also sweep fusion alpha and method")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args(argv)

    data = load_labelled_set(args.set).sample(None if args.all else args.sample, args.seed)
    results: dict[str, dict[str, float]] = {}
    timings: dict[str, float] = {}

    def run(name: str, ranker: Callable[[str], Sequence[str]]) -> None:
        t = time.perf_counter()
        results[name] = evaluate(ranker, data.queries)
        timings[name] = time.perf_counter() - t

    bm25 = BM25Index()
    for d, text in data.docs.items():
        bm25.add(d, text)
    run("bm25", lambda q: [d for d, _ in bm25.search(q, DEPTH)])

    minilm = MiniLMEmbedder()
    embedders: list[tuple[str, Embedder]] = [
        ("hashing-256 (AutoSkill)", HashingEmbedder(256, variant="autoskill")),
        ("hashing-1024 words+char3 (default)", HashingEmbedder()),
        ("minilm int8 dense", minilm),
    ]
    qvecs: dict[str, np.ndarray] = {}
    for name, emb in embedders:
        t = time.perf_counter()
        qvecs[name] = emb.embed([q.text for q in data.queries])
        run(name, dense_ranker(emb, data, qvecs[name]))
        timings[name] += time.perf_counter() - t

    for name, emb in (("hybrid minilm+bm25 (default)", minilm), ("hybrid hashing+bm25", HashingEmbedder())):
        index = HybridIndex(emb, background=False)
        index.upsert_many((d, text, str(hash(text))) for d, text in data.docs.items())
        index.wait_until_ready()
        run(name, lambda q, index=index: [h.doc_id for h in index.search(q, DEPTH)])
        modes = {h.mode for h in index.search(data.queries[0].text, 1)}
        assert modes == {"hybrid"}, modes

    sweep: list[dict[str, object]] = []
    if args.tune:
        tables = {name: score_tables(data, emb) for name, emb in (("minilm", minilm), ("hashing", HashingEmbedder()))}
        for emb_name, emb in (("minilm", minilm), ("hashing", HashingEmbedder())):
            for method in ("minmax", "absolute", "rrf"):
                for alpha in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
                    m = tuned(data, tables[emb_name], emb, alpha, method)
                    sweep.append({"embedder": emb_name, "method": method, "alpha": alpha, **m})

    base = results["bm25"]["ndcg@10"]
    if args.json:
        print(json.dumps({
            "set": data.name, "queries": len(data.queries), "docs": len(data.docs), "alpha": DEFAULT_ALPHA,
            "results": results, "seconds": timings, "tune": sweep,
        }, indent=2))
        return 0
    print(f"{data.name}: {len(data.docs)} docs, {len(data.queries)} queries (seed {args.seed}); fusion alpha {DEFAULT_ALPHA}")
    print(f"{'method':38} {'nDCG@10':>8} {'R@1':>6} {'R@5':>6} {'MRR':>6} {'vs BM25':>8} {'time s':>7}")
    for name, m in results.items():
        print(f"{name:38} {m['ndcg@10']:8.3f} {m['r@1']:6.3f} {m['r@5']:6.3f} {m['mrr']:6.3f} "
              f"{m['ndcg@10'] / base:7.2f}x {timings[name]:7.1f}")
    if sweep:
        print("\nfusion sweep (nDCG@10):")
        for emb_name in ("minilm", "hashing"):
            for method in ("minmax", "absolute", "rrf"):
                row = [s for s in sweep if s["embedder"] == emb_name and s["method"] == method]
                print(f"  {emb_name:8} {method:9} " + " ".join(f"a={s['alpha']}:{s['ndcg@10']:.3f}" for s in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
