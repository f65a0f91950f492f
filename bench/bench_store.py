"""Store speed: import, open + first search, search p50/p95, upsert, memory.

Prints one table per store size, with numpy brute force over the very same
vectors as the baseline for search, and the ratio. Synthetic skill-like
folders (seeded) stand in for real ones; the hashing embedder is used unless
`--embeddings minilm` (embedding 5k texts with MiniLM takes ~40 s here).

    python bench/bench_store.py                 # 1k, 2.5k, 5k
    python bench/bench_store.py --sizes 100000  # memory and search at 100k (takes minutes)
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from autoskill_mcp import LocalSkillStore, Skill
from autoskill_mcp.store import import_skill_dirs

VERBS = "build test deploy review debug format lint migrate document refactor profile package release monitor " \
        "configure secure backup translate summarise validate".split()
NOUNS = "python rust docker kubernetes postgres sql api http cli git commit branch pull-request changelog logging " \
        "metrics tracing pytest fixture dockerfile terraform ansible react typescript css html markdown pdf csv " \
        "json yaml toml schema migration index cache queue worker cron webhook oauth jwt secret env shell bash".split()
WORDS = "always never prefer use avoid check run write read keep small clear fast safe explicit pinned " \
        "versions tests errors retries timeouts names paths flags options defaults users teams reviews".split()
QUERIES = [
    "how do I write a good commit message", "deploy the docker image to kubernetes", "debug a flaky pytest test",
    "add a column to a big postgres table", "rotate a leaked api key", "format python code before commit",
    "write release notes for a new version", "configure logging for a cli tool", "review a pull request",
    "speed up a slow sql query", "retry http requests with backoff", "validate a json schema",
]


def synthetic_skill(i: int, rng: random.Random) -> Skill:
    verb, noun, other = rng.choice(VERBS), rng.choice(NOUNS), rng.choice(NOUNS)
    words = " ".join(rng.choice(WORDS) for _ in range(12))
    return Skill(
        name=f"{verb}-{noun}-{i}",
        description=f"{verb.capitalize()}s {noun} and {other} projects: {words}. Use when asked to {verb} {noun}.",
        instructions="\n".join(f"{k + 1}. {rng.choice(WORDS)} {rng.choice(NOUNS)} {rng.choice(WORDS)}" for k in range(6)),
        tags=[noun, verb],
        user_id="bench",
    )


def write_folders(root: Path, n: int, seed: int = 0) -> None:
    from autoskill_mcp import skillmd

    rng = random.Random(seed)
    for i in range(n):
        skill = synthetic_skill(i, rng)
        folder = root / skill.name
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(skillmd.render(skill), encoding="utf-8")


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def first_search_in_fresh_process(home: Path, embeddings: dict[str, object]) -> tuple[float, float]:
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
        "hits = s.search('how do I write a good commit message', user_id='bench')\n"
        "ms = (time.perf_counter() - t) * 1000\n"
        "print(ms, rss() - base)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def bench_size(n: int, embeddings: dict[str, object], work: Path, repeats: int) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    src = work / f"src-{n}"
    home = work / f"home-{n}"
    write_folders(src, n)

    gc.collect()
    t = time.perf_counter()
    store = LocalSkillStore(home, embeddings=embeddings, background=True)
    report = import_skill_dirs(store, src, user_id="bench")
    import_s = time.perf_counter() - t
    assert len(report.imported) == n, report.skipped[:3]
    t = time.perf_counter()
    hits = store.search("write a commit message", user_id="bench")
    first_ms = (time.perf_counter() - t) * 1000
    rows.append(("import folders", f"{import_s:.2f} s ({import_s / n * 1000:.2f} ms/skill)", "target <= 30 s at 5k"))
    rows.append(("first search right after import", f"{first_ms:.1f} ms, mode {hits[0].mode}", "keyword usable at once"))
    t = time.perf_counter()
    store.index.wait_until_ready(timeout=3600)
    rows.append(("vectors filled in behind", f"{time.perf_counter() - t:.2f} s more", str(embeddings["provider"])))
    store.close()

    probes = [first_search_in_fresh_process(home, embeddings) for _ in range(5)]
    rows.append(("open store + first search (fresh process, median of 5)",
                 f"{statistics.median(p[0] for p in probes):.0f} ms", "target <= 300 ms at 5k"))
    mb = statistics.median(p[1] for p in probes)
    rows.append(("RSS added by opening + indexing the store", f"{mb:.0f} MB",
                 f"~{mb * 100_000 / n:,.0f} MB per 100k skills (scaled linearly)"))

    store = LocalSkillStore(home, embeddings=embeddings)
    store.search("warm up", user_id="bench", wait=True)
    # Every timed query is new text, so no query-vector cache flatters the figure.
    timed = [f"{q} {WORDS[r % len(WORDS)]} {r}" for r in range(repeats) for q in QUERIES]
    lat: list[float] = []
    for q in timed:
        t = time.perf_counter()
        store.search(q, user_id="bench", top_k=5, wait=True)
        lat.append((time.perf_counter() - t) * 1000)
    index = store.index
    embedder = index.embedder
    # Baseline: numpy brute force over the same vectors, query embedding included as in search.
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
    rows.append(("search p50 / p95, repeated query (vector cached)", f"{pct(again, 50):.2f} / {pct(again, 95):.2f} ms",
                 "target p50 <= 3 ms at 5k, <= 15 ms at 100k"))
    rows.append(("search p50 / p95, new query (embeds it first)", f"{p50:.2f} / {pct(lat, 95):.2f} ms",
                 f"query embedding: {embedder.signature}"))
    rows.append(("numpy brute force, same vectors + query embedding, p50", f"{base50:.2f} ms",
                 f"search / brute force = {p50 / base50:.1f}x"))

    rng = random.Random(1)
    up: list[float] = []
    victims = list(store._rows)[:50]  # noqa: SLF001
    for i, skill_id in enumerate(victims):
        skill = store.get(skill_id)
        skill.instructions += f"\n{i}. {rng.choice(WORDS)}"
        t = time.perf_counter()
        store.save(skill)
        up.append((time.perf_counter() - t) * 1000)
    rows.append(("upsert p50 / p95 (one skill, durable write + version)", f"{pct(up, 50):.1f} / {pct(up, 95):.1f} ms",
                 "target <= 20 ms at 5k"))
    store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,2500,5000")
    parser.add_argument("--embeddings", default="hashing", choices=["hashing", "minilm"])
    parser.add_argument("--dims", type=int, help="hashing dimensions (384 = the default MiniLM's, for 100k runs "
                                                 "where embedding with MiniLM would take most of an hour)")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="autoskill-bench-") as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            embeddings: dict[str, object] = {"provider": args.embeddings}
            if args.dims:
                embeddings["dims"] = args.dims
            rows = bench_size(n, embeddings, Path(tmp), args.repeats)
            print(f"\n## {n:,} skills, embeddings={args.embeddings}" + (f" ({args.dims}-d)" if args.dims else ""))
            print(f"| {'measure':<52} | {'value':<34} | note |")
            print(f"|{'-' * 54}|{'-' * 36}|------|")
            for name, value, note in rows:
                print(f"| {name:<52} | {value:<34} | {note} |")


if __name__ == "__main__":
    main()
