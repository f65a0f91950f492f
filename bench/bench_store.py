"""Store speed and memory: import (vectors included), open + first search, search p50/p95, upsert, RSS.

One table per store size and embedder: the default MiniLM and the hashing fallback. The
corpus is bench/corpus.py's (real MetaTool tool descriptions and requests, seeded), written
once per size into a cache folder and reused (`AUTOSKILL_BENCH_CACHE`, default
~/.cache/autoskill-bench); search is timed with held-out real requests. Baselines, measured
in the same run: parsing the same SKILL.md files; numpy brute force over the very same
vectors (query embedding included) for search; the previous MiniLM settings for embedding
throughput.

    python bench/bench_store.py                                    # 1k and 5k, hashing and minilm
    python bench/bench_store.py --sizes 100000 --embeddings minilm # 100k (a long time: every skill is embedded)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autoskill_mcp import LocalSkillStore, skillmd  # noqa: E402
from autoskill_mcp.retrieval import coarse  # noqa: E402
from autoskill_mcp.store import import_skill_dirs  # noqa: E402
from bench import corpus  # noqa: E402
from bench.report import Row, markdown, median, pct, ratio  # noqa: E402

CORPUS_VERSION = 1


#: from this size on, the imported store (vectors included) is built once, its import timed then,
#: and copied for every later run: embedding 100k skills with MiniLM takes the better part of an hour
CACHED_IMPORT_FROM = 100_000


def cache_root() -> Path:
    return Path(os.environ.get("AUTOSKILL_BENCH_CACHE", Path.home() / ".cache" / "autoskill-bench"))


def cached_folders(n: int) -> Path:
    """The n-skill corpus as folders, written once and reused by later runs (100k takes minutes)."""
    src = cache_root() / f"corpus-{n}-v{CORPUS_VERSION}"
    if not (src / ".complete").exists():
        shutil.rmtree(src, ignore_errors=True)
        corpus.write_folders(src, n)
        (src / ".complete").write_text("")
    return src


def first_search_in_fresh_process(home: Path, embeddings: dict[str, object],
                                  query: str) -> tuple[float, float, float, str]:
    """(ms, store MB, model MB, mode): open + first search in a new interpreter, as `autoskill
    search` does it (the embedding model loaded for the query, no waiting for missing vectors),
    excluding interpreter start and imports; the RSS that opening and indexing the store added
    (catalog, keywords, vectors), measured in a second run without the search, and that of the
    embedding model."""
    code = (
        "import time, resource\n"
        "from autoskill_mcp import LocalSkillStore\n"
        "import autoskill_mcp.retrieval, numpy\n"
        "def rss(): return int(open('/proc/self/statm').read().split()[1]) * resource.getpagesize() / 2**20\n"
        "base = rss()\n"
        "t = time.perf_counter()\n"
        f"s = LocalSkillStore({str(home)!r}, embeddings={embeddings!r})\n"
        f"hits = s.search({query!r}, user_id='bench', load_model=True)\n"
        "ms = (time.perf_counter() - t) * 1000\n"
        "print(ms, rss() - base, hits[0].mode if hits else '-')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    index_only = code.replace(f"hits = s.search({query!r}, user_id='bench', load_model=True)", "s.index; hits = []")
    store_mb = float(subprocess.run([sys.executable, "-c", index_only], capture_output=True, text=True,
                                    check=True).stdout.split()[1])
    return float(out[0]), store_mb, float(out[1]) - store_mb, out[2]


def model_load_in_fresh_process(embeddings: dict[str, object]) -> float | None:
    """ms to import and load the embedding model alone in a new interpreter (None: nothing to load),
    the part of a fresh process's first hybrid search that no store change can remove."""
    code = (
        "import time\n"
        "import numpy\n"
        "from autoskill_mcp.retrieval import make_embedder\n"
        f"e = make_embedder({embeddings!r})\n"
        "t = time.perf_counter()\n"
        "e.load() if not e.cheap else None\n"
        "print((time.perf_counter() - t) * 1000 if not e.cheap else -1)\n"
    )
    ms = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    return None if ms < 0 else ms


def upgrade_in_fresh_process(home: Path, embeddings: dict[str, object]) -> float | None:
    """ms to open, index and close a store whose vector snapshot is in the previous (float32) format,
    which rewrites it in the current one; None when it is current already (nothing to upgrade)."""
    from autoskill_mcp.store import snapshots

    with snapshots.vectors_path(home).open("rb") as f:
        if not f.readline(200).startswith(b"autoskill-vectors-1 "):
            return None
    code = (
        "import time\n"
        "from autoskill_mcp import LocalSkillStore\n"
        "t = time.perf_counter()\n"
        f"s = LocalSkillStore({str(home)!r}, embeddings={embeddings!r})\n"
        "s.index\n"
        "s.close()\n"
        "print((time.perf_counter() - t) * 1000)\n"
    )
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def recall_at_10(index: Any, qvecs: list[np.ndarray]) -> float:
    """Mean share of the exact scan's top 10 vector rows that the approximate stage returns too."""
    vectors = index._vectors  # noqa: SLF001
    found = []
    for qv in qvecs:
        exact = {d for d, _ in vectors.search(qv, 10)}
        approx = {d for d, _ in vectors.search(qv, 10, approximate=True)}
        found.append(len(exact & approx) / max(1, len(exact)))
    return float(np.mean(found))


def brute_force(rows: int) -> Any:
    """numpy's fastest exact product here: einsum's own loop below 32k rows (waking BLAS threads on
    a busy 2-core box costs milliseconds), BLAS above; the same choice the vector index makes."""
    if rows < 32768:
        return lambda m, q: np.einsum("ij,j->i", m, q)
    return lambda m, q: m @ q


def embedding_rows(n: int) -> list[Row]:
    """MiniLM throughput on corpus skills: today's settings beside the previous ones, same run."""
    from autoskill_mcp.retrieval.minilm import MiniLMEmbedder

    texts = [s.index_text() for s in corpus.skills(n, seed=7)]
    now, before = MiniLMEmbedder(), MiniLMEmbedder(max_length=256, batch_size=4)
    now.load()
    before.load()
    rates = {}
    for name, emb in (("now", now), ("before", before), ("now2", now)):
        t = time.perf_counter()
        emb.embed(texts)
        rates[name] = n / (time.perf_counter() - t)
    rate = max(rates["now"], rates["now2"])
    return [Row("MiniLM embedding throughput (skills/s)", f"{rate:.0f}/s",
                f"previous settings (256 tokens, batches of 4) {rates['before']:.0f}/s", ratio(rate, rates["before"]),
                f"{n} corpus skills; 128 tokens, batches of 16, 2 threads without spinning")]


def imported_store(n: int, embeddings: dict[str, object], src: Path, home: Path) -> dict[str, Any]:
    """Import the corpus into `home` and embed it, as `autoskill import` does; the timings."""
    queries = corpus.queries()
    gc.collect()
    t = time.perf_counter()
    store = LocalSkillStore(home, embeddings=embeddings, background=True)
    report = import_skill_dirs(store, src, user_id="bench")
    imported_s = time.perf_counter() - t
    assert len(report.imported) == n, report.skipped[:3]
    t = time.perf_counter()
    hits = store.search(queries[0], user_id="bench")
    first_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    store.embed_missing()  # what `autoskill import` does next (vectors included in its time)
    store.index.wait_until_ready(timeout=24 * 3600)
    vectors_s = time.perf_counter() - t
    store.close()
    t = time.perf_counter()
    for md in src.glob("*/SKILL.md"):
        skillmd.parse(md.read_bytes())
    parse_s = time.perf_counter() - t
    return {"imported_s": imported_s, "vectors_s": vectors_s, "parse_s": parse_s, "first_ms": first_ms,
            "first_mode": hits[0].mode if hits else "-", "first_note": hits[0].note if hits else None,
            "built": time.strftime("%Y-%m-%d %H:%M")}


def import_once(n: int, embeddings: dict[str, object], src: Path, home: Path) -> tuple[dict[str, Any], str]:
    """The import timings, measured now, or (from CACHED_IMPORT_FROM skills) when the cached
    store was built; `home` then gets a copy of that store. Returns (timings, where from)."""
    if n < CACHED_IMPORT_FROM:
        return imported_store(n, embeddings, src, home), "this run"
    key = "-".join(f"{k}{v}" for k, v in sorted(embeddings.items()))
    cached = cache_root() / f"store-{n}-{key}-v{CORPUS_VERSION}"
    if not (cached / "import.json").exists():
        shutil.rmtree(cached, ignore_errors=True)
        timings = imported_store(n, embeddings, src, cached / "home")
        (cached / "import.json").write_text(json.dumps(timings))
        where = "this run (cached for the next)"
    else:
        timings = json.loads((cached / "import.json").read_text())
        where = f"when the cached store was built, {timings['built']}"
    shutil.copytree(cached / "home", home, symlinks=True)
    return timings, where


def bench_size(n: int, embeddings: dict[str, object], work: Path, repeats: int, probes: int = 5) -> list[Row]:
    rows: list[Row] = []
    src, home = cached_folders(n), work / f"home-{n}-{embeddings['provider']}"
    queries = corpus.queries()
    timings, where = import_once(n, embeddings, src, home)
    imported_s, vectors_s, parse_s = timings["imported_s"], timings["vectors_s"], timings["parse_s"]
    import_s = imported_s + vectors_s
    rows.append(Row("import of skill folders, vectors included",
                    f"{import_s:.1f} s ({imported_s:.1f} s folders + {vectors_s:.1f} s vectors)",
                    f"reading + parsing the same SKILL.md files {parse_s:.2f} s", ratio(import_s, parse_s),
                    f"measured {where}; {n / max(vectors_s, 1e-9):,.0f} skills embedded/s"))
    rows.append(Row("first search in the importing process, before its vectors", f"{timings['first_ms']:.1f} ms",
                    note=f"mode {timings['first_mode']}"
                    f"{'; ' + timings['first_note'] if timings['first_note'] else ''}: never waits for the embedder"))

    upgrade = upgrade_in_fresh_process(home, embeddings)
    if upgrade is not None:
        rows.append(Row("first open of a store saved in the previous format (float32 vectors), then close",
                        f"{upgrade:.0f} ms", "", "",
                        "once: reads float32 rows, saves int8 rows + the coarse partition (above "
                        f"{coarse.APPROX_MIN_ROWS:,} vectors)"))
    fresh = [first_search_in_fresh_process(home, embeddings, queries[i + 1]) for i in range(probes + 1)]
    rows.append(Row("open store + first search, fresh process right after import", f"{fresh[0][0]:.0f} ms",
                    f"re-reading every SKILL.md at start-up (AutoSkill's way) {parse_s * 1000:.0f} ms",
                    ratio(fresh[0][0], parse_s * 1000),
                    f"mode {fresh[0][3]}; target <= 300 ms at 5k, <= 1 s at 100k (was 62-408 s with MiniLM)"))
    open_ms = median([p[0] for p in fresh[1:]])
    model_ms = model_load_in_fresh_process(embeddings)
    rows.append(Row(f"open store + first search, fresh process (median of {probes} more)", f"{open_ms:.0f} ms",
                    f"re-reading every SKILL.md {parse_s * 1000:.0f} ms", ratio(open_ms, parse_s * 1000),
                    f"mode {fresh[1][3]}; embedding model loaded for the query"
                    + ("" if model_ms is None else
                       f"; importing + loading the model alone, fresh process: {model_ms:.0f} ms")))
    mb = median([p[1] for p in fresh])
    model_mb = median([p[2] for p in fresh])
    rows.append(Row("RSS added by the open store (catalog, keyword index, vectors)", f"{mb:.0f} MB", "", "",
                    f"target <= 300 MB at 100k; the embedding model adds {model_mb:.0f} MB more"))

    store = LocalSkillStore(home, embeddings=embeddings)
    store.search("warm up", user_id="bench", wait=True)
    store.wait_for_rescan()  # steady state: a large store's open rescans its folders on a thread
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
    product = brute_force(len(matrix))
    for q in timed:
        t = time.perf_counter()
        qv = embedder.embed_query(q + " baseline")
        scores = product(matrix, qv)
        top = np.argpartition(-scores, 5)[:5]
        top[np.argsort(-scores[top])]
        base.append((time.perf_counter() - t) * 1000)
    again: list[float] = []
    for q in timed:  # the same queries again: their vectors are cached now
        t = time.perf_counter()
        store.search(q, user_id="bench", top_k=5, wait=True)
        again.append((time.perf_counter() - t) * 1000)
    floor_again: list[float] = []
    for _ in timed[:200]:  # the floor of a repeated query: no embedding, the product alone
        t = time.perf_counter()
        scores = product(matrix, qv)
        top = np.argpartition(-scores, 5)[:5]
        top[np.argsort(-scores[top])]
        floor_again.append((time.perf_counter() - t) * 1000)
    vectors = index._vectors  # noqa: SLF001
    exact_lat: list[float] = []
    if vectors.partitioned:  # the same searches with the approximate stage off: what it saves
        approx_top = [[h.doc_id for h in index.search(q, 5)] for q in timed]
        saved_min, coarse.APPROX_MIN_ROWS = coarse.APPROX_MIN_ROWS, len(vectors) + 1
        try:
            for q in timed:
                t = time.perf_counter()
                store.search(q + " exact", user_id="bench", top_k=5, wait=True)
                exact_lat.append((time.perf_counter() - t) * 1000)
            exact_top = [[h.doc_id for h in index.search(q, 5)] for q in timed]
        finally:
            coarse.APPROX_MIN_ROWS = saved_min
        same = np.mean([len(set(a) & set(e)) / max(1, len(e)) for a, e in zip(approx_top, exact_top, strict=True)])
        qvecs = [embedder.embed_query(q) for q in timed]
        lists = vectors._centroids.shape[0]  # noqa: SLF001
        rows.append(Row("approximate vector stage recall@10 vs the exact scan", f"{recall_at_10(index, qvecs):.3f}",
                        "exact scan 1.000", "",
                        f"{len(qvecs)} held-out queries; {coarse.probe_count(lists)} of {lists} coarse lists probed; "
                        "keyword candidates always get their exact cosine"))
        rows.append(Row("hybrid top 5 with the approximate stage, share also in the exact top 5", f"{same:.3f}",
                        "exact scan 1.000", "", "what a user sees: keyword + vector fused, same queries"))
    p50, base50 = pct(lat, 50), pct(base, 50)
    rss_row = next(r for r in rows if r.measure.startswith("RSS"))
    raw_mb = matrix.nbytes / 2**20
    rss_row.baseline, rss_row.ratio = f"the raw float32 vector matrix {raw_mb:.1f} MB", ratio(mb, raw_mb)
    rss_row.note += f"; vectors held as int8 rows: {raw_mb / 4:.1f} MB"
    rows.append(Row("hybrid search p50 / p95, new query (embeds it first)", f"{p50:.2f} / {pct(lat, 95):.2f} ms",
                    f"numpy floor: embed the query + brute force {base50:.2f} / {pct(base, 95):.2f} ms",
                    ratio(p50, base50), f"keyword + vector + fusion + filters; {embedder.signature}"))
    if exact_lat:
        rows.append(Row("hybrid search p50 / p95, new query, approximate stage off (exact int8 scan)",
                        f"{pct(exact_lat, 50):.2f} / {pct(exact_lat, 95):.2f} ms",
                        f"numpy floor {base50:.2f} ms", ratio(pct(exact_lat, 50), base50),
                        "the same searches scanning every vector"))
    again50, floor50 = pct(again, 50), pct(floor_again, 50)
    rows.append(Row("hybrid search p50 / p95, repeated query", f"{again50:.2f} / {pct(again, 95):.2f} ms",
                    f"numpy floor: brute force alone {floor50:.2f} ms", ratio(again50, floor50),
                    "target p50 <= 3 ms at 5k, <= 10 ms at 100k"))

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
                    "adds catalog row, version history, index update; "
                    "target <= 20 ms at 5k (AutoSkill ~1.1 s at 4.7k)"))
    store.close()
    shutil.rmtree(home, ignore_errors=True)
    return rows


def sections(quick: bool, sizes: list[int] | None = None, embeddings: str | None = None,
             dims: int | None = None, repeats: int | None = None) -> list[tuple[str, list[Row]]]:
    """(title, rows) per size and embedder.

    quick: 1k and 5k with hashing, 1k with MiniLM, fewer repeats; full: 5k and 100k with the
    default MiniLM as well as 1k / 5k / 100k with hashing (384 dims at 100k, MiniLM's width).
    """
    if sizes:
        plan = [(n, e, dims) for e in ([embeddings] if embeddings else ["minilm", "hashing"]) for n in sizes]
    elif quick:
        plan = [(1000, "hashing", dims), (5000, "hashing", dims), (1000, "minilm", None)]
    else:
        plan = [(1000, "hashing", dims), (5000, "hashing", dims), (100_000, "hashing", dims or 384),
                (5000, "minilm", None), (100_000, "minilm", None)]
    out = []
    if any(e == "minilm" for _, e, _ in plan):
        out.append(("embedding throughput, MiniLM int8", embedding_rows(128 if quick else 512)))
    with tempfile.TemporaryDirectory(prefix="autoskill-bench-") as tmp:
        for n, e, d in plan:
            emb: dict[str, object] = {"provider": e}
            if d and e == "hashing":
                emb["dims"] = d
            reps = repeats or (2 if quick or n >= 100_000 else 6)
            rows = bench_size(n, emb, Path(tmp), reps, probes=2 if quick or n >= 100_000 else 5)
            label = "minilm (default)" if e == "minilm" else e + (f" {d}-d" if d else "")
            out.append((f"store: {n:,} skills, {label}", rows))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--embeddings", choices=["hashing", "minilm"], help="default: both")
    parser.add_argument("--dims", type=int, help="hashing dimensions (384 = the default MiniLM's width)")
    parser.add_argument("--repeats", type=int, default=6, help="passes over 50 held-out queries")
    args = parser.parse_args()
    for title, rows in sections(False, [int(x) for x in args.sizes.split(",")], args.embeddings, args.dims,
                                args.repeats):
        print(markdown(title, rows) + "\n", flush=True)


if __name__ == "__main__":
    main()
