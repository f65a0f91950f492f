"""RowTable: a store's in-memory view of the catalog's live skills, by id.

Opening a 100k-skill store used to make one CatalogRow per skill before the first
search (~0.3 s even from a snapshot, plus the objects' memory). Rows restored from
a rows snapshot (snapshots.py) stay as its column lists until one is asked for;
what an open needs over every skill (content hashes, visibility, folders and file
stamps) is read straight from the columns (`project`). A row asked for, or written
by `refresh`, becomes a CatalogRow held here from then on, so changes made to it
in place stick.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping, Sequence
from typing import Any

from .catalog import CatalogRow

__all__ = ["RowTable", "SNAPSHOT_FIELDS"]

#: the CatalogRow fields a rows snapshot holds, in order (index_text and tokens stay in the catalog)
SNAPSHOT_FIELDS = ("id", "owner", "scope", "name", "folder", "version", "status", "description", "tags",
                   "text_hash", "content_hash", "mtime_ns", "size", "created_at", "updated_at", "seq")
_COLUMN = {name: i for i, name in enumerate(SNAPSHOT_FIELDS)}


class RowTable(MutableMapping[str, CatalogRow]):
    """CatalogRows by skill id, made on first use from snapshot columns. Not thread-safe (the store locks)."""

    def __init__(self, columns: Sequence[Sequence[Any]] | None = None) -> None:
        self._cols: Sequence[Sequence[Any]] = columns or [[] for _ in SNAPSHOT_FIELDS]
        if len(self._cols) != len(SNAPSHOT_FIELDS) or len({len(c) for c in self._cols}) > 1:
            raise ValueError("rows need one column per field, all of one length")
        self._pos: dict[str, int] = dict(zip(self._cols[0], range(len(self._cols[0])), strict=True))
        if len(self._pos) != len(self._cols[0]):
            raise ValueError("an id appears twice")
        self._made: dict[str, CatalogRow] = {}
        self._gone: set[str] = set()  # ids of the columns that were removed since
        self._extra = 0  # made rows whose id is not in the columns

    def __getitem__(self, skill_id: str) -> CatalogRow:
        row = self._made.get(skill_id)
        if row is not None:
            return row
        if skill_id in self._gone:
            raise KeyError(skill_id)
        i = self._pos[skill_id]
        c = self._cols
        row = CatalogRow(c[0][i], c[1][i], c[2][i], c[3][i], c[4][i], c[5][i], c[6][i], c[7][i], c[8][i], "",
                         c[9][i], c[10][i], c[11][i], c[12][i], c[13][i], c[14][i], c[15][i], False, "")
        self._made[skill_id] = row
        return row

    def __setitem__(self, skill_id: str, row: CatalogRow) -> None:
        if skill_id not in self._pos and skill_id not in self._made:
            self._extra += 1
        self._made[skill_id] = row
        self._gone.discard(skill_id)

    def __delitem__(self, skill_id: str) -> None:
        if skill_id not in self:
            raise KeyError(skill_id)
        self._made.pop(skill_id, None)
        if skill_id in self._pos:
            self._gone.add(skill_id)
        else:
            self._extra -= 1

    def __contains__(self, skill_id: object) -> bool:
        return skill_id in self._made or (skill_id in self._pos and skill_id not in self._gone)

    def __iter__(self) -> Iterator[str]:
        gone = self._gone
        for skill_id in self._cols[0]:
            if skill_id not in gone:
                yield skill_id
        for skill_id in list(self._made):
            if skill_id not in self._pos:
                yield skill_id

    def __len__(self) -> int:
        return len(self._pos) - len(self._gone) + self._extra

    def made(self) -> Iterator[CatalogRow]:
        """The rows that exist as objects (written since the open, or asked for)."""
        return iter(list(self._made.values()))

    def project(self, *fields: str) -> Iterator[tuple[Any, ...]]:
        """(id, *values of `fields`) for every live row, without making rows of the columns."""
        made, gone = self._made, self._gone
        cols = [self._cols[_COLUMN[f]] for f in fields]
        for skill_id, *values in zip(self._cols[0], *cols, strict=True):
            if skill_id in made or skill_id in gone:
                continue
            yield (skill_id, *values)
        for skill_id, row in list(made.items()):
            yield (skill_id, *(getattr(row, f) for f in fields))

    def distinct(self, *fields: str) -> set[tuple[Any, ...]]:
        """Every combination of these fields' values among the rows (C speed over the columns; it
        may include rows removed since the snapshot, so a test over it errs on the cautious side)."""
        cols = [self._cols[_COLUMN[f]] for f in fields]
        found = set(zip(*cols, strict=True))
        found.update(tuple(getattr(row, f) for f in fields) for row in self._made.values())
        return found

    def mapping(self, field: str) -> dict[str, Any]:
        """id -> that field's value for every live row (C speed when few rows were made)."""
        out = dict(zip(self._cols[0], self._cols[_COLUMN[field]], strict=True))
        for skill_id in self._gone:
            out.pop(skill_id, None)
        out.update((skill_id, getattr(row, field)) for skill_id, row in self._made.items())
        return out

    def columns(self) -> list[list[Any]]:
        """Every live row as snapshot columns (for snapshots.write_rows)."""
        return [list(column) for column in zip(*self.project(*SNAPSHOT_FIELDS[1:]), strict=True)] or \
            [[] for _ in SNAPSHOT_FIELDS]
