"""Store speed and memory: bulk import, open + first search, search p50/p95, upsert, RSS.

One table per store size. The corpus is bench/corpus.py's (real MetaTool tool
descriptions and requests, seeded); search is timed with held-out real requests.
Baseline for search: numpy brute force over the very same vectors (query embedding
included), measured in the same run. The hashing embedder is used unless
`--embeddings minilm` (embedding 5k texts with MiniLM takes ~40 s here).

    python bench/bench_store.py                             # 1k and 5k
    python bench/bench_store.py --sizes 100000 --dims 384   # 100k (minutes)
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autoskill_mcp import LocalSkillStore, skillmd  # noqa: E402
from autoskill_mcp.store import import_skill_dirs  # noqa: E402
from bench import corpus  # noqa: E402
from bench.report import Row, markdown, median, pct, ratio  # noqa: E402


def first_search_in_fresh_process(home: Path, embeddings: dict[str, object], query: str) -> tuple[float, float]:
    """(ms, MB): open + first search in a new interpreter, excluding interpreter start and
    imports, and the RSS that opening and indexing the store added."""
    code = (
        "import time, resource\n"
        "from autoskill_mcp import LocalSkillStore\n"
        "import autoskill_mcp.retrieval, numpy\n"
        "def rss(): return int(open('/proc/self/statm').read().split()[1]) * resource.getpagesize() / 2**20\n"
        "base = rss()\n"
        "t = time.perf_counter()\n"
        f"s = LocalSkillStore({str(home)!r}, embeddings={embeddings!r})\n"
        f"hits = s.search({query!r}, user_id='bench')\n"
        "ms = (time.perf_counter() - t) * 1000\n"
        "print(ms, rss() - base)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def bench_size(n: int, embeddings: dict[str, object], work: Path, repeats: int, probes: int = 5) -> list[Row]:
    rows: list[Row] = []
    src, home = work / f"src-{n}", work / f"home-{n}"
    corpus.write_folders(src, n)
    queries = corpus.queries()

    gc.collect()
    t = time.perf_counter()
    store = LocalSkillStore(home, embeddings=embeddings, background=True)
    report = import_skill_dirs(store, src, user_id="bench")
    import_s = time.perf_counter() - t
    assert len(report.imported) == n, report.skipped[:3]
    t = time.perf_counter()
    hits = store.search(queries[0], user_id="bench")
    first_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    for md in src.glob("*/SKILL.md"):
        skillmd.parse(md.read_bytes())
    parse_s = time.perf_counter() - t
    rows.append(Row("bulk import of skill folders", f"{import_s:.2f} s ({import_s / n * 1000:.2f} ms/skill)",
                    f"reading + parsing the same SKILL.md files {parse_s:.2f} s", ratio(import_s, parse_s),
                    "target <= 30 s at 5k (AutoSkill: O(N^2), ~1.1 s per upsert at 4.7k)"))
    rows.append(Row("first search right after import", f"{first_ms:.1f} ms", note=f"mode {hits[0].mode if hits else '-'}"
                    "; keyword answers while vectors fill in"))
    t = time.perf_counter()
    store.index.wait_until_ready(timeout=3600)
    rows.append(Row("vectors filled in behind", f"{time.perf_counter() - t:.2f} s more", note=str(embeddings)))
    store.close()

    fresh = [first_search_in_fresh_process(home, embeddings, queries[i + 1]) for i in range(probes)]
    open_ms = median([p[0] for p in fresh])
    rows.append(Row(f"open store + first search (fresh process, median of {probes})", f"{open_ms:.0f} ms",
                    f"re-reading every SKILL.md at start-up (AutoSkill's way) {parse_s * 1000:.0f} ms",
                    ratio(open_ms, parse_s * 1000), "target <= 300 ms at 5k (AutoSkill: 14-17 s)"))
    mb = median([p[1] for p in fresh])
    rows.append(Row("RSS added by opening + indexing the store", f"{mb:.0f} MB", "", "",
                    f"~{mb * 100_000 / n:,.0f} MB per 100k skills if linear"))

    store = LocalSkillStore(home, embeddings=embeddings)
    store.search("warm up", user_id="bench", wait=True)
    # Every timed query is new text, so no query-vector cache flatters the figure.
    timed = [f"{q} {r}" for r in range(repeats) for q in queries[:50]]
    lat: list[float] = []
    for q in timed:
        t = time.perf_counter()
        store.search(q, user_id="bench", top_k=5, wait=True)
        lat.append((time.perf_counter() - t) * 1000)
    index, embedder = store.index, store.index.embedder
    matrix = np.stack([index._vectors.get(doc_id) for doc_id in store._rows])  # noqa: SLF001
    base: list[float] = []
    for q in timed:
        t = time.perf_counter()
        qv = embedder.embed([q + " baseline"])[0]
        scores = matrix @ qv
        top = np.argpartition(-scores, 5)[:5]
        top[np.argsort(-scores[top])]
        base.append((time.perf_counter() - t) * 1000)
    again: list[float] = []
    for q in timed:  # the same queries again: their vectors are cached now
        t = time.perf_counter()
        store.search(q, user_id="bench", top_k=5, wait=True)
        again.append((time.perf_counter() - t) * 1000)
    p50, base50 = pct(lat, 50), pct(base, 50)
    rss_row = next(r for r in rows if r.measure.startswith("RSS"))
    raw_mb = matrix.nbytes / 2**20
    rss_row.baseline, rss_row.ratio = f"the raw float32 vector matrix {raw_mb:.1f} MB", ratio(mb, raw_mb)
    rows.append(Row("hybrid search p50 / p95, new query (embeds it first)", f"{p50:.2f} / {pct(lat, 95):.2f} ms",
                    f"numpy brute force (vector only) {base50:.2f} ms", ratio(p50, base50),
                    f"keyword + vector + fusion + filters; {embedder.signature}"))
    rows.append(Row("hybrid search p50 / p95, repeated query", f"{pct(again, 50):.2f} / {pct(again, 95):.2f} ms",
                    note="target p50 <= 3 ms at 5k, <= 15 ms at 100k"))

    rng = random.Random(1)
    up: list[float] = []
    plain: list[float] = []
    for i, skill_id in enumerate(list(store._rows)[:50]):  # noqa: SLF001
        skill = store.get(skill_id)
        skill.instructions += f"\n{i}. {rng.choice(corpus.WORDS)}"
        t = time.perf_counter()
        store.save(skill)
        up.append((time.perf_counter() - t) * 1000)
        text = skillmd.render(skill).encode()
        t = time.perf_counter()
        tmp = work / "plain.tmp"
        with open(tmp, "wb") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, work / "plain.md")
        plain.append((time.perf_counter() - t) * 1000)
    up50, plain50 = pct(up, 50), pct(plain, 50)
    rows.append(Row("upsert p50 / p95 (one skill, durable write + version)", f"{up50:.1f} / {pct(up, 95):.1f} ms",
                    f"plain atomic write of the same SKILL.md (fsync + rename) {plain50:.2f} ms", ratio(up50, plain50),
                    "adds catalog row, version history, index update; target <= 20 ms at 5k (AutoSkill ~1.1 s at 4.7k)"))
    store.close()
    return rows


def sections(quick: bool, sizes: list[int] | None = None, embeddings: str = "hashing",
             dims: int | None = None, repeats: int | None = None) -> list[tuple[str, list[Row]]]:
    """(title, rows) per size; quick: 1k and 5k with fewer repeats; full adds 100k at 384 dims."""
    plan = [(n, dims) for n in sizes] if sizes else \
        ([(1000, dims), (5000, dims)] if quick else [(1000, dims), (5000, dims), (100_000, dims or 384)])
    out = []
    with tempfile.TemporaryDirectory(prefix="autoskill-bench-") as tmp:
        for n, d in plan:
            emb: dict[str, object] = {"provider": embeddings}
            if d:
                emb["dims"] = d
            reps = repeats or (2 if quick or n >= 100_000 else 6)
            rows = bench_size(n, emb, Path(tmp), reps, probes=3 if quick or n >= 100_000 else 5)
            out.append((f"store: {n:,} skills, {embeddings}" + (f" {d}-d" if d else ""), rows))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--embeddings", default="hashing", choices=["hashing", "minilm"])
    parser.add_argument("--dims", type=int, help="hashing dimensions (384 = the default MiniLM's width)")
    parser.add_argument("--repeats", type=int, default=6, help="passes over 50 held-out queries")
    args = parser.parse_args()
    for title, rows in sections(False, [int(x) for x in args.sizes.split(",")], args.embeddings, args.dims,
                                args.repeats):
        print(markdown(title, rows) + "\n", flush=True)


if __name__ == "__main__":
    main()
