"""The skills of the repository an agent works in (scope `project`), read beside the store, never stored.

A repository keeps its own skills in its agents' folders (`.claude/skills/`, `.agents/skills/`,
`.github/skills/`, ...: `store.transfer.PROJECT_SKILL_DIRS`). They belong to the repository, not to
the store: a store may be shared by many users and machines, so they are never written into its
catalog. Each project root gets a small read-only index here (`RootSkills`), read again when one
of its files changes (sizes and mtimes, looked at as often as the store rescans for hand edits;
a server's request pins one look, `pinned()`), ranked by the same keyword scoring as the store's
hybrid search (BM25 and the calibrated fusion of `retrieval/`, keyword-only: the store's embedder
is not public API). `ProjectView` puts them beside a store's skills under the store's own rules of
precedence (`store.base.PRECEDENCE`: the user's own, then the project's, then shared and library).

Reading is as careful as the store's: SKILL.md through `nofollow.read_regular` (size limit, no
link followed), secrets redacted on read, a bad SKILL.md skipped and listed in `problems`, a
folder that is a link leaving the repository refused.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .. import skillmd
from ..errors import ConflictError, InvalidInputError, NotFoundError, ReadOnlyError, quoted
from ..learning.redaction import redact_bytes
from ..retrieval.hybrid import HybridIndex
from ..skill import DEFAULT_VERSION, Scope, Skill, SkillStatus, bump_version
from ..skillmd.names import canonical_name, name_input_problem, unsafe_name_problem
from ..store import nofollow
from ..store.base import SCOPES, FileInfo, SkillHit, SkillStore, SkillSummary, VersionInfo
from ..store.folders import MAX_RESOURCE_BYTES, SKILL_FILE, resource_files
from ..store.layout import MAX_SKILL_MD_BYTES, check_resource_path
from ..store.transfer import PROJECT_SKILL_DIRS
from .watch import MIN_RESCAN_SECONDS

if TYPE_CHECKING:
    from ..store.postgres.pool import ConnectionPool

#: every project skill's id starts so: a view tells a project skill from a stored one by its id alone
ID_PREFIX = "project:"
#: a root holding more skill folders than this is read only this far (a problem says so)
MAX_SKILLS_PER_ROOT = 2000
#: indexes kept for roots no session names any more (a few repositories)
CACHED_ROOTS = 32
#: where a skill saved into a project goes when the project holds none of its name (every agent reads it
#: but Claude Code; a name the project already has is written where it is)
WRITE_FOLDER = PROJECT_SKILL_DIRS["agents"]
_NAMESPACE = uuid.UUID("6f1d0c3e-8f1a-4c55-9a34-5b0e3c2a7d11")


def skill_folders() -> tuple[str, ...]:
    """The folders below a project root that hold skills, in the order their copies win (one table)."""
    return tuple(dict.fromkeys(PROJECT_SKILL_DIRS[a] for a in ("agents", "claude-code", "codex", "copilot",
                                                                 "cursor", "gemini")))


def project_root(path: str | Path) -> Path:
    """The repository `path` lies in: the nearest ancestor holding `.git` (a folder, or a worktree's
    file), else `path` itself (a folder that is no repository is its own project)."""
    start = Path(path).expanduser().resolve()
    if start.is_file():
        start = start.parent
    for folder in (start, *start.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return start


def is_project_id(skill_id: object) -> bool:
    return isinstance(skill_id, str) and skill_id.startswith(ID_PREFIX)


@dataclass(frozen=True)
class ProjectSkill:
    """One skill read from a project root: the skill (scope project), its real folder, its SKILL.md as served."""

    skill: Skill
    folder: Path
    skill_md: bytes
    files: tuple[tuple[str, int], ...]

    def summary(self) -> SkillSummary:
        s = self.skill
        return SkillSummary(s.id, s.name, s.description, s.version, Scope.PROJECT.value, s.user_id,
                            s.status.value, tuple(s.tags), s.updated_at, str(self.folder))


@dataclass
class _Loaded:
    signature: tuple[Any, ...]
    skills: dict[str, ProjectSkill] = field(default_factory=dict)  # id -> skill
    by_name: dict[str, str] = field(default_factory=dict)  # canonical name -> id
    problems: dict[str, str] = field(default_factory=dict)  # path -> why it is not served
    index: HybridIndex | None = None


class RootSkills:
    """The read-only index of one project root; thread-safe, rescanned when its folders change."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._next_check = 0.0  # monotonic: the folders are looked at again from then on

    # -- reading the folders ------------------------------------------------------------------------

    def _candidates(self) -> tuple[list[tuple[str, Path, Path]], dict[str, str]]:
        """(kind, folder as listed, real folder) of every skill folder, and the folders refused."""
        out: list[tuple[str, Path, Path]] = []
        problems: dict[str, str] = {}
        seen: set[Path] = set()
        for kind in skill_folders():
            listed = self.root / kind
            if not os.path.isdir(listed):
                continue
            real_kind = Path(os.path.realpath(listed))
            if not _inside(real_kind, self.root):
                problems[str(listed)] = "a symbolic link out of the repository: not followed"
                continue
            try:
                entries = sorted(os.scandir(real_kind), key=lambda e: e.name)
            except OSError as exc:
                problems[str(listed)] = f"cannot be read: {exc.strerror or exc}"
                continue
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=True):
                    continue
                folder = listed / entry.name
                real = Path(os.path.realpath(entry.path))
                if not _inside(real, self.root):
                    problems[str(folder)] = "a symbolic link out of the repository: not followed"
                    continue
                if real in seen or not os.path.lexists(real / SKILL_FILE):
                    continue  # the same folder reached through a link inside the repository: read once
                seen.add(real)
                if len(out) >= MAX_SKILLS_PER_ROOT:
                    problems[str(self.root)] = f"more than {MAX_SKILLS_PER_ROOT} skill folders: the rest are not read"
                    return out, problems
                out.append((kind, folder, real))
        return out, problems

    def _signature(self, candidates: list[tuple[str, Path, Path]]) -> tuple[Any, ...]:
        """What a change of any served file would change: each SKILL.md's and resource file's stat."""
        parts: list[Any] = []
        for _, folder, real in candidates:
            parts.append((str(folder), _stat_key(real / SKILL_FILE)))
            for rel, path in resource_files(real):
                parts.append((rel, _stat_key(path)))
        return tuple(parts)

    def _read(self, folder: Path, real: Path) -> ProjectSkill | str:
        """The skill of one folder, or why it is not served."""
        try:
            raw = nofollow.read_regular(real / SKILL_FILE, MAX_SKILL_MD_BYTES)
        except InvalidInputError as exc:
            return str(exc)
        except OSError as exc:
            return f"cannot be read: {exc.strerror or exc}"
        data = redact_bytes(raw)[0]  # the repository's file is its own; nothing secret is served from it
        converted = skillmd.to_skill(skillmd.parse(data, path=str(folder / SKILL_FILE)), dir_name=folder.name)
        if converted.skill is None:
            return converted.skipped_reason or "unusable SKILL.md"
        skill = converted.skill
        problem = unsafe_name_problem(skill.name)
        if problem is not None:
            return f"the name {quoted(skill.name)} {problem}"
        mtime = datetime.fromtimestamp(os.lstat(real / SKILL_FILE).st_mtime, UTC).replace(microsecond=0).isoformat()
        skill.id = ID_PREFIX + str(uuid.uuid5(_NAMESPACE, str(folder)))  # stable, never a stored skill's id
        skill.scope = Scope.PROJECT
        skill.user_id = f"project:{self.root}"
        skill.status = SkillStatus.ACTIVE
        skill.created_at = skill.updated_at = mtime
        files = []
        for rel, path in resource_files(real):
            st = nofollow.regular_stat(path)
            if st is not None and st.st_size <= MAX_RESOURCE_BYTES:
                files.append((rel, st.st_size))
        return ProjectSkill(skill, folder, data, tuple(files))

    def invalidate(self) -> None:
        """Look at the folders on the next read (after a write of ours)."""
        with self._lock:
            self._next_check = 0.0

    def _current(self) -> _Loaded:
        """The index as the folders are now: looked at again at most every `MIN_RESCAN_SECONDS` and 20
        times what a look costs (the store's own spacing of hand-edit rescans), read again only when a
        stat moved."""
        with self._lock:
            loaded = self._loaded
            if loaded is not None and time.monotonic() < self._next_check:
                return loaded
        started = time.monotonic()
        candidates, refused = self._candidates()
        signature = (tuple(sorted(refused.items())), self._signature(candidates))
        with self._lock:
            self._next_check = time.monotonic() + max(MIN_RESCAN_SECONDS, 20 * (time.monotonic() - started))
            loaded = self._loaded
            if loaded is not None and loaded.signature == signature:
                return loaded
        fresh = _Loaded(signature, problems=dict(refused))
        for _, folder, real in candidates:
            got = self._read(folder, real)
            if isinstance(got, str):
                fresh.problems[str(folder / SKILL_FILE)] = got
                continue
            key = canonical_name(got.skill.name)
            held = fresh.by_name.get(key)
            if held is not None:
                fresh.problems[str(folder / SKILL_FILE)] = (
                    f"the name {quoted(got.skill.name)} is also {fresh.skills[held].folder}, which wins")
                continue
            fresh.by_name[key] = got.skill.id
            fresh.skills[got.skill.id] = got
        index = HybridIndex(None, background=False)
        index.upsert_many([(i, p.skill.index_text(), hashlib.sha256(p.skill_md).hexdigest())
                           for i, p in fresh.skills.items()])
        fresh.index = index
        with self._lock:
            self._loaded = fresh
        return fresh

    # -- what a view asks: the folders as they are now -------------------------------------------------

    def pinned(self) -> PinnedRoot:
        """The folders as they are now, kept so (one request's many reads cost one look at the folders)."""
        return PinnedRoot(self._current())

    @property
    def problems(self) -> dict[str, str]:
        """Each SKILL.md or folder not served, and why."""
        return self.pinned().problems

    def skills(self) -> list[ProjectSkill]:
        return self.pinned().skills()

    def get(self, skill_id: str) -> ProjectSkill | None:
        return self.pinned().get(skill_id)

    def find(self, name: str) -> ProjectSkill | None:
        return self.pinned().find(name)

    def search(self, query: str, *, top_k: int, min_score: float, tags: frozenset[str]) -> list[SkillHit]:
        return self.pinned().search(query, top_k=top_k, min_score=min_score, tags=tags)


class PinnedRoot:
    """One read of a root's folders: answers from it without looking at the folders again."""

    def __init__(self, loaded: _Loaded) -> None:
        self._loaded = loaded

    def pinned(self) -> PinnedRoot:
        return self

    @property
    def problems(self) -> dict[str, str]:
        return dict(self._loaded.problems)

    def skills(self) -> list[ProjectSkill]:
        return list(self._loaded.skills.values())

    def get(self, skill_id: str) -> ProjectSkill | None:
        return self._loaded.skills.get(skill_id)

    def find(self, name: str) -> ProjectSkill | None:
        loaded = self._loaded
        held = loaded.by_name.get(name) or loaded.by_name.get(canonical_name(name))
        return None if held is None else loaded.skills[held]

    def search(self, query: str, *, top_k: int, min_score: float, tags: frozenset[str]) -> list[SkillHit]:
        loaded = self._loaded
        if loaded.index is None or not loaded.skills:
            return []
        allowed = None if not tags else frozenset(
            i for i, p in loaded.skills.items() if tags & {t.lower() for t in p.skill.tags})
        docs = loaded.index.search(query, top_k, allowed=allowed, min_score=min_score)
        return [SkillHit(loaded.skills[d.doc_id].skill.copy(), d.score, d.keyword, d.vector, d.mode, d.note)
                for d in docs if d.doc_id in loaded.skills]


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _stat_key(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_mode if stat.S_ISLNK(st.st_mode) else 0, st.st_size, st.st_mtime_ns, st.st_ino)


_ROOTS: OrderedDict[Path, RootSkills] = OrderedDict()
_ROOTS_LOCK = threading.Lock()


def root_skills(root: Path) -> RootSkills:
    """The one index of a root in this process (sessions on the same repository share it)."""
    with _ROOTS_LOCK:
        held = _ROOTS.get(root)
        if held is None:
            held = _ROOTS[root] = RootSkills(root)
        _ROOTS.move_to_end(root)
        while len(_ROOTS) > CACHED_ROOTS:
            _ROOTS.popitem(last=False)
        return held


class ProjectSkills:
    """The skills of one or more project roots (an MCP session's roots); an earlier root's copy of a name wins."""

    def __init__(self, roots: Iterable[str | Path] = ()) -> None:
        """InvalidInputError for a root that is not a folder (a mistyped `--project` must not pass as empty)."""
        given = [Path(r).expanduser() for r in roots]
        missing = [str(r) for r in given if not r.is_dir()]
        if missing:
            raise InvalidInputError(f"project folder {missing[0]} does not exist (or is not a folder)")
        self.roots: tuple[Path, ...] = tuple(dict.fromkeys(project_root(r) for r in given))
        self._indexes: list[RootSkills | PinnedRoot] = [root_skills(r) for r in self.roots]

    def pinned(self) -> ProjectSkills:
        """These roots as their folders are now, kept so for as long as the result lives (a server's
        request: every read of it answers from one look at the folders). Live otherwise."""
        out = ProjectSkills()
        out.roots = self.roots
        out._indexes = [i.pinned() for i in self._indexes]
        return out

    @classmethod
    def of(cls, project: ProjectSkills | str | Path | Sequence[str | Path] | None) -> ProjectSkills:
        if isinstance(project, ProjectSkills):
            return project
        if project is None:
            return cls()
        if isinstance(project, (str, Path)):
            return cls([project])
        return cls(project)

    def __bool__(self) -> bool:
        return bool(self.roots)

    @property
    def problems(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for index in self._indexes:
            out.update(index.problems)
        return out

    def skills(self) -> list[ProjectSkill]:
        """One per name, by name."""
        best: dict[str, ProjectSkill] = {}
        for index in self._indexes:
            for p in index.skills():
                best.setdefault(canonical_name(p.skill.name), p)
        return [best[n] for n in sorted(best)]

    def get(self, skill_id: str) -> ProjectSkill | None:
        for index in self._indexes:
            got = index.get(skill_id)
            if got is not None:
                return got if self.find(got.skill.name) is got else None  # shadowed by an earlier root's
        return None

    def find(self, name: str) -> ProjectSkill | None:
        for index in self._indexes:
            got = index.find(name)
            if got is not None:
                return got
        return None

    def search(self, query: str, *, top_k: int, min_score: float, tags: frozenset[str]) -> list[SkillHit]:
        hits: list[SkillHit] = []
        seen: set[str] = set()
        for index in self._indexes:
            for hit in index.search(query, top_k=top_k, min_score=min_score, tags=tags):
                key = canonical_name(hit.skill.name)
                if key not in seen:
                    seen.add(key)
                    hits.append(hit)
        hits.sort(key=lambda h: -h.score)
        return hits[:top_k]


def _scopes(scope: str) -> tuple[str, ...]:
    try:
        return SCOPES[scope]
    except (KeyError, TypeError):
        raise InvalidInputError(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}") from None


def _read_only(p: ProjectSkill) -> ReadOnlyError:
    return ReadOnlyError(f"skill {p.skill.name!r} is a project skill ({p.folder / SKILL_FILE}) and read-only "
                         "here: edit that file in the repository, or save a copy under your own skills")


class ProjectView(SkillStore):
    """A store with a project's skills beside its own, under the store's rules of precedence.

    Reads route by id (`project:` ids are the project's); lists, finds and searches merge both,
    one copy per name as `PRECEDENCE` says. Writes go to the store, and any write aimed at a
    project skill is refused (ReadOnlyError). Anything else a caller asks of the store (its root,
    index, refresh, sync) is the store's own.
    """

    def __init__(self, base: SkillStore, project: ProjectSkills, *, owns_base: bool = False) -> None:
        self.base = base
        self.project = project
        self.owns_base = owns_base

    def __getattr__(self, name: str) -> Any:
        if name in ("base", "project", "owns_base"):  # not set yet (a half-built view): no recursion
            raise AttributeError(name)
        return getattr(self.base, name)

    def team_pool(self) -> ConnectionPool | None:
        return self.base.team_pool()

    def _project(self, skill_id: str) -> ProjectSkill | None:
        if not is_project_id(skill_id):
            return None
        found = self.project.get(skill_id)
        if found is None:
            raise NotFoundError(f"no skill with id {skill_id!r}")
        return found

    # -- reads ----------------------------------------------------------------------------------------

    def get(self, skill_id: str, *, include_files: bool = False, user_id: str | None = None) -> Skill | None:
        if not is_project_id(skill_id):
            return self.base.get(skill_id, include_files=include_files, user_id=user_id)
        found = self.project.get(skill_id)
        if found is None:
            return None
        skill = found.skill.copy()
        if include_files:
            skill.files = {rel: self.read_file(skill_id, rel) for rel, _ in found.files}
        return skill

    def find(self, name: str, *, user_id: str, scope: str = "all") -> Skill | None:
        scopes = _scopes(scope)
        stored = self.base.find(name, user_id=user_id, scope=scope) if set(scopes) - {"project"} else None
        if "project" not in scopes or not self.project or (stored is not None and stored.scope == Scope.USER):
            return stored
        found = self.project.find(name)
        return found.skill.copy() if found is not None else stored

    def summaries(self, *, user_id: str | None = None, scope: str = "user",
                  include_archived: bool = False) -> list[SkillSummary]:
        scopes = _scopes(scope)
        rows = self.base.summaries(user_id=user_id, scope=scope, include_archived=include_archived)
        if "project" in scopes:
            rows = rows + [p.summary() for p in self.project.skills()]
        return rows

    def search(
        self, query: str, *, user_id: str, scope: str = "all", top_k: int = 5, min_score: float = 0.0,
        tags: Iterable[str] | None = None, wait: bool = False, load_model: bool = False,
    ) -> list[SkillHit]:
        scopes = _scopes(scope)
        if "project" not in scopes or not self.project:
            return self.base.search(query, user_id=user_id, scope=scope, top_k=top_k, min_score=min_score,
                                    tags=tags, wait=wait, load_model=load_model)
        if not isinstance(query, str) or not query.strip():
            raise InvalidInputError("the query is empty: say what the task is, e.g. 'write a commit message'")
        if not isinstance(top_k, int) or top_k < 1:
            raise InvalidInputError("top_k must be a positive integer")
        wanted = frozenset(t.lower() for t in tags or ())
        stored: list[SkillHit] = []
        if set(scopes) - {"project"}:
            stored = self.base.search(query, user_id=user_id, scope=scope, top_k=top_k, min_score=min_score,
                                      tags=tags, wait=wait, load_model=load_model)
        ours = self.project.search(query, top_k=top_k, min_score=min_score, tags=wanted)
        if "user" in scopes:  # the user's own copy of a name beats the repository's, even where it did not rank
            ours = [h for h in ours if self.base.find(h.skill.name, user_id=user_id, scope="user") is None]
        mine = {canonical_name(h.skill.name) for h in ours}
        stored = [h for h in stored if h.skill.scope == Scope.USER or canonical_name(h.skill.name) not in mine]
        return sorted(stored + ours, key=lambda h: -h.score)[:top_k]

    def list_files(self, skill_id: str, *, user_id: str | None = None) -> list[FileInfo]:
        found = self._project(skill_id)
        if found is None:
            return self.base.list_files(skill_id, user_id=user_id)
        return [FileInfo(rel, size) for rel, size in found.files]

    def read_file(self, skill_id: str, rel_path: str, *, user_id: str | None = None) -> bytes:
        found = self._project(skill_id)
        if found is None:
            return self.base.read_file(skill_id, rel_path, user_id=user_id)
        rel = check_resource_path(rel_path)
        if rel not in {r for r, _ in found.files}:
            raise NotFoundError(f"skill {found.skill.name!r} has no file {quoted(rel_path)}")
        return redact_bytes(nofollow.read_regular(Path(os.path.realpath(found.folder)) / rel, MAX_RESOURCE_BYTES))[0]

    def skill_dir(self, skill_id: str, *, user_id: str | None = None) -> Path | None:
        if not is_project_id(skill_id):
            return self.base.skill_dir(skill_id, user_id=user_id)
        found = self.project.get(skill_id)
        return None if found is None else found.folder

    def read_skill_md(self, skill_id: str, *, user_id: str | None = None) -> bytes:
        found = self._project(skill_id)
        if found is None:
            return self.base.read_skill_md(skill_id, user_id=user_id)
        return found.skill_md

    def versions(self, skill_id: str) -> list[VersionInfo]:
        found = self._project(skill_id)
        if found is None:
            return self.base.versions(skill_id)
        return [VersionInfo(1, found.skill.version, "read from the repository", found.skill.updated_at,
                            current=True, content_hash=hashlib.sha256(found.skill_md).hexdigest())]

    def get_version(self, skill_id: str, version: str) -> Skill:
        found = self._project(skill_id)
        if found is None:
            return self.base.get_version(skill_id, version)
        if version not in (found.skill.version, "#1"):
            raise NotFoundError(f"project skill {found.skill.name!r} has only its current version "
                                f"{found.skill.version} (the repository keeps its history)")
        return found.skill.copy()

    def usage(self, skill_id: str, *, user_id: str | None = None) -> dict[str, Any]:
        return self.base.usage(skill_id, user_id=user_id)  # never counted: the store holds no such id

    def change_seq(self) -> int:
        return self.base.change_seq()

    # -- writes ---------------------------------------------------------------------------------------

    def _check_writable(self, skill: Skill) -> None:
        found = self.project.get(skill.id) if is_project_id(skill.id) else None
        if found is not None:
            raise _read_only(found)
        if skill.scope == Scope.PROJECT or is_project_id(skill.id):
            raise ReadOnlyError(f"skill {skill.name!r} is a project skill and read-only here: edit its file in "
                                "the repository, or save a copy under your own skills")

    def save(self, skill: Skill, *, reason: str = "save", expected_version: str | None = None,
             replace_files: bool = False) -> Skill:
        self._check_writable(skill)
        return self.base.save(skill, reason=reason, expected_version=expected_version, replace_files=replace_files)

    def save_many(self, skills: Sequence[Skill], *, reason: str = "save") -> list[Skill]:
        for skill in skills:
            self._check_writable(skill)
        return self.base.save_many(skills, reason=reason)

    def save_verbatim(self, items: Sequence[tuple[Skill, bytes]], *, reason: str = "import") -> list[Skill]:
        for skill, _ in items:
            self._check_writable(skill)
        return self.base.save_verbatim(items, reason=reason)

    def delete(self, skill_id: str) -> bool:
        found = self._project(skill_id)
        if found is not None:
            raise _read_only(found)
        return self.base.delete(skill_id)

    def rollback(self, skill_id: str, to_version: str | None = None) -> Skill:
        found = self._project(skill_id)
        if found is not None:
            raise _read_only(found)
        return self.base.rollback(skill_id, to_version)

    def record_usage_many(self, counts: Sequence[tuple[str, str, int, int]]) -> None:
        kept = [c for c in counts if not is_project_id(c[0])]  # the repository's skills are not the store's to count
        if kept:
            self.base.record_usage_many(kept)

    def close(self) -> None:
        if self.owns_base:
            self.base.close()

    # -- asked for: a write into the repository ---------------------------------------------------------

    def save_to_project(self, skill: Skill, *, expected_version: str | None = None) -> ProjectSave:
        """Write `skill` into the first project root, only when asked (`scope="project"`).

        The file a name already has in that root is replaced; a new name goes to
        `<root>/.agents/skills/<name>/SKILL.md`. Atomic (temp file and rename), never through a
        link, secrets redacted, the store's size limit; the store itself is not touched.
        """
        if not self.project:
            raise InvalidInputError("no project to save into: give the repository (MCP roots, or `project=`)")
        problem = name_input_problem(skill.name)
        if problem is not None:
            raise InvalidInputError(f"invalid skill name {quoted(skill.name)}: {problem}")
        root = self.project.roots[0]
        index = root_skills(root)
        existing = index.find(skill.name)
        if expected_version is not None and (existing.skill.version if existing else None) != expected_version:
            raise ConflictError(f"project skill {skill.name!r} is at version "
                                f"{existing.skill.version if existing else '(none)'}, not {expected_version}")
        rel = (existing.folder.relative_to(root) if existing else Path(WRITE_FOLDER) / skill.name) / SKILL_FILE
        # the file's own id is its folder's, so saving again does not change it
        draft = skill.copy(scope=Scope.USER, version=existing.skill.version if existing else DEFAULT_VERSION,
                           id=str(uuid.uuid5(_NAMESPACE, str(root / rel.parent))))
        data, found = redact_bytes(skillmd.render(draft).encode("utf-8"))
        if existing is not None and data == existing.skill_md:
            return ProjectSave("unchanged", existing.skill.copy(), {}, existing.folder / SKILL_FILE)
        if existing is not None:
            draft.version = bump_version(existing.skill.version)
            data, found = redact_bytes(skillmd.render(draft).encode("utf-8"))
        if len(data) > MAX_SKILL_MD_BYTES:
            raise InvalidInputError(f"the SKILL.md is {len(data):,} bytes; at most {MAX_SKILL_MD_BYTES:,}: move long "
                                    "material into files under references/; nothing was written")
        target = nofollow.write_file(root, rel.as_posix(), data)
        os.chmod(target, 0o644)  # a repository's file, for everyone who checks it out (the temp file was 0600)
        index.invalidate()
        saved = index.find(draft.name)
        if saved is None:  # written, yet unreadable as a skill: say so rather than pretend
            raise InvalidInputError(f"{target} was written but cannot be read back: {index.problems.get(str(target))}")
        return ProjectSave("updated" if existing else "created", saved.skill.copy(), dict(found), target)


@dataclass(frozen=True)
class ProjectSave:
    """What a write into a project did: its outcome, the skill as now served, secrets removed, the file."""

    action: Literal["created", "updated", "unchanged"]
    skill: Skill
    redacted: dict[str, int]
    path: Path
