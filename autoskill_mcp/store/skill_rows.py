"""A skill and its catalog row: the row a write records, and the catalog's fields put back on a skill.

The catalog, not the SKILL.md, is authoritative for a skill's id, version, scope, owner and dates.
A row also carries the skill's index text and its tokens (tagged with the tokenizer version), saved
once so that building the index does not tokenize every skill again; once indexed, a row in memory
drops them (the index and the catalog still hold them).
"""

from __future__ import annotations

import os

from ..retrieval.tokenizer import TOKENIZER_VERSION, tokenize
from ..skill import Scope, Skill
from .catalog import CatalogRow, sha256_hex


def drop_texts(row: CatalogRow) -> None:
    """Once indexed, a row's text and tokens live in the index; keeping them twice costs
    kilobytes per skill (the catalog still has them)."""
    row.index_text = ""
    row.tokens = ""


def saved_tokens(row: CatalogRow) -> list[str] | None:
    """The row's token list if this tokenizer version wrote it, else None (re-tokenize)."""
    return tokens_from(row.tokens)


def tokens_from(saved: str) -> list[str] | None:
    """A saved token list (see `index_fields`) if this tokenizer version wrote it, else None."""
    version, sep, joined = saved.partition("|")
    if not sep or version != str(TOKENIZER_VERSION):
        return None
    return joined.split(" ") if joined else []


def index_fields(skill: Skill) -> tuple[str, str, str]:
    """What every store indexes a skill by: its index text, that text's hash (vectors are keyed
    by it) and its tokens saved with the tokenizer version ("" when a token holds a space)."""
    text = skill.index_text()
    tokens = tokenize(text)
    saved = f"{TOKENIZER_VERSION}|{' '.join(tokens)}" if not any(" " in t for t in tokens) else ""
    return text, sha256_hex(text.encode("utf-8"))[:32], saved


def row_for(
    skill: Skill, skill_id: str, scope: str, owner: str, key: str, content_hash: str, st: os.stat_result,
    created: str, updated: str, seq: int,
) -> CatalogRow:
    text, text_hash, saved = index_fields(skill)
    return CatalogRow(
        id=skill_id, owner=owner, scope=scope, name=skill.name, folder=key, version=skill.version,
        status=skill.status.value, description=skill.description, tags=list(skill.tags), index_text=text,
        text_hash=text_hash, content_hash=content_hash, mtime_ns=st.st_mtime_ns,
        size=st.st_size, created_at=created, updated_at=updated, seq=seq, tokens=saved,
    )


def with_catalog_fields(skill: Skill, row: CatalogRow) -> Skill:
    skill.id = row.id
    skill.version = row.version
    skill.scope = Scope(row.scope)
    skill.user_id = row.owner if row.scope == "user" else ("" if row.scope == "shared" else row.owner)
    skill.created_at = row.created_at
    skill.updated_at = row.updated_at
    return skill
