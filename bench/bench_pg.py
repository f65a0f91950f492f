"""The team store on PostgreSQL beside the local store: search and upsert latency at the same sizes.

Both stores hold the same corpus (bench/corpus.py) with the same embedder; a real PostgreSQL
with pgvector runs on 127.0.0.1 for the run (bench/pg_server.py), on this machine, so the
figures are the store's own cost plus a loopback round trip, not a network's.

- load: `save_many` of the whole corpus (vectors for hashing are computed inline)
- search p50 / p95: warm `search` (index built, every vector present) over held-out requests
- upsert p50: `save` of an existing skill with changed instructions (a new version each time)
- open + first search: a new handle (as a new process has) answering its first search

    python -m bench pg                         # hashing at 5k and 100k, MiniLM at 5k
    python -m bench --quick pg                 # hashing at 5k
    python bench/bench_pg.py --sizes 5000 --embeddings minilm
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

from autoskill_mcp import LocalSkillStore  # noqa: E402
from autoskill_mcp.store import SkillStore  # noqa: E402
from bench import corpus  # noqa: E402
from bench.pg_server import PgServer  # noqa: E402
from bench.report import Row, markdown, median, pct, ratio  # noqa: E402

UPSERTS = 40


def _measure(store: SkillStore, n: int, queries: list[str], repeats: int,
             reopen: Callable[[], SkillStore]) -> dict[str, float]:
    t = time.perf_counter()
    saved = store.save_many(list(corpus.skills(n)), reason="bench")
    load = time.perf_counter() - t
    store.search(queries[0], user_id="bench", wait=True)  # the index built and every vector made
    times = []
    for _ in range(repeats):
        for q in queries:
            t = time.perf_counter()
            store.search(q, user_id="bench", top_k=5)
            times.append(time.perf_counter() - t)
    upserts = []
    for i in range(UPSERTS):
        skill = saved[(i * 7919) % len(saved)]
        t = time.perf_counter()
        store.save(skill.copy(instructions=skill.instructions + f"\n7. Revision {i}."))
        upserts.append(time.perf_counter() - t)
    store.close()  # what the next process starts from is then on disk (the local store's snapshots)
    t = time.perf_counter()
    with reopen() as fresh:
        fresh.search(queries[1], user_id="bench", top_k=5)
    first = time.perf_counter() - t
    return {"load": load, "p50": median(times) * 1000, "p95": pct(times, 95) * 1000,
            "upsert": median(upserts) * 1000, "first": first}


def bench_size(n: int, embeddings: dict[str, Any], server: PgServer, tmp: Path, repeats: int) -> list[Row]:
    from autoskill_mcp.store.postgres import PostgresSkillStore

    queries = corpus.queries(50)
    label = str(embeddings["provider"])
    home = tmp / f"local-{n}-{label}"
    lo = _measure(LocalSkillStore(home, embeddings=embeddings, background=False), n, queries, repeats,
                  lambda: LocalSkillStore(home, embeddings=embeddings, background=False))
    dsn = server.create_database(f"bench_{n}_{label}")
    pq = _measure(PostgresSkillStore(dsn, embeddings=embeddings, background=False), n, queries, repeats,
                  lambda: PostgresSkillStore(dsn, embeddings=embeddings, background=False))
    server.drop_database(f"bench_{n}_{label}")
    return [
        Row("search p50 ms (postgres)", f"{pq['p50']:.2f}", f"{lo['p50']:.2f} local", ratio(pq["p50"], lo["p50"]),
            f"{len(queries) * repeats} warm searches, top 5"),
        Row("search p95 ms (postgres)", f"{pq['p95']:.2f}", f"{lo['p95']:.2f} local", ratio(pq["p95"], lo["p95"])),
        Row("upsert p50 ms (postgres)", f"{pq['upsert']:.2f}", f"{lo['upsert']:.2f} local",
            ratio(pq["upsert"], lo["upsert"]), f"{UPSERTS} saves of a changed skill, each a new version"),
        Row("open + first search s (postgres)", f"{pq['first']:.2f}", f"{lo['first']:.2f} local",
            ratio(pq["first"], lo["first"]), "a new handle, as a new process: the index built from the store"),
        Row("load s (postgres)", f"{pq['load']:.1f}", f"{lo['load']:.1f} local", ratio(pq["load"], lo["load"]),
            f"save_many of {n:,} skills"),
    ]


def sections(quick: bool, sizes: list[int] | None = None, embeddings: str | None = None,
             repeats: int | None = None) -> list[tuple[str, list[Row]]]:
    """(title, rows) per size and embedder: quick is hashing at 5k; full adds 100k and MiniLM at 5k."""
    if sizes:
        plan = [(n, e) for e in ([embeddings] if embeddings else ["hashing"]) for n in sizes]
    elif quick:
        plan = [(5000, "hashing")]
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
    parser.add_argument("--embeddings", choices=["hashing", "minilm"], default="hashing")
    parser.add_argument("--repeats", type=int, default=3, help="passes over 50 held-out queries")
    args = parser.parse_args()
    for title, rows in sections(False, [int(x) for x in args.sizes.split(",")], args.embeddings, args.repeats):
        print(markdown(title, rows) + "\n", flush=True)


if __name__ == "__main__":
    main()
