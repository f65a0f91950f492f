"""RowTable: rows kept as snapshot columns behave as a dict of CatalogRows."""

from __future__ import annotations

import pytest

from autoskill_mcp.store.catalog import CatalogRow
from autoskill_mcp.store.rows import SNAPSHOT_FIELDS, RowTable


def _row(i: int) -> CatalogRow:
    return CatalogRow(f"id{i}", "alice", "user", f"skill-{i}", f"Users/alice/skill-{i}", "0.1.0", "active",
                      f"Does {i}.", ["t"], "", f"h{i}", f"c{i}", 1000 + i, 10 + i, "2026", "2026", i)


def test_columns_round_trip_and_dict_behaviour() -> None:
    table = RowTable()
    for i in range(5):
        table[f"id{i}"] = _row(i)
    cols = table.columns()
    assert len(cols) == len(SNAPSHOT_FIELDS) and cols[0] == [f"id{i}" for i in range(5)]
    lazy = RowTable(cols)
    assert len(lazy) == 5 and "id3" in lazy and list(lazy) == [f"id{i}" for i in range(5)]
    assert {k: (h, m) for k, h, m in lazy.project("text_hash", "mtime_ns")} == {
        f"id{i}": (f"h{i}", 1000 + i) for i in range(5)}
    assert list(lazy.made()) == []  # nothing made yet
    row = lazy["id2"]
    assert row == _row(2) and lazy["id2"] is row  # made once, then held (in-place changes stick)
    row.size = 99
    assert dict(lazy.project("size"))["id2"] == 99
    del lazy["id1"]
    assert "id1" not in lazy and len(lazy) == 4 and lazy.get("id1") is None
    with pytest.raises(KeyError):
        del lazy["id1"]
    lazy["id9"] = _row(9)
    lazy["id1"] = _row(1)  # back again
    assert len(lazy) == 6 and sorted(lazy) == sorted(["id0", "id1", "id2", "id3", "id4", "id9"])
    assert sorted(k for k, *_ in lazy.project("folder")) == sorted(lazy)
    assert RowTable(lazy.columns())["id9"] == _row(9)
    with pytest.raises(ValueError):
        RowTable([["a", "a"]] + [[1, 2]] * (len(SNAPSHOT_FIELDS) - 1))
