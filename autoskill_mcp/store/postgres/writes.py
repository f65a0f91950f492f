"""Writing to the team store: save (one, many, verbatim), delete and rollback.

Each batch is checked, redacted and size-checked by the same `prepare_batch` as the local store,
then written in one transaction that takes the next change number (ordering writers, see
schema.py), records the skill row, its files, a history entry per changed skill, and NOTIFYs
every listener. A refused or interrupted batch writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ... import skillmd
from ...errors import ConflictError, InvalidInputError, NotFoundError, ReadOnlyError
from ...skill import Scope, Skill, bump_version, now_iso, parse_version
from ...skillmd.lookalike import skeleton
from ..catalog import CatalogRow, sha256_hex
from ..layout import MAX_SKILL_MD_BYTES
from ..skill_rows import index_fields, with_catalog_fields
from ..writes import prepare_batch
from .rows import ROW, from_db
from .schema import CHANNEL

if TYPE_CHECKING:
    from .store import PostgresSkillStore

#: skills per transaction in bulk writes (save_many, save_verbatim, store copy)
BATCH = 200


def save_batch(
    store: PostgresSkillStore, skills: Sequence[Skill], *, reason: str, expected_version: str | None = None,
    replace_files: bool = False, verbatim: Sequence[bytes] | None = None,
) -> list[Skill]:
    prepared, raw, found = prepare_batch(skills, verbatim)

    def work(conn: Any) -> list[Skill]:
        lock_writers(conn)
        seq: list[int] = []  # taken on the first change only: an unchanged batch bumps nothing
        out = [_save_one(conn, s, data, reason, expected_version, replace_files, seq)
               for s, data in zip(prepared, raw, strict=True)]
        if seq:
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(seq[0])))
        return out

    saved = store.pool.run(work)
    for skill, counts in zip(saved, found, strict=True):
        skill.redactions = dict(counts)
    return saved


def lock_writers(conn: Any) -> None:
    """Wait for the writers before this one (the change-number row's lock, held to commit): what this
    transaction reads from here on (does the skill exist, at which version, is the name free) stays
    true until it commits, as SQLite's write lock guarantees the local store."""
    conn.execute("SELECT seq FROM autoskill_seq FOR UPDATE")


def _next_seq(conn: Any, taken: list[int]) -> int:
    row = conn.execute("UPDATE autoskill_seq SET seq = seq + 1 RETURNING seq").fetchone()
    taken[:] = [int(row[0])]
    return int(row[0])


def _save_one(
    conn: Any, skill: Skill, skill_md: bytes | None, reason: str, expected_version: str | None,
    replace_files: bool, taken: list[int],
) -> Skill:
    owner = skill.user_id if skill.scope == Scope.USER else ""
    found = conn.execute(f"SELECT {ROW}, skill_md FROM skills WHERE id = %s", (skill.id,)).fetchone()
    existing: CatalogRow | None = from_db(found) if found else None
    old_md: bytes | None = bytes(found[-1]) if found else None
    if existing is not None and existing.deleted:
        existing, old_md = None, None
    if existing is not None and existing.scope == Scope.LIBRARY.value:
        raise ReadOnlyError(f"skill {existing.name!r} lives in a read-only library; copy it to your skills first")
    _check_name_free(conn, skill, owner, existing)
    if expected_version is not None and existing is not None and existing.version != expected_version:
        raise ConflictError(
            f"skill {skill.name!r} is at version {existing.version}, not {expected_version}; reload and retry"
        )
    old_manifest: dict[str, str] = {}
    if existing is not None:
        old_manifest = dict(conn.execute("SELECT path, digest FROM skill_files WHERE skill_id = %s",
                                         (skill.id,)).fetchall())
    new_manifest = {} if replace_files else dict(old_manifest)
    for rel, data in skill.files.items():
        new_manifest[rel] = sha256_hex(data)
    if existing is not None:
        if skill_md is not None:
            same = old_md == skill_md
        else:
            same = old_md == skillmd.render(skill.copy(version=existing.version)).encode("utf-8")
        if (same and new_manifest == old_manifest and existing.owner == owner
                and existing.scope == skill.scope.value and existing.status == skill.status.value):
            return with_catalog_fields(skill.copy(version=existing.version), existing)
        old_v, new_v = parse_version(existing.version), parse_version(skill.version)
        if old_v is None or new_v is None or new_v <= old_v:
            skill.version = bump_version(existing.version)
    md_bytes = skill_md if skill_md is not None else skillmd.render(skill).encode("utf-8")
    if len(md_bytes) > MAX_SKILL_MD_BYTES:  # a bumped version can add a byte to what the batch checked
        raise InvalidInputError(f"skill {skill.name!r}: its SKILL.md would be {len(md_bytes):,} bytes, over the "
                                f"{MAX_SKILL_MD_BYTES:,}-byte limit; nothing was stored")
    now = now_iso()
    created = existing.created_at if existing else skill.created_at or now
    seq = _next_seq(conn, taken)
    text, text_hash, tokens = index_fields(skill)
    conn.execute(
        "INSERT INTO skills (id, owner, scope, name, name_key, version, status, description, tags, skill_md, "
        "index_text, text_hash, tokens, content_hash, created_at, updated_at, seq, deleted) "
        "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,false) ON CONFLICT (id) DO UPDATE SET "
        "owner = excluded.owner, scope = excluded.scope, name = excluded.name, name_key = excluded.name_key, "
        "version = excluded.version, status = excluded.status, description = excluded.description, "
        "tags = excluded.tags, skill_md = excluded.skill_md, index_text = excluded.index_text, "
        "text_hash = excluded.text_hash, tokens = excluded.tokens, content_hash = excluded.content_hash, "
        "created_at = excluded.created_at, updated_at = excluded.updated_at, seq = excluded.seq, deleted = false",
        (skill.id, owner, skill.scope.value, skill.name, skeleton(skill.name), skill.version, skill.status.value,
         skill.description, list(skill.tags), md_bytes, text, text_hash, tokens, sha256_hex(md_bytes), created, now,
         seq),
    )
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO blobs (digest, data) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                        [(sha256_hex(data), data) for data in skill.files.values()])
    if replace_files:
        conn.execute("DELETE FROM skill_files WHERE skill_id = %s", (skill.id,))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO skill_files (skill_id, path, digest) VALUES (%s, %s, %s) "
            "ON CONFLICT (skill_id, path) DO UPDATE SET digest = excluded.digest",
            [(skill.id, rel, digest) for rel, digest in new_manifest.items()])
    add_version(conn, skill.id, skill.version, reason, md_bytes.decode("utf-8", "replace"), new_manifest, now)
    row = CatalogRow(id=skill.id, owner=owner, scope=skill.scope.value, name=skill.name, folder="",
                     version=skill.version, status=skill.status.value, description=skill.description,
                     tags=list(skill.tags), index_text="", text_hash=text_hash, content_hash=sha256_hex(md_bytes),
                     mtime_ns=0, size=0, created_at=created, updated_at=now, seq=seq)
    return with_catalog_fields(skill, row)


def add_version(conn: Any, skill_id: str, version: str, reason: str, text: str, files: dict[str, str],
                created_at: str) -> None:
    """Append one history entry (numbered from 1 per skill)."""
    conn.execute(
        "INSERT INTO skill_versions (skill_id, n, version, reason, skill_md, files, created_at) "
        "SELECT %s, coalesce(max(n), 0) + 1, %s, %s, %s, %s, %s FROM skill_versions WHERE skill_id = %s",
        (skill_id, version, reason, text, json.dumps(files), created_at, skill_id),
    )


def _check_name_free(conn: Any, skill: Skill, owner: str, existing: CatalogRow | None) -> None:
    """ConflictError when another live skill of this owner has this name, or one that reads the same."""
    clash = conn.execute("SELECT id FROM skills WHERE owner = %s AND name = %s AND NOT deleted AND id != %s",
                         (owner, skill.name, skill.id)).fetchone()
    if clash is not None:
        raise ConflictError(
            f"a skill named {skill.name!r} already exists in this scope (id {clash[0]}); "
            "update that id, or choose another name"
        )
    if existing is None or existing.name != skill.name:  # a new name is checked; an unchanged one never is
        twin = conn.execute(
            "SELECT id, name FROM skills WHERE owner = %s AND name_key = %s AND NOT deleted AND id != %s LIMIT 1",
            (owner, skeleton(skill.name), skill.id)).fetchone()
        if twin is not None:
            raise ConflictError(
                f"{skill.name!r} looks like the existing skill {twin[1]!r} (id {twin[0]}) in this scope: "
                "a reader could not tell them apart; update that skill, or choose a name that reads differently"
            )


def delete(store: PostgresSkillStore, skill_id: str) -> bool:
    def work(conn: Any) -> bool:
        lock_writers(conn)
        row = conn.execute("SELECT scope, name, deleted FROM skills WHERE id = %s", (skill_id,)).fetchone()
        if row is None or row[2]:
            return False
        if row[0] == Scope.LIBRARY.value:
            raise ReadOnlyError(f"skill {row[1]!r} lives in a read-only library")
        seq = _next_seq(conn, [])
        conn.execute("UPDATE skills SET deleted = true, seq = %s, updated_at = %s WHERE id = %s",
                     (seq, now_iso(), skill_id))
        conn.execute("DELETE FROM skill_files WHERE skill_id = %s", (skill_id,))  # history keeps the blobs
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(seq)))
        return True

    return store.pool.run(work)


def rollback(store: PostgresSkillStore, skill_id: str, to_version: str | None = None) -> Skill:
    current = store.get(skill_id)
    if current is None:
        raise NotFoundError(f"no skill with id {skill_id!r}")
    history = store.versions(skill_id)
    if to_version is None:
        if len(history) < 2:
            raise NotFoundError(f"skill {current.name!r} has no earlier version to roll back to")
        target = history[-2]
    else:
        target = store.version_info(skill_id, to_version)
    restored = store.get_version(skill_id, f"#{target.n}").copy(
        id=current.id, user_id=current.user_id, scope=current.scope, name=current.name,
        version=bump_version(current.version), created_at=current.created_at,
    )
    return save_batch(store, [restored], reason=f"rollback to {target.version}", replace_files=True)[0]
