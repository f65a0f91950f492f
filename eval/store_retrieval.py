"""Retrieval quality through the stores themselves: the local folder store and the team store on
PostgreSQL hold the same labelled set as skills and answer the same queries (`store.search`), so
nDCG@10 shows whether the team store ranks as well as the local one (it should: within 0.01). The
team store answers twice over the same database: with its vectors in the process ("postgres",
`vectors = "memory"`) and with its searches' vector side from pgvector's HNSW index
("postgres-hnsw", `vectors = "database"`).

A real PostgreSQL with pgvector is started on 127.0.0.1 for the run (bench/pg_server.py).

    .venv/bin/python -m eval.store_retrieval [--set PATH] [--sample N] [--embeddings minilm|hashing]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autoskill_mcp import LocalSkillStore, Skill  # noqa: E402
from autoskill_mcp.retrieval.evaluation import LabelledSet, evaluate, load_labelled_set  # noqa: E402
from autoskill_mcp.store import SkillStore  # noqa: E402
from bench.pg_server import PgServer  # noqa: E402

USER = "eval"
DEPTH = 10
EMBEDDERS = {"minilm": {"provider": "minilm"}, "hashing": {"provider": "hashing"}}


def skills_of(data: LabelledSet) -> list[Skill]:
    """One skill per doc ("name: what it does"), its id the doc's id, its name a unique slug of it."""
    out, taken = [], set()
    for doc_id, text in data.docs.items():
        head, _, rest = text.partition(":")
        slug = re.sub(r"[^a-z0-9]+", "-", doc_id.lower()).strip("-")[:60] or "doc"
        name, n = slug, 1
        while name in taken:
            n += 1
            name = f"{slug}-{n}"
        taken.add(name)
        out.append(Skill(name=name, description=(rest.strip() or head.strip() or doc_id), id=doc_id,
                         user_id=USER, instructions=text))
    return out


def _ranker(store: SkillStore) -> Any:
    return lambda q: [h.skill.id for h in store.search(q, user_id=USER, top_k=DEPTH)]


def evaluate_stores(path: Path, *, sample: int | None, seed: int = 0, embeddings: str = "minilm") -> dict[str, Any]:
    """nDCG@10 and friends of `store.search` on the local store and on PostgreSQL, and their difference."""
    from autoskill_mcp.store.postgres import PostgresSkillStore

    data = load_labelled_set(path).sample(sample, seed)
    skills = skills_of(data)
    settings = EMBEDDERS[embeddings]
    results: dict[str, dict[str, float]] = {}
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="autoskill-eval-") as tmp, PgServer(Path(tmp) / "pg") as server:
        dsn = server.create_database("eval")
        stores: list[tuple[str, Callable[[], SkillStore], bool]] = [  # (name, opener, loads the skills)
            ("local", lambda: LocalSkillStore(Path(tmp) / "local", embeddings=settings, background=False), True),
            ("postgres", lambda: PostgresSkillStore(dsn, embeddings=settings, background=False), True),
            ("postgres-hnsw", lambda: PostgresSkillStore(dsn, embeddings=settings, background=False,
                                                         vectors="database"), False),
        ]
        for name, open_store, load in stores:
            with open_store() as store:
                if load:
                    store.save_many(skills, reason="eval")
                store.search(data.queries[0].text, user_id=USER, wait=True)  # every skill embedded first
                t = time.perf_counter()
                results[name] = evaluate(_ranker(store), data.queries)
                seconds[name] = time.perf_counter() - t
    deltas = {name: results[name]["ndcg@10"] - results["local"]["ndcg@10"] for name in results if name != "local"}
    return {"set": data.name, "queries": len(data.queries), "docs": len(data.docs), "embeddings": embeddings,
            "results": results, "seconds": seconds, "ndcg_delta": deltas["postgres"], "ndcg_deltas": deltas}


def markdown(report: dict[str, Any]) -> str:
    lines = [f"Retrieval through the stores: {report['set']}: {report['docs']} skills, {report['queries']} queries, "
             f"{report['embeddings']} embeddings (`store.search`, top {DEPTH})", "",
             "| store | nDCG@10 | R@1 | R@5 | MRR | time s |", "|---|---|---|---|---|---|"]
    for name, m in report["results"].items():
        lines.append(f"| {name} | {m['ndcg@10']:.3f} | {m['r@1']:.3f} | {m['r@5']:.3f} | {m['mrr']:.3f} | "
                     f"{report['seconds'][name]:.1f} |")
    lines.append("")
    lines += [f"{name} - local nDCG@10: {delta:+.4f} (the target: within 0.01)"
              for name, delta in report["ndcg_deltas"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from eval.retrieval import DEFAULT_SETS, set_files

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", type=Path, nargs="*", default=[DEFAULT_SETS])
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--embeddings", choices=sorted(EMBEDDERS), default="minilm")
    args = ap.parse_args(argv)
    for path in set_files(args.set):
        print(markdown(evaluate_stores(path, sample=args.sample, seed=args.seed, embeddings=args.embeddings)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
