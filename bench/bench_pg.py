"""The team store on PostgreSQL beside the local store: search and upsert latency at the same sizes.

Both stores hold the same corpus (bench/corpus.py) with the same embedder; a real PostgreSQL
with pgvector runs on 127.0.0.1 for the run (bench/pg_server.py), on this machine, so the
figures are the store's own cost plus a loopback round trip, not a network's. The team store is
measured twice over the same database: with its vectors in the process (`vectors = "memory"`)
and with its searches' vector side asked from pgvector's HNSW index (`vectors = "database"`).

- load: `save_many` of the whole corpus (vectors for hashing are computed inline)
- search p50 / p95: warm `search` (index built, every vector present) over held-out requests
- upsert p50: `save` of an existing skill with changed instructions (a new version each time)
- open + first search: a new handle (as a new process has) answering its first search; for the
  memory mode both as a process does (its vectors loaded after that search, which asks the HNSW
  index) and with the vectors loaded before it (`background=False`)
- HNSW recall: how many of the exact nearest 10 (and 100) vectors the index's scan returns

    python -m bench pg                         # hashing at 5k and 100k, MiniLM at 5k
    python -m bench --quick pg                 # hashing at 1k
    python bench/bench_pg.py --sizes 5000 --embeddings hashing,minilm
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autoskill_mcp import LocalSkillStore, Skill  # noqa: E402
from autoskill_mcp.store import SkillStore  # noqa: E402
from bench import corpus  # noqa: E402
from bench.pg_server import PgServer  # noqa: E402
from bench.report import Row, markdown, median, pct, ratio  # noqa: E402

UPSERTS = 40
USER = "bench"


def _searches(store: SkillStore, queries: list[str], repeats: int) -> list[float]:
    store.search(queries[0], user_id=USER, wait=True)  # the index built and every vector made
    times = []
    for _ in range(repeats):
        for q in queries:
            t = time.perf_counter()
            store.search(q, user_id=USER, top_k=5)
            times.append(time.perf_counter() - t)
    return times


def _upserts(store: SkillStore, saved: list[Skill], offset: int) -> list[float]:
    times = []
    for i in range(offset, offset + UPSERTS):
        skill = saved[(i * 7919) % len(saved)]
        t = time.perf_counter()
        store.save(skill.copy(instructions=skill.instructions + f"\n7. Revision {i}."))
        times.append(time.perf_counter() - t)
    return times


def _first_search(open_store: Callable[[], SkillStore], query: str) -> float:
    """Seconds from opening a handle to its first answer (its closing, after, is not counted)."""
    t = time.perf_counter()
    fresh = open_store()
    try:
        fresh.search(query, user_id=USER, top_k=5)
        return time.perf_counter() - t
    finally:
        fresh.close()


def _measure(store: SkillStore, saved: list[Skill], queries: list[str], repeats: int, offset: int,
             reopen: Callable[[], SkillStore]) -> dict[str, float]:
    times = _searches(store, queries, repeats)
    upserts = _upserts(store, saved, offset)
    store.close()  # what the next process starts from is then on disk (the local store's snapshots)
    return {"p50": median(times) * 1000, "p95": pct(times, 95) * 1000, "upsert": median(upserts) * 1000,
            "first": _first_search(reopen, queries[1])}


def hnsw_recall(dsn: str, embeddings: dict[str, Any], queries: list[str]) -> dict[int, float]:
    """Mean share of the search's HNSW stage's nearest k that are among the exact nearest k (a scan, no
    index), for k = 10 and 100 (its depth). A hit as near as the exact k-th counts: the corpus has many
    skills at the same distance, and which of them an exact scan lists is arbitrary."""
    import psycopg
    from pgvector import Vector
    from pgvector.psycopg import register_vector

    from autoskill_mcp.store.postgres import PostgresSkillStore
    from autoskill_mcp.store.postgres.hnsw import HnswStage, Visibility, stage_pool

    pool = stage_pool(dsn)
    found: dict[int, list[float]] = {10: [], 100: []}
    with PostgresSkillStore(dsn, embeddings=embeddings, background=False, vectors="database") as store, \
            psycopg.connect(dsn) as conn:
        register_vector(conn)
        embedder = store.index.embedder
        embedder.load()
        stage = HnswStage(store.vectors, pool, embedder.signature, Visibility(USER, ("user", "shared", "library")))
        for q in queries:
            qvec = embedder.embed_query(q)
            near = sorted((c for _, c in stage.search(qvec, 100, []).nearest), reverse=True)
            dims = int(qvec.size)
            conn.execute("SET enable_indexscan = off")  # the exact order: every vector scanned
            exact = [float(r[0]) for r in conn.execute(
                f"SELECT 1 - (embedding::vector({dims}) <=> %s::vector({dims})) FROM skill_vectors "
                f"WHERE signature = %s AND dims = {dims} ORDER BY embedding::vector({dims}) <=> %s::vector({dims}) "
                "LIMIT 100", (Vector(qvec), embedder.signature, Vector(qvec))).fetchall()]
            conn.rollback()
            for k in found:
                top = min(k, len(exact))  # a store smaller than k: all of it
                if top:
                    found[k].append(sum(c >= exact[top - 1] - 1e-6 for c in near[:top]) / top)
    pool.close()
    return {k: sum(v) / len(v) if v else float("nan") for k, v in found.items()}


def bench_size(n: int, embeddings: dict[str, Any], server: PgServer, tmp: Path, repeats: int) -> list[Row]:
    from autoskill_mcp.store.postgres import PostgresSkillStore
    from autoskill_mcp.store.postgres.hnsw import EF_SEARCH

    queries = corpus.queries(50)
    label = str(embeddings["provider"])
    skills = list(corpus.skills(n))
    home = tmp / f"local-{n}-{label}"

    def local() -> SkillStore:
        return LocalSkillStore(home, embeddings=embeddings, background=False)

    store = local()
    t = time.perf_counter()
    saved = store.save_many(skills, reason="bench")
    lo = {"load": time.perf_counter() - t, **_measure(store, saved, queries, repeats, 0, local)}
    dsn = server.create_database(f"bench_{n}_{label}")

    def postgres(vectors: str, background: bool = False) -> Callable[[], SkillStore]:
        return lambda: PostgresSkillStore(dsn, embeddings=embeddings, background=background, vectors=vectors)

    store = postgres("memory")()
    t = time.perf_counter()
    saved = store.save_many(skills, reason="bench")
    pq = {"load": time.perf_counter() - t, **_measure(store, saved, queries, repeats, 0, postgres("memory", True))}
    pq["first_loaded"] = _first_search(postgres("memory"), queries[1])
    hn = _measure(postgres("database")(), saved, queries, repeats, UPSERTS, postgres("database", True))
    recall = hnsw_recall(dsn, embeddings, queries)
    server.drop_database(f"bench_{n}_{label}")
    searches = f"{len(queries) * repeats} warm searches, top 5"
    rows = []
    for name, m in (("postgres, memory", pq), ("postgres, HNSW", hn)):
        rows += [
            Row(f"search p50 ms ({name})", f"{m['p50']:.2f}", f"{lo['p50']:.2f} local", ratio(m["p50"], lo["p50"]),
                searches),
            Row(f"search p95 ms ({name})", f"{m['p95']:.2f}", f"{lo['p95']:.2f} local", ratio(m["p95"], lo["p95"])),
        ]
    for name, m in (("postgres, memory", pq), ("postgres, HNSW", hn)):
        rows.append(Row(f"upsert p50 ms ({name})", f"{m['upsert']:.2f}", f"{lo['upsert']:.2f} local",
                        ratio(m["upsert"], lo["upsert"]), f"{UPSERTS} saves of a changed skill, each a new version"))
    rows += [
        Row("open + first search s (postgres, memory)", f"{pq['first']:.2f}", f"{lo['first']:.2f} local",
            ratio(pq["first"], lo["first"]), "a new process's handle: keywords from the table, vectors by HNSW "
            "until loaded"),
        Row("open + first search s (postgres, memory, loaded first)", f"{pq['first_loaded']:.2f}",
            f"{lo['first']:.2f} local", ratio(pq["first_loaded"], lo["first"]),
            "background=False: every vector read from the database before the first search"),
        Row("open + first search s (postgres, HNSW)", f"{hn['first']:.2f}", f"{lo['first']:.2f} local",
            ratio(hn["first"], lo["first"])),
        Row("load s (postgres)", f"{pq['load']:.1f}", f"{lo['load']:.1f} local", ratio(pq["load"], lo["load"]),
            f"save_many of {n:,} skills"),
        Row("HNSW recall@10 / @100", f"{recall[10]:.3f} / {recall[100]:.3f}", "1.000 exact scan", "",
            f"hnsw.ef_search {EF_SEARCH}: of the exact nearest vectors (ties counted), {len(queries)} queries"),
    ]
    return rows


def sections(quick: bool, sizes: list[int] | None = None, embeddings: str | None = None,
             repeats: int | None = None) -> list[tuple[str, list[Row]]]:
    """(title, rows) per size and embedder: quick is hashing at 1k; full is 5k and 100k and MiniLM at 5k."""
    if sizes:
        plan = [(n, e) for e in (embeddings.split(",") if embeddings else ["hashing"]) for n in sizes]
    elif quick:
        plan = [(1000, "hashing")]
    else:
        plan = [(5000, "hashing"), (100_000, "hashing"), (5000, "minilm")]
    out = []
    with tempfile.TemporaryDirectory(prefix="autoskill-bench-pg-") as tmp, PgServer(Path(tmp) / "pg") as server:
        for n, e in plan:
            reps = repeats or (1 if quick or n >= 100_000 else 3)
            rows = bench_size(n, {"provider": e}, server, Path(tmp), reps)
            out.append((f"team store (postgres) vs local: {n:,} skills, {e}", rows))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5000", help="comma-separated (100000 takes several minutes)")
    parser.add_argument("--embeddings", default="hashing", help="hashing, minilm, or both: hashing,minilm")
    parser.add_argument("--repeats", type=int, default=3, help="passes over 50 held-out queries")
    args = parser.parse_args()
    if not set(args.embeddings.split(",")) <= {"hashing", "minilm"}:
        parser.error("--embeddings: hashing, minilm, or both (comma-separated)")
    for title, rows in sections(False, [int(x) for x in args.sizes.split(",")], args.embeddings, args.repeats):
        print(markdown(title, rows) + "\n", flush=True)


if __name__ == "__main__":
    main()
