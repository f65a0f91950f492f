"""The store interface every backend implements, and the values it returns.

The servers and the SDK talk only to `SkillStore`; the local folder store is
one implementation, and a shared PostgreSQL store can be another without any
change above this line.

The store owns the rules every reader would otherwise write again: who may see
a skill (`may_see`), which copy of a name wins (`PRECEDENCE`, `one_per_name`)
and how a listing is paged (`encode_cursor`, `decode_cursor`). Adapters ask;
they never filter or rank on their own.
"""

from __future__ import annotations

import abc
import base64
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ..errors import InvalidInputError
from ..skill import Skill

if TYPE_CHECKING:  # the team store's pool loads with the team store only (psycopg)
    from .postgres.pool import ConnectionPool

T = TypeVar("T")

#: what a long store operation (indexing, embedding) reports as it goes: `(stage, done, total)`
Progress = Callable[[str, int, int], None]

#: scope names accepted by search and list, and the scopes each covers. `project` is never stored:
#: the skills of the repository being worked in are read from its folders beside the store
#: (`runtime/project.py`); a store asked for it alone has nothing to return
SCOPES: dict[str, tuple[str, ...]] = {
    "user": ("user",),
    "project": ("project",),
    "shared": ("shared",),
    "library": ("library",),
    "common": ("shared", "library"),
    "all": ("user", "project", "shared", "library"),
}

#: which copy of a name a user sees when several scopes hold it: their own (a preference they taught),
#: then the repository's (its maintainers' choice for this code), then shared, then a library's
PRECEDENCE: dict[str, int] = {"user": 0, "project": 1, "shared": 2, "library": 3}

_CURSOR_KIND = "o"


def may_see(scope: str, owner: str, user_id: str) -> bool:
    """Whether `user_id` may read a skill of this scope and owner (user skills are their owner's alone)."""
    return scope != "user" or owner == user_id


def one_per_name(items: Iterable[T], *, name: Callable[[T], str], scope: Callable[[T], str]) -> list[T]:
    """The winning copy of each name by `PRECEDENCE`, sorted by name (unknown scopes never win)."""
    best: dict[str, T] = {}
    for item in items:
        rank = PRECEDENCE.get(scope(item))
        if rank is None:
            continue
        held = best.get(name(item))
        if held is None or rank < PRECEDENCE[scope(held)]:
            best[name(item)] = item
    return [best[n] for n in sorted(best)]


def encode_cursor(offset: int) -> str:
    """The opaque cursor of every paged listing (tools, resources, skills/list): an offset, base64."""
    return base64.urlsafe_b64encode(f"{_CURSOR_KIND}:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset a cursor of `encode_cursor` stands for (0 for none); InvalidInputError for anything else."""
    if not cursor:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        offset = int(value)
    except (ValueError, UnicodeDecodeError):
        kind, offset = "", -1
    if kind != _CURSOR_KIND or offset < 0:
        raise InvalidInputError("invalid cursor: pass back the next cursor of the previous page")
    return offset


@dataclass(frozen=True)
class SkillHit:
    """A search result: the skill, its final score and what each method gave."""

    skill: Skill
    score: float
    keyword: float | None = None
    vector: float | None = None
    mode: str = "hybrid"
    #: why vectors did not rank this search, e.g. "vector: pending 12 of 5000" (None: they did)
    note: str | None = None

    def why(self) -> str:
        """A short human explanation of the score."""
        parts = [f"score {self.score:.3f}"]
        if self.keyword is not None:
            parts.append(f"keyword {self.keyword:.3f}")
        if self.vector is not None:
            parts.append(f"vector {self.vector:.3f}")
        if self.mode != "hybrid":
            parts.append(f"{self.mode} only")
        if self.note:
            parts.append(self.note)
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.skill.id,
            "name": self.skill.name,
            "description": self.skill.description,
            "version": self.skill.version,
            "scope": self.skill.scope.value,
            "score": round(self.score, 6),
            "keyword": None if self.keyword is None else round(self.keyword, 6),
            "vector": None if self.vector is None else round(self.vector, 6),
            "mode": self.mode,
            "note": self.note,
            "why": self.why(),
        }


@dataclass(frozen=True)
class SkillSummary:
    """The catalogue line of a skill: enough to list it without reading its folder."""

    id: str
    name: str
    description: str
    version: str
    scope: str
    owner: str
    status: str
    tags: tuple[str, ...]
    updated_at: str
    path: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "description": self.description, "version": self.version,
            "scope": self.scope, "owner": self.owner, "status": self.status, "tags": list(self.tags),
            "updated_at": self.updated_at, "path": self.path,
        }


@dataclass(frozen=True)
class VersionInfo:
    """One entry of a skill's history."""

    n: int
    version: str
    reason: str
    created_at: str
    current: bool = False
    content_hash: str = ""  # sha256 of the version's SKILL.md text ("" when the backend keeps none)

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "version": self.version, "reason": self.reason,
                "created_at": self.created_at, "current": self.current, "content_hash": self.content_hash}


@dataclass(frozen=True)
class FileInfo:
    """A resource file of a skill."""

    path: str
    size: int


@dataclass
class ImportReport:
    """What an import did, skill by skill."""

    imported: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    redacted: dict[str, dict[str, int]] = field(default_factory=dict)  # skill name -> secrets removed, per kind

    def outcomes(self) -> dict[str, Literal["created", "updated", "unchanged"]]:
        """Each stored skill's name and what happened to it, in the product's save words."""
        out: dict[str, Literal["created", "updated", "unchanged"]] = dict.fromkeys(self.imported, "created")
        out.update(dict.fromkeys(self.updated, "updated"))
        out.update(dict.fromkeys(self.unchanged, "unchanged"))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "warnings": [{"path": p, "message": m} for p, m in self.warnings],
            "redacted": self.redacted,
        }


class SkillStore(abc.ABC):
    """Skills with history, search and usage counters, for one or many processes.

    Visibility promise: every read that names a user (`get`, `find`, `summaries`, `visible`,
    `search`, `list_files`, `read_file`, `read_skill_md`, `skill_dir` with `user_id=`) returns
    only what that user may see (`may_see`): another user's own skills are absent to them, as
    if they did not exist (None, left out, or NotFoundError), never returned for the caller
    to filter. Without a user (`user_id=None`) a read is the operator's: the CLI, maintenance
    and imports, which act on the whole store.
    """

    @abc.abstractmethod
    def get(self, skill_id: str, *, include_files: bool = False, user_id: str | None = None) -> Skill | None:
        """The current skill, or None (also None when `user_id` may not see it)."""

    @abc.abstractmethod
    def find(self, name: str, *, user_id: str, scope: str = "all") -> Skill | None:
        """A skill by name the user may see, the copy `PRECEDENCE` prefers (own, shared, library)."""

    @abc.abstractmethod
    def summaries(
        self, *, user_id: str | None = None, scope: str = "user", include_archived: bool = False
    ) -> list[SkillSummary]:
        """Catalogue lines, cheapest way to list many skills (every owner's when `user_id` is None)."""

    def visible(self, user_id: str, *, scope: str = "all") -> list[SkillSummary]:
        """The active skills a user sees, one per name (the copy `PRECEDENCE` prefers), by name."""
        return one_per_name(self.summaries(user_id=user_id, scope=scope),
                            name=lambda s: s.name, scope=lambda s: s.scope)

    @abc.abstractmethod
    def save(
        self, skill: Skill, *, reason: str = "save", expected_version: str | None = None,
        replace_files: bool = False,
    ) -> Skill:
        """Create or update a skill, recording a version when its content changed."""

    def save_many(self, skills: Sequence[Skill], *, reason: str = "save") -> list[Skill]:
        """Save several skills; backends may batch them in one transaction."""
        return [self.save(s, reason=reason) for s in skills]

    def save_verbatim(self, items: Sequence[tuple[Skill, bytes]], *, reason: str = "import") -> list[Skill]:
        """Save skills whose SKILL.md must stay exactly these bytes (an import of someone else's skill).

        Identity and version then live in the backend's catalog, not in the file. A backend that
        cannot keep the bytes writes the skill as `save` does.
        """
        return [self.save(skill, reason=reason) for skill, _ in items]

    @abc.abstractmethod
    def delete(self, skill_id: str) -> bool:
        """Remove a skill (its history stays in the catalog). False when absent."""

    @abc.abstractmethod
    def versions(self, skill_id: str) -> list[VersionInfo]:
        """The skill's history, oldest first."""

    @abc.abstractmethod
    def get_version(self, skill_id: str, version: str) -> Skill:
        """The skill as it was at `version` (or at history entry `#n`)."""

    @abc.abstractmethod
    def rollback(self, skill_id: str, to_version: str | None = None) -> Skill:
        """Restore an earlier version's content as a new version (default: the previous one)."""

    @abc.abstractmethod
    def search(
        self, query: str, *, user_id: str, scope: str = "all", top_k: int = 5, min_score: float = 0.0,
        tags: Iterable[str] | None = None, wait: bool = False, load_model: bool = False,
    ) -> list[SkillHit]:
        """Hybrid keyword + vector search over the skills this user may see.

        Never waits for skills to be embedded (keyword-only meanwhile, with `note` saying so)
        unless `wait`; `load_model` loads the embedding model first if need be, so the query
        itself gets a vector.
        """

    @abc.abstractmethod
    def list_files(self, skill_id: str, *, user_id: str | None = None) -> list[FileInfo]:
        """The skill's resource files (SKILL.md excluded); NotFoundError when absent or not the user's to see."""

    @abc.abstractmethod
    def read_file(self, skill_id: str, rel_path: str, *, user_id: str | None = None) -> bytes:
        """One resource file's bytes; NotFoundError when absent or not the user's to see."""

    @abc.abstractmethod
    def skill_dir(self, skill_id: str, *, user_id: str | None = None) -> Path | None:
        """The folder holding the skill, where the backend has one (None when not the user's to see)."""

    def read_skill_md(self, skill_id: str, *, user_id: str | None = None) -> bytes:
        """The skill's SKILL.md as served (servers read it here, never straight from a folder,
        so a backend decides what may be served). This default renders the stored skill."""
        from .. import skillmd
        from ..errors import NotFoundError

        skill = self.get(skill_id, user_id=user_id)
        if skill is None:
            raise NotFoundError(f"no skill with id {skill_id!r}")
        return skillmd.render(skill).encode("utf-8")

    def record_usage(self, skill_id: str, *, retrieved: int = 0, used: int = 0, user_id: str = "") -> None:
        """Count that a skill was retrieved for, or actually used by, a user."""
        self.record_usage_many([(skill_id, user_id, retrieved, used)])

    @abc.abstractmethod
    def record_usage_many(self, counts: Sequence[tuple[str, str, int, int]]) -> None:
        """Add (skill_id, user_id, retrieved, used) counts in one write; unknown skills are skipped."""

    @abc.abstractmethod
    def usage(self, skill_id: str, *, user_id: str | None = None) -> dict[str, Any]:
        """A skill's counters for one user, or (user_id None) the totals with a `by_user` breakdown."""

    @abc.abstractmethod
    def change_seq(self) -> int:
        """A number that grows with every write by any process (for live updates)."""

    def team_pool(self) -> ConnectionPool | None:
        """The connections to the database this store shares with a team's other machines (the team
        store's), or None for a store on this machine. What lives beside the skills (the extraction
        queue) goes where this says: the same database, or the store's home folder."""
        return None

    def close(self) -> None:  # noqa: B027 - optional: a backend holding nothing open need not override it
        """Release files, threads and connections."""

    def __enter__(self) -> SkillStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # last in the class: below it, `list` in an annotation would name this method, not the builtin
    def list(self, *, user_id: str | None = None, scope: str = "user", include_archived: bool = False) -> list[Skill]:
        """Full skills of a listing; use `summaries` for large ones."""
        summaries = self.summaries(user_id=user_id, scope=scope, include_archived=include_archived)
        return [skill for skill in (self.get(s.id) for s in summaries) if skill is not None]
