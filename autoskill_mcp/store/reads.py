"""Reading skills: a skill's fresh catalog row, its parsed SKILL.md (cached), listings, resource files.

A read checks the skill's SKILL.md against its row first (one lstat) and rescans when they differ,
so a hand edit is never served stale. A SKILL.md that is broken on disk (or renamed to a name that
is never served) is served as its last good version from history.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .. import skillmd
from ..errors import InvalidInputError, NotFoundError
from ..skill import Skill, SkillStatus
from ..skillmd.names import normalize_name, unsafe_name_problem
from . import nofollow, reconcile, view
from .base import PRECEDENCE, SCOPES, FileInfo, SkillSummary, may_see
from .catalog import CatalogRow
from .folders import MAX_RESOURCE_BYTES, SKILL_FILE, folder_path, folder_str, resource_files, servable
from .layout import MAX_SKILL_MD_BYTES, check_resource_path, inside
from .skill_rows import with_catalog_fields

if TYPE_CHECKING:
    from .local import LocalSkillStore

PARSED_CACHE_SIZE = 4096


def fresh_row(store: LocalSkillStore, skill_id: str, user_id: str | None = None) -> CatalogRow | None:
    """The fresh catalog row of a skill; None when absent or (`user_id` given) not theirs to see."""
    view.refresh(store)
    with store._lock:
        row = store._rows.get(skill_id)
    if row is None or (user_id is not None and not may_see(row.scope, row.owner, user_id)):
        return None
    try:
        st = os.lstat(folder_path(store.root, row.folder) / SKILL_FILE)
        fresh = st.st_mtime_ns == row.mtime_ns and st.st_size == row.size
    except OSError:
        fresh = False
    if not fresh:
        reconcile.sync(store)
        with store._lock:
            row = store._rows.get(skill_id)
    return row


def get(
    store: LocalSkillStore, skill_id: str, *, include_files: bool = False, user_id: str | None = None,
) -> Skill | None:
    if not isinstance(skill_id, str):
        raise InvalidInputError("skill id must be a string")
    row = fresh_row(store, skill_id, user_id)
    if row is None:
        return None
    skill = load_skill(store, row)
    if include_files:
        skill.files = {f.path: read_file(store, row.id, f.path) for f in list_files(store, row.id)}
    return skill


def load_skill(store: LocalSkillStore, row: CatalogRow) -> Skill:
    # Parsing YAML costs ~1-2 ms a file; search returns the same few skills again and again.
    key = (row.id, row.seq, row.mtime_ns, row.size)
    with store._lock:
        cached = store._parsed.get(key)
        if cached is not None:
            store._parsed.move_to_end(key)
            return cached.copy()
    skill = _parse_row(store, row)
    with store._lock:
        store._parsed[key] = skill.copy()
        if len(store._parsed) > PARSED_CACHE_SIZE:
            store._parsed.popitem(last=False)
    return skill


def _parse_row(store: LocalSkillStore, row: CatalogRow) -> Skill:
    path = folder_path(store.root, row.folder) / SKILL_FILE
    skill: Skill | None = None
    try:
        result = skillmd.to_skill(skillmd.parse(nofollow.read_regular(path, MAX_SKILL_MD_BYTES), path=str(path)),
                                  dir_name=path.parent.name)
        skill = result.skill
    except (OSError, InvalidInputError):
        skill = None
    if skill is not None and unsafe_name_problem(skill.name) is not None:
        skill = None  # renamed on disk to a name that is never served (the rescan reports it)
    if skill is None:  # broken on disk: serve the last good version from history
        history = store.catalog.versions(row.id)
        if history:
            skill = skillmd.to_skill(skillmd.parse(history[-1].skill_md), dir_name=path.parent.name).skill
    if skill is None:
        skill = Skill(name=row.name, description=row.description)
    return with_catalog_fields(skill, row)


def find(store: LocalSkillStore, name: str, *, user_id: str, scope: str = "all") -> Skill | None:
    reconcile.maybe_sync(store)
    view.refresh(store)
    scopes = stored_scopes(scope)
    wanted = {name, normalize_name(name)} if isinstance(name, str) else {name}  # NFKC: the same name
    with store._lock:
        rows = [r for r in store._rows.values() if r.name in wanted and _visible(r, user_id, scopes)]
    rows.sort(key=lambda r: PRECEDENCE.get(r.scope, len(PRECEDENCE)))
    return load_skill(store, rows[0]) if rows else None


def summaries(
    store: LocalSkillStore, *, user_id: str | None = None, scope: str = "user", include_archived: bool = False
) -> list[SkillSummary]:
    reconcile.maybe_sync(store)
    view.refresh(store)
    scopes = stored_scopes(scope)
    with store._lock:
        rows = [
            r for r in store._rows.values()
            if r.scope in scopes
            and (user_id is None or may_see(r.scope, r.owner, user_id))
            and (include_archived or r.status == SkillStatus.ACTIVE.value)
        ]
    rows.sort(key=lambda r: (r.scope, r.owner, r.name))
    root = str(store.root)
    return [
        SkillSummary(r.id, r.name, r.description, r.version, r.scope, r.owner, r.status, tuple(r.tags),
                     r.updated_at, folder_str(root, r.folder))
        for r in rows
    ]



def skill_dir(store: LocalSkillStore, skill_id: str, *, user_id: str | None = None) -> Path | None:
    row = fresh_row(store, skill_id, user_id)
    return folder_path(store.root, row.folder) if row else None


def list_files(store: LocalSkillStore, skill_id: str, *, user_id: str | None = None) -> list[FileInfo]:
    dir_ = skill_dir(store, skill_id, user_id=user_id)
    if dir_ is None:
        raise NotFoundError(f"no skill with id {skill_id!r}")
    if not nofollow.has_no_links(dir_):
        return []  # the folder became a link: nothing in it is ours to serve
    return [FileInfo(rel, st.st_size) for rel, path in resource_files(dir_)
            if servable(rel) and (st := nofollow.regular_stat(path)) is not None]


def read_file(store: LocalSkillStore, skill_id: str, rel_path: str, *, user_id: str | None = None) -> bytes:
    dir_ = skill_dir(store, skill_id, user_id=user_id)
    if dir_ is None:
        raise NotFoundError(f"no skill with id {skill_id!r}")
    rel = check_resource_path(rel_path)
    path = dir_ / rel
    if not nofollow.has_no_links(dir_) or path.is_symlink() or not inside(dir_, path):
        raise InvalidInputError(f"{rel_path!r} leaves the skill folder (a symbolic link is not followed)")
    if not path.is_file():
        raise NotFoundError(f"skill {skill_id} has no file {rel!r}")
    return nofollow.read_regular(path, MAX_RESOURCE_BYTES)


def read_skill_md(store: LocalSkillStore, skill_id: str, *, user_id: str | None = None) -> bytes:
    dir_ = skill_dir(store, skill_id, user_id=user_id)
    if dir_ is None:
        raise NotFoundError(f"no skill with id {skill_id!r}")
    try:
        return nofollow.read_regular(dir_ / SKILL_FILE, MAX_SKILL_MD_BYTES)
    except (OSError, InvalidInputError) as exc:
        history = store.catalog.versions(skill_id)
        if not history:
            raise NotFoundError(f"skill {skill_id} has no readable SKILL.md: {exc}") from exc
        return history[-1].skill_md.encode("utf-8")


def stored_scopes(scope: str) -> tuple[str, ...]:
    """The stored scopes a scope name of search and list covers (`SCOPES`)."""
    try:
        return SCOPES[scope]
    except (KeyError, TypeError):
        raise InvalidInputError(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}") from None


def _visible(row: CatalogRow, user_id: str, scopes: tuple[str, ...]) -> bool:
    return row.scope in scopes and may_see(row.scope, row.owner, user_id)
