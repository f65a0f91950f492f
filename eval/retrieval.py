"""Retrieval quality on labelled sets: every retrieval mode the product offers, side by side.

A set is a JSON file (`name`, `source`, `license`, `docs`: {id: text}, `queries`:
[{text, relevant: [ids]}]); every `*.json` in tests/fixtures/retrieval is
used unless `--set` names files or folders, so a new set is dropped in, not coded.
Prints mean nDCG@10, R@1, R@5, MRR for keyword (BM25), each embedder alone
(AutoSkill-style hashing-256, our hashing, MiniLM), and both fused hybrids
(minilm+bm25 is the default), each with its ratio to BM25. `--tune` also sweeps
the fusion weight and method.

    .venv/bin/python eval/retrieval.py [--set PATH ...] [--all | --sample N] [--tune] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

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

DEFAULT_SETS = Path(os.environ.get(
    "AUTOSKILL_RETRIEVAL_FIXTURES", Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "retrieval"))
DEPTH = 100


def embed_queries(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Queries as a search embeds them (`embed_query`: MiniLM reads a longer window than for documents)."""
    batched = getattr(embedder, "embed_queries", None)
    return batched(texts) if batched is not None else embedder.embed(texts)


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
    qvec = embed_queries(embedder, [q.text for q in data.queries])
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


def set_files(paths: Sequence[Path]) -> list[Path]:
    """The labelled-set files named, with folders expanded to their `*.json`."""
    out: list[Path] = []
    for p in paths:
        out += sorted(p.glob("*.json")) if p.is_dir() else [p]
    return out


def evaluate_set(path: Path, *, sample: int | None, seed: int = 0, tune: bool = False) -> dict[str, Any]:
    """Every mode on one set: {set, queries, docs, alpha, results: {mode: metrics}, seconds, tune}."""
    data = load_labelled_set(path).sample(sample, seed)
    results: dict[str, dict[str, float]] = {}
    timings: dict[str, float] = {}

    def run(name: str, ranker: Callable[[str], Sequence[str]]) -> None:
        t = time.perf_counter()
        results[name] = evaluate(ranker, data.queries)
        timings[name] = time.perf_counter() - t

    bm25 = BM25Index()
    for d, text in data.docs.items():
        bm25.add(d, text)
    run("keyword: bm25", lambda q: [d for d, _ in bm25.search(q, DEPTH)])

    minilm = MiniLMEmbedder()
    embedders: list[tuple[str, Embedder]] = [
        ("vector: hashing-256 (AutoSkill's)", HashingEmbedder(256, variant="autoskill")),
        ("vector: hashing-1024 words+char3", HashingEmbedder()),
        ("vector: minilm int8", minilm),
    ]
    for name, emb in embedders:
        t = time.perf_counter()
        qvecs = embed_queries(emb, [q.text for q in data.queries])
        run(name, dense_ranker(emb, data, qvecs))
        timings[name] += time.perf_counter() - t

    for name, emb in (("hybrid: minilm+bm25 (default)", minilm), ("hybrid: hashing+bm25", HashingEmbedder())):
        t = time.perf_counter()
        index = HybridIndex(emb, background=False)
        index.upsert_many((d, text, str(hash(text))) for d, text in data.docs.items())
        index.wait_until_ready()
        run(name, lambda q, index=index: [h.doc_id for h in index.search(q, DEPTH)])
        timings[name] += time.perf_counter() - t
        modes = {h.mode for h in index.search(data.queries[0].text, 1)}
        assert modes == {"hybrid"}, modes

    sweep: list[dict[str, object]] = []
    if tune:
        for emb_name, emb in (("minilm", minilm), ("hashing", HashingEmbedder())):
            tables = score_tables(data, emb)
            for method in ("minmax", "absolute", "rrf"):
                for alpha in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
                    m = tuned(data, tables, emb, alpha, method)
                    sweep.append({"embedder": emb_name, "method": method, "alpha": alpha, **m})
    return {"set": data.name, "source": str(path), "queries": len(data.queries), "docs": len(data.docs),
            "sample_seed": seed, "alpha": DEFAULT_ALPHA, "results": results, "seconds": timings, "tune": sweep}


def markdown(report: dict[str, Any]) -> str:
    """One table: each mode's metrics, its ratio to BM25 and its time."""
    base = report["results"]["keyword: bm25"]["ndcg@10"]
    lines = [f"Retrieval: {report['set']}: {report['docs']} docs, {report['queries']} queries "
             f"(seed {report['sample_seed']}); fusion alpha {report['alpha']}", "",
             "| mode | nDCG@10 | R@1 | R@5 | MRR | vs BM25 (nDCG) | time s |", "|---|---|---|---|---|---|---|"]
    for name, m in report["results"].items():
        lines.append(f"| {name} | {m['ndcg@10']:.3f} | {m['r@1']:.3f} | {m['r@5']:.3f} | {m['mrr']:.3f} | "
                     f"{m['ndcg@10'] / base:.2f}x | {report['seconds'][name]:.1f} |")
    if report["tune"]:
        lines += ["", "fusion sweep (nDCG@10):"]
        for emb_name in ("minilm", "hashing"):
            for method in ("minmax", "absolute", "rrf"):
                row = [s for s in report["tune"] if s["embedder"] == emb_name and s["method"] == method]
                lines.append(f"- {emb_name} {method}: " + " ".join(f"a={s['alpha']}:{s['ndcg@10']:.3f}" for s in row))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", type=Path, nargs="*", default=[DEFAULT_SETS],
                    help="labelled set files or folders (default: every set in tests/fixtures/retrieval)")
    ap.add_argument("--sample", type=int, default=2000, help="queries sampled with a fixed seed (default 2000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--all", action="store_true", help="use every query")
    ap.add_argument("--tune", action="store_true", help="also sweep fusion alpha and method")
    ap.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = ap.parse_args(argv)
    reports = [evaluate_set(p, sample=None if args.all else args.sample, seed=args.seed, tune=args.tune)
               for p in set_files(args.set)]
    if not reports:
        ap.error(f"no labelled sets in {', '.join(map(str, args.set))}")
    print(json.dumps(reports, indent=2) if args.json else "\n\n".join(markdown(r) for r in reports))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
