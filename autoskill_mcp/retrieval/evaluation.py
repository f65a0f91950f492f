"""Ranking-quality metrics and the labelled-set format used to tune retrieval.

Shared by `python -m eval` (eval/retrieval.py) and the quality regression test, so the
figure a test guards is computed exactly as the figure the benchmark reports.
A labelled set is JSON: `{"docs": [{"id", "text"}], "queries": [{"id", "text",
"rel": {doc_id: grade}}]}` (the shape of the MetaTool fixture).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["LabelledSet", "Query", "load_labelled_set", "ndcg_at_k", "evaluate"]


@dataclass(frozen=True)
class Query:
    """A request and the graded relevance of the docs that serve it."""

    id: str
    text: str
    rel: Mapping[str, float]


@dataclass
class LabelledSet:
    """Documents and labelled queries."""

    name: str
    docs: dict[str, str]
    queries: list[Query] = field(default_factory=list)

    def sample(self, n: int | None, seed: int = 0) -> LabelledSet:
        """A fixed, seeded sample of `n` queries (all when n is None or larger)."""
        if n is None or n >= len(self.queries):
            return self
        picked = random.Random(seed).sample(self.queries, n)
        return LabelledSet(self.name, self.docs, picked)


def load_labelled_set(path: str | Path) -> LabelledSet:
    """Read a labelled set; queries whose relevant docs are all unknown are dropped."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    docs = {str(d["id"]): str(d["text"]) for d in raw["docs"]}
    queries = [
        Query(str(q["id"]), str(q["text"]), {str(k): float(v) for k, v in q["rel"].items()})
        for q in raw["queries"]
    ]
    queries = [q for q in queries if any(d in docs for d in q.rel)]
    return LabelledSet(str(raw.get("name") or Path(path).stem), docs, queries)


def ndcg_at_k(ranked: Sequence[str], rel: Mapping[str, float], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the first k results."""
    dcg = sum(rel.get(d, 0.0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked: Sequence[str], rel: Mapping[str, float], k: int) -> float:
    """Share of the relevant docs found in the first k results."""
    relevant = {d for d, g in rel.items() if g > 0}
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], rel: Mapping[str, float]) -> float:
    """1 / rank of the first relevant result (0 if none is ranked)."""
    for i, d in enumerate(ranked):
        if rel.get(d, 0.0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(ranker: Callable[[str], Sequence[str]], queries: Sequence[Query]) -> dict[str, float]:
    """Mean nDCG@10, R@1, R@5, R@10 and MRR of `ranker(query_text) -> doc ids`."""
    totals = {"ndcg@10": 0.0, "r@1": 0.0, "r@5": 0.0, "r@10": 0.0, "mrr": 0.0}
    for q in queries:
        ranked = list(ranker(q.text))
        totals["ndcg@10"] += ndcg_at_k(ranked, q.rel, 10)
        totals["r@1"] += recall_at_k(ranked, q.rel, 1)
        totals["r@5"] += recall_at_k(ranked, q.rel, 5)
        totals["r@10"] += recall_at_k(ranked, q.rel, 10)
        totals["mrr"] += reciprocal_rank(ranked, q.rel)
    n = max(len(queries), 1)
    return {k: v / n for k, v in totals.items()}
