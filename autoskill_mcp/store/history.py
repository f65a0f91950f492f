"""Version history: a skill's versions, one version as a skill, and a rollback.

The catalog records every version a write or a reconcile made (the SKILL.md text and a manifest of
its files' blobs). A rollback is a new save of an old version, with a new version number: history
only grows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import skillmd
from ..errors import NotFoundError
from ..skill import Skill, bump_version
from . import reads, writes
from .base import VersionInfo
from .catalog import VersionRow, sha256_hex
from .skill_rows import with_catalog_fields

if TYPE_CHECKING:
    from .local import LocalSkillStore


def versions(store: LocalSkillStore, skill_id: str) -> list[VersionInfo]:
    history = store.catalog.versions(skill_id)
    if not history:
        raise NotFoundError(f"no history for skill id {skill_id!r}")
    last = len(history) - 1
    return [VersionInfo(v.n, v.version, v.reason, v.created_at, i == last, sha256_hex(v.skill_md.encode("utf-8")))
            for i, v in enumerate(history)]


def _version_row(store: LocalSkillStore, skill_id: str, version: str) -> VersionRow:
    history = store.catalog.versions(skill_id)
    if not history:
        raise NotFoundError(f"no history for skill id {skill_id!r}")
    if version.startswith("#") and version[1:].isdigit():
        matches = [v for v in history if v.n == int(version[1:])]
    else:
        matches = [v for v in history if v.version == version.lstrip("v")]
    if not matches:
        known = ", ".join(dict.fromkeys(v.version for v in history))
        raise NotFoundError(f"skill {skill_id} has no version {version!r} (known: {known})")
    return matches[-1]


def get_version(store: LocalSkillStore, skill_id: str, version: str) -> Skill:
    entry = _version_row(store, skill_id, version)
    skill = skillmd.to_skill(skillmd.parse(entry.skill_md)).skill
    if skill is None:
        raise NotFoundError(f"version {version} of {skill_id} cannot be parsed")
    for rel, digest in entry.files.items():
        blob = store.catalog.get_blob(digest)
        if blob is not None:
            skill.files[rel] = blob
    row = store.catalog.get_skill(skill_id)
    if row is not None:
        skill = with_catalog_fields(skill, row)
    skill.version = entry.version
    return skill


def rollback(store: LocalSkillStore, skill_id: str, to_version: str | None = None) -> Skill:
    current = reads.get(store, skill_id)
    if current is None:
        raise NotFoundError(f"no skill with id {skill_id!r}")
    history = store.catalog.versions(skill_id)
    if to_version is None:
        if len(history) < 2:
            raise NotFoundError(f"skill {current.name!r} has no earlier version to roll back to")
        target = history[-2]
    else:
        target = _version_row(store, skill_id, to_version)
    restored = get_version(store, skill_id, f"#{target.n}")
    restored = restored.copy(
        id=current.id, user_id=current.user_id, scope=current.scope, name=current.name,
        version=bump_version(current.version), created_at=current.created_at,
    )
    return writes.save_batch(store, [restored], reason=f"rollback to {target.version}", replace_files=True,
                             durable=True)[0]
