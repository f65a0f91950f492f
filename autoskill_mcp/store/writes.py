"""Writing skills: save (one, many, or the given SKILL.md bytes) and delete.

Every write path (SDK, MCP, editor, import, learning, rollback) ends in `save_batch`: each skill is
validated and redacted first, then one catalog write transaction writes every folder and records
each row and version. Every path is checked for links before anything is written, and a journal
entry is written before a folder is touched, so a refused batch writes nothing and a writer killed
mid-write is undone by the next process (recovery.py).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import skillmd
from ..errors import ConflictError, InvalidInputError, ReadOnlyError, quoted
from ..learning.redaction import redact_bytes, redact_skill
from ..skill import Scope, Skill, bump_version, now_iso, parse_version
from ..skillmd.names import canonical_name, name_input_problem
from . import nofollow, recovery, view
from .catalog import CatalogRow, sha256_hex
from .folders import MAX_RESOURCE_BYTES, SKILL_FILE, folder_path, read_bytes_or_none, read_text_or_none, resource_files
from .layout import MAX_SKILL_MD_BYTES, SHARED_DIR, USERS_DIR, check_folder_name, check_resource_path, check_user_id
from .skill_rows import row_for, with_catalog_fields

if TYPE_CHECKING:
    from .local import LocalSkillStore


def save(
    store: LocalSkillStore, skill: Skill, *, reason: str = "save", expected_version: str | None = None,
    replace_files: bool = False,
) -> Skill:
    return save_batch(store, [skill], reason=reason, expected_version=expected_version,
                      replace_files=replace_files, durable=True)[0]


def save_many(store: LocalSkillStore, skills: Sequence[Skill], *, reason: str = "save") -> list[Skill]:
    out: list[Skill] = []
    for start in range(0, len(skills), 200):
        out += save_batch(store, list(skills[start:start + 200]), reason=reason, durable=False)
    return out


def save_verbatim(
    store: LocalSkillStore, items: Sequence[tuple[Skill, bytes]], *, reason: str = "import",
) -> list[Skill]:
    out: list[Skill] = []
    for start in range(0, len(items), 200):
        chunk = list(items[start:start + 200])
        out += save_batch(store, [s for s, _ in chunk], reason=reason, durable=len(items) == 1,
                          verbatim=[data for _, data in chunk])
    return out


def save_batch(
    store: LocalSkillStore, skills: list[Skill], *, reason: str, expected_version: str | None = None,
    replace_files: bool = False, durable: bool, verbatim: list[bytes] | None = None,
) -> list[Skill]:
    prepared, raw, found = prepare_batch(skills, verbatim)
    view.refresh(store)
    results: list[tuple[Skill, CatalogRow | None]] = []
    journal = recovery.Journal(store.root, durable=durable)
    try:
        with store.catalog.write() as conn:
            view.recover(store, conn)
            for skill in prepared:  # before any file is written: a refused batch leaves the folders as they were
                _check_name_free(store, conn, skill)
            for skill, data in zip(prepared, raw, strict=True):
                results.append(_save_one(store, conn, skill, reason, expected_version, replace_files, durable,
                                         data, journal))
            journal.finish()  # every file is written; a kill from here on leaves whole files
    except BaseException:
        journal.abandon()
        if journal.path is not None:
            view.recover(store)  # put the folders back as the catalog (rolled back) has them
        raise
    if any(row is not None for _, row in results):
        view.refresh(store)  # never jump our seen-seq past another process's earlier commit
    for (saved, _), counts in zip(results, found, strict=True):
        saved.redactions = dict(counts)
    return [s for s, _ in results]


def prepare_batch(
    skills: Sequence[Skill], verbatim: Sequence[bytes] | None = None,
) -> tuple[list[Skill], list[bytes | None], list[Counter[str]]]:
    """Every store's checks before a write: valid, spec-named, redacted, small enough to read back.

    Returns the skills to write, the SKILL.md bytes to keep verbatim (None: render the skill) and
    the secrets removed from each. Raises before anything is written: a batch is stored whole or not at all.
    """
    prepared = [_prepare(s) for s in skills]
    raw: list[bytes | None] = list(verbatim) if verbatim is not None else [None] * len(prepared)
    for i, data in enumerate(raw):
        if data is not None and prepared[i].name != skills[i].name:
            raise InvalidInputError(f"{skills[i].name!r} is not a valid name: it cannot be kept as written")
    # No secret is stored: every write path (SDK, MCP, editor, import, learning, rollback) ends here.
    found: list[Counter[str]] = []
    for i, skill in enumerate(prepared):
        prepared[i], in_fields, in_files = redact_skill(skill)
        data = raw[i]
        if data is not None:
            clean, in_text = redact_bytes(data)
            if in_fields and not in_text:
                raw[i] = None  # the file's text hid what its parsed fields held: write the fields instead
            else:
                raw[i], in_fields = clean, in_text
        found.append(in_fields + in_files)
    for skill, data in zip(prepared, raw, strict=True):
        check_skill_md_size(skill, data)
    return prepared, raw, found


def _check_name_free(store: LocalSkillStore, conn: sqlite3.Connection, skill: Skill) -> None:
    """ConflictError when another skill of the same owner has this name (committed by any process)."""
    owner = skill.user_id if skill.scope == Scope.USER else ""
    clash = store.catalog.find_by_name(owner, skill.name, conn=conn)
    if clash is not None and clash.id != skill.id:
        raise ConflictError(
            f"a skill named {skill.name!r} already exists in this scope (id {clash.id}); "
            "update that id, or choose another name"
        )
    existing = store.catalog.get_skill(skill.id, conn=conn)
    renamed = existing is None or existing.deleted or existing.name != skill.name
    if renamed:  # a new name is checked; an unchanged one never is
        twin = store.catalog.find_lookalike(owner, skill.name, other_than=skill.id, conn=conn)
        if twin is not None:
            raise ConflictError(
                f"{skill.name!r} looks like the existing skill {twin.name!r} (id {twin.id}) in this scope: "
                "a reader could not tell them apart; update that skill, or choose a name that reads differently"
            )


def _save_one(
    store: LocalSkillStore, conn: sqlite3.Connection, skill: Skill, reason: str, expected_version: str | None,
    replace_files: bool, durable: bool, skill_md: bytes | None = None, journal: recovery.Journal | None = None,
) -> tuple[Skill, CatalogRow | None]:
    """Write one skill: rendered by us, or, given `skill_md`, exactly those bytes."""
    owner = skill.user_id if skill.scope == Scope.USER else ""
    existing = store.catalog.get_skill(skill.id, conn=conn)
    if existing is not None and existing.deleted:
        existing = None
    if existing is not None and existing.scope == Scope.LIBRARY.value:
        raise ReadOnlyError(f"skill {existing.name!r} lives in a read-only library; copy it to your skills first")
    _check_name_free(store, conn, skill)
    if expected_version is not None and existing is not None and existing.version != expected_version:
        raise ConflictError(
            f"skill {skill.name!r} is at version {existing.version}, not {expected_version}; reload and retry"
        )
    key = (f"{USERS_DIR}/{owner}/{skill.name}" if skill.scope == Scope.USER else f"{SHARED_DIR}/{skill.name}")
    new_dir = store.root / key
    old_dir = folder_path(store.root, existing.folder) if existing else None

    old_manifest: dict[str, str] = {}
    if existing is not None:
        history = store.catalog.versions(existing.id)
        old_manifest = history[-1].files if history else {}
    new_manifest = {} if replace_files else dict(old_manifest)
    for rel, data in skill.files.items():
        new_manifest[rel] = sha256_hex(data)

    if existing is not None:
        if skill_md is not None:
            same = read_bytes_or_none(old_dir / SKILL_FILE) == skill_md if old_dir else False
        else:
            old_text = read_text_or_none(old_dir / SKILL_FILE) if old_dir else None
            same = old_text == skillmd.render(skill.copy(version=existing.version))
        if (
            same
            and new_manifest == old_manifest
            and existing.folder == key
            and existing.status == skill.status.value
        ):
            return with_catalog_fields(skill.copy(version=existing.version), existing), None
        old_v, new_v = parse_version(existing.version), parse_version(skill.version)
        if old_v is None or new_v is None or new_v <= old_v:
            skill.version = bump_version(existing.version)

    md_bytes = skill_md if skill_md is not None else skillmd.render(skill).encode("utf-8")
    if len(md_bytes) > MAX_SKILL_MD_BYTES:  # a bumped version can add a byte to what the batch checked
        raise InvalidInputError(_too_big(skill.name, len(md_bytes)))
    text = md_bytes.decode("utf-8", "replace")
    # Every path this save touches is checked for links before anything is written, so a
    # refused save writes nothing (links below the store root are never followed).
    renaming = old_dir is not None and old_dir != new_dir
    if renaming and old_dir is not None:
        nofollow.check_real_dir(old_dir)
        if not nofollow.has_no_links(old_dir.parent):
            raise InvalidInputError(f"{old_dir.parent} is or lies below a symbolic link: not followed")
        if os.path.lexists(new_dir):
            raise ConflictError(f"cannot rename to {new_dir}: a folder is already there")
    for rel in [SKILL_FILE, *skill.files]:
        nofollow.check_writable(store.root, f"{key}/{rel}")
    if old_dir is None and os.path.lexists(new_dir / SKILL_FILE):
        stray = store.catalog.find_by_folder(key, conn=conn)
        if stray is None or stray.id != skill.id:
            raise ConflictError(f"{new_dir} already holds another skill; choose another name")
    if journal is not None:  # before the first change on disk, so a kill -9 from here on can be undone
        removed = [rel for rel, _ in resource_files(old_dir or new_dir) if rel not in skill.files] \
            if replace_files else []
        journal.note({"op": "save", "id": skill.id, "key": key, "from": existing.folder if existing else None,
                      "created": old_dir is None and not os.path.lexists(new_dir),
                      "files": sorted({*skill.files, *removed})})
    if renaming and old_dir is not None:
        nofollow.ensure_dir(store.root, key.rsplit("/", 1)[0])
        os.replace(old_dir, new_dir)
    nofollow.ensure_dir(store.root, key)
    for rel, data in skill.files.items():
        nofollow.write_file(store.root, f"{key}/{rel}", data, durable=durable)
    if replace_files:
        for rel, path in resource_files(new_dir):
            if rel not in skill.files:
                path.unlink()
    nofollow.write_file(store.root, f"{key}/{SKILL_FILE}", md_bytes, durable=durable)
    st = os.lstat(new_dir / SKILL_FILE)
    now = now_iso()
    created = existing.created_at if existing else skill.created_at or now
    seq = store.catalog.next_seq(conn)
    row = row_for(skill, skill.id, skill.scope.value, owner, key, sha256_hex(md_bytes), st, created, now, seq)
    store.catalog.put_skill(conn, row)
    for data in skill.files.values():
        store.catalog.put_blob(conn, data)
    store.catalog.add_version(conn, skill.id, skill.version, reason, text, new_manifest, now)
    return with_catalog_fields(skill, row), row


def delete(store: LocalSkillStore, skill_id: str) -> bool:
    view.refresh(store)
    journal = recovery.Journal(store.root, durable=True)
    trash: Path | None = None
    try:
        with store.catalog.write() as conn:
            view.recover(store, conn)
            row = store.catalog.get_skill(skill_id, conn=conn)
            if row is None or row.deleted:
                return False
            if row.scope == Scope.LIBRARY.value:
                raise ReadOnlyError(f"skill {row.name!r} lives in a read-only library")
            dir_ = folder_path(store.root, row.folder)
            if nofollow.is_link(dir_):
                os.unlink(dir_)  # a folder swapped for a link: remove the link, never what it points at
            elif dir_.exists():
                # Moved aside, removed only once the delete is committed: a kill before the commit
                # puts the folder back (recovery.py), never leaves it half-deleted.
                trash = store.root / recovery.trash_name(row.id)
                journal.note({"op": "delete", "id": row.id, "key": row.folder, "trash": trash.name})
                os.replace(dir_, trash)
            row.deleted = True
            row.seq = store.catalog.next_seq(conn)
            row.updated_at = now_iso()
            store.catalog.put_skill(conn, row)
            journal.finish()
    except BaseException:
        journal.abandon()
        if journal.path is not None:
            view.recover(store)
        raise
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)
    view.refresh(store)
    return True


def _prepare(skill: Skill) -> Skill:
    """Validate a skill for writing and give it a spec-valid name."""
    if not isinstance(skill, Skill):
        raise InvalidInputError("expected a Skill")
    skill = skill.copy()
    if not isinstance(skill.name, str) or not skill.name.strip():
        raise InvalidInputError("a skill needs a name")
    problem = name_input_problem(skill.name)
    if problem is not None:
        raise InvalidInputError(f"invalid skill name {quoted(skill.name)}: {problem}")
    if not isinstance(skill.description, str) or not skill.description.strip():
        raise InvalidInputError(f"skill {skill.name!r} needs a description that says what it does and when to use it")
    skill.name = canonical_name(skill.name)  # NFKC: 'ｇｉｔ-x' is stored (and found) as 'git-x'
    check_folder_name(skill.name)
    if skill.scope == Scope.USER:
        check_user_id(skill.user_id)
    elif skill.scope == Scope.LIBRARY:
        raise ReadOnlyError("library skills are read-only; save it as a user or shared skill")
    if not isinstance(skill.id, str) or not skill.id.strip() or len(skill.id) > 128 or not skill.id.isprintable():
        raise InvalidInputError("a skill id must be a non-empty string of at most 128 printable characters")
    skill.files = {check_resource_path(rel): bytes(data) for rel, data in skill.files.items()}
    for rel, data in skill.files.items():
        if len(data) > MAX_RESOURCE_BYTES:
            raise InvalidInputError(f"resource {rel} is over the {MAX_RESOURCE_BYTES}-byte limit")
    return skill


def _too_big(name: str, size: int) -> str:
    return (f"skill {name!r}: its SKILL.md would be {size:,} bytes, over the {MAX_SKILL_MD_BYTES:,}-byte limit "
            "(2 MiB) of what the store reads back; move long material into files under references/. "
            "Nothing was stored")


def check_skill_md_size(skill: Skill, data: bytes | None = None) -> None:
    """Refuse a skill whose SKILL.md (these bytes, or the rendering of `skill`) the store could not read back.

    Rendering is skipped when the text fields are far below the limit (a UTF-8 character is at most
    4 bytes, a YAML escape at most 10 characters), so bulk writes of ordinary skills cost nothing.
    """
    if data is not None:
        size = len(data)
    else:
        texts = [skill.name, skill.description, skill.instructions, *skill.tags, *skill.triggers,
                 skill.license or "", skill.compatibility or "", skill.allowed_tools or "",
                 *skill.metadata.keys(), *skill.metadata.values(), repr(skill.extensions)]
        texts += [x or "" for e in skill.examples for x in (e.input, e.output, e.notes)]
        texts += [q for p in skill.provenance for q in p.quotes]
        if sum(map(len, texts)) * 10 + 65536 < MAX_SKILL_MD_BYTES:
            return
        size = len(skillmd.render(skill).encode("utf-8"))
    if size > MAX_SKILL_MD_BYTES:
        raise InvalidInputError(_too_big(skill.name, size))
