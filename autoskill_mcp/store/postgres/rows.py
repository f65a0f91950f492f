"""A skills row as the rest of the store knows it (retrieval's `CatalogRow`), and the skill it holds."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from ... import skillmd
from ...skill import Skill
from ..catalog import CatalogRow
from ..skill_rows import with_catalog_fields

#: the columns of `SELECT {ROW} FROM skills` that `from_db` reads, in order
ROW = ("id, owner, scope, name, version, status, description, tags, text_hash, content_hash, "
       "created_at, updated_at, seq, deleted")
#: plus what the search index needs
INDEXED = ROW + ", index_text, tokens"

PARSED_CACHE_SIZE = 4096


def from_db(r: tuple[Any, ...]) -> CatalogRow:
    """A `CatalogRow` from a `ROW` (or `INDEXED`) tuple; there is no folder, so no path or stat."""
    return CatalogRow(
        id=r[0], owner=r[1], scope=r[2], name=r[3], folder="", version=r[4], status=r[5], description=r[6],
        tags=list(r[7] or ()), index_text=r[14] if len(r) > 14 else "", text_hash=r[8], content_hash=r[9],
        mtime_ns=0, size=0, created_at=r[10], updated_at=r[11], seq=int(r[12]), deleted=bool(r[13]),
        tokens=r[15] if len(r) > 15 else "",
    )


def parse_skill(row: CatalogRow, skill_md: bytes) -> Skill:
    """The skill a row's SKILL.md holds, with the catalog's id, version, scope, owner and dates."""
    skill = skillmd.to_skill(skillmd.parse(skill_md), dir_name=row.name).skill
    if skill is None:  # kept verbatim and not parseable as ours: what the row knows
        skill = Skill(name=row.name, description=row.description, tags=list(row.tags))
    return with_catalog_fields(skill, row)


class ParsedCache:
    """Parsed skills by (id, change number): search returns the same few skills again and again."""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, int], Skill] = OrderedDict()

    def get(self, key: tuple[str, int]) -> Skill | None:
        hit = self._items.get(key)
        if hit is None:
            return None
        self._items.move_to_end(key)
        return hit.copy()

    def put(self, key: tuple[str, int], skill: Skill) -> None:
        self._items[key] = skill.copy()
        if len(self._items) > PARSED_CACHE_SIZE:
            self._items.popitem(last=False)
