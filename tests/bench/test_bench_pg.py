"""The team-store bench measures the team store with its vectors in memory and through HNSW beside
the local store (a small corpus: the figures themselves are the bench's business, not a test's)."""

from __future__ import annotations

from pathlib import Path

from bench import bench_pg
from bench.pg_server import PgServer


def test_each_figure_has_the_local_store_beside_it(pg_server: PgServer, tmp_path: Path) -> None:
    rows = bench_pg.bench_size(60, {"provider": "hashing"}, pg_server, tmp_path, repeats=1)
    measured = [r.measure for r in rows]
    assert measured == [
        "search p50 ms (postgres, memory)", "search p95 ms (postgres, memory)",
        "search p50 ms (postgres, HNSW)", "search p95 ms (postgres, HNSW)",
        "upsert p50 ms (postgres, memory)", "upsert p50 ms (postgres, HNSW)",
        "open + first search s (postgres, memory)", "open + first search s (postgres, memory, loaded first)",
        "open + first search s (postgres, HNSW)", "load s (postgres)", "HNSW recall@10 / @100"]
    for row in rows[:-1]:
        assert float(row.value) > 0 and row.baseline.endswith(" local") and row.ratio.endswith("x")
    at_10, at_100 = (float(x) for x in rows[-1].value.split(" / "))
    assert 0.9 <= at_10 <= 1.0 and 0.0 < at_100 <= 1.0  # 60 skills: the HNSW scan finds the exact nearest 10
