"""The team-store bench measures both stores side by side (a small corpus: the figures themselves
are the bench's business, not a test's)."""

from __future__ import annotations

from pathlib import Path

from bench import bench_pg
from bench.pg_server import PgServer


def test_each_figure_has_the_local_store_beside_it(pg_server: PgServer, tmp_path: Path) -> None:
    rows = bench_pg.bench_size(60, {"provider": "hashing"}, pg_server, tmp_path, repeats=1)
    assert [r.measure for r in rows] == ["search p50 ms (postgres)", "search p95 ms (postgres)",
                                         "upsert p50 ms (postgres)", "open + first search s (postgres)",
                                         "load s (postgres)"]
    for row in rows:
        assert float(row.value) > 0 and row.baseline.endswith(" local") and row.ratio.endswith("x")
