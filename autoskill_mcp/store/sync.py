"""Keep an agent's native skills folder equal to the skills a user sees: `autoskill sync`.

`export` writes once; a skill learned tomorrow would never reach the agent. A sync plans
what to add, update and remove, and writes only folders it owns: each one it writes holds
a marker file (`.autoskill-sync.json`: skill id, version, content hash, source store). A
folder without our marker is the user's own and is never touched (reported as skipped),
nor is one whose content no longer matches its marker (a hand edit; `force` overwrites).
Each folder is built beside its target and renamed into place, so an agent reads the old
skill or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .. import skillmd
from ..errors import InvalidInputError
from ..skillmd.names import unsafe_name_problem
from . import nofollow
from .base import SCOPES, SkillStore
from .layout import check_folder_name, check_resource_path
from .transfer import AGENT_SKILL_DIRS, agent_skill_dir, export_profile_for

try:  # POSIX: two syncers of one folder (a worker and `sync --watch`) take turns
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, each folder's rename is still atomic
    fcntl = None  # type: ignore[assignment]

#: the file that says "autoskill wrote this folder" (and what it wrote)
MARKER = ".autoskill-sync.json"
#: temp folders beside the targets start with this (left-overs of a crash are removed on the next sync)
TEMP_PREFIX = ".autoskill-sync-"
_LOCK = ".autoskill-sync.lock"
_MARKER_FORMAT = 1
_MAX_MARKER_BYTES = 64 * 1024

Action = Literal["add", "update", "remove", "unchanged", "skip-foreign", "skip-edited", "skip-invalid"]
#: the actions that write or remove a folder
CHANGES: frozenset[str] = frozenset({"add", "update", "remove"})


@dataclass(frozen=True)
class SyncItem:
    """What a sync does (or would do) with one folder of the destination."""

    action: Action
    name: str
    skill_id: str | None = None
    version: str | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "name": self.name, "skill_id": self.skill_id, "version": self.version,
                "reason": self.reason}


@dataclass
class SyncReport:
    """The plan for one destination and, once applied, what failed."""

    dest: Path
    items: list[SyncItem] = field(default_factory=list)
    applied: bool = False
    #: (folder name, message) for each change that could not be made (nothing half-written)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def of(self, action: str) -> list[SyncItem]:
        return [i for i in self.items if i.action == action]

    @property
    def changed(self) -> bool:
        """Whether the plan writes or removes anything."""
        return any(i.action in CHANGES for i in self.items)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in self.items:
            out[item.action] = out.get(item.action, 0) + 1
        return out

    def summary(self) -> str:
        """One line: `<dest>: 2 add, 1 remove, 1 skip-foreign` (counts in plan order)."""
        counts = self.counts()
        parts = [f"{counts[a]} {a}" for a in ("add", "update", "remove", "unchanged", "skip-foreign",
                                              "skip-edited", "skip-invalid") if counts.get(a)]
        if self.errors:
            parts.append(f"{len(self.errors)} failed")
        return f"{self.dest}: {', '.join(parts) or 'nothing to sync'}"

    def brief(self) -> dict[str, Any]:
        """What a job's result records of a sync: where, how many of each action, what failed."""
        return {"dest": str(self.dest), "counts": self.counts(),
                "errors": [f"{name}: {error}" if name else error for name, error in self.errors]}

    def to_dict(self) -> dict[str, Any]:
        return {"dest": str(self.dest), "applied": self.applied, "counts": self.counts(),
                "items": [i.to_dict() for i in self.items],
                "errors": [{"name": n, "error": e} for n, e in self.errors]}


@dataclass(frozen=True)
class _Marker:
    skill_id: str
    version: str
    profile: str
    source: str
    content_hash: str

    def to_bytes(self) -> bytes:
        return (json.dumps({"format": _MARKER_FORMAT, "skill_id": self.skill_id, "version": self.version,
                            "profile": self.profile, "source": self.source, "content_hash": self.content_hash},
                           indent=2) + "\n").encode("utf-8")


def _read_marker(folder: Path) -> _Marker | None:
    """The marker of a folder we wrote, or None (none there, a link, or not ours: unreadable)."""
    try:
        data = json.loads(nofollow.read_regular(folder / MARKER, _MAX_MARKER_BYTES))
        return _Marker(str(data["skill_id"]), str(data["version"]), str(data["profile"]), str(data["source"]),
                       str(data["content_hash"]))
    except (OSError, InvalidInputError, ValueError, KeyError, TypeError):
        return None


def content_hash(files: dict[str, bytes]) -> str:
    """The hash of a folder's content: every file's path and bytes, the marker and hidden files aside."""
    digest = hashlib.sha256()
    for rel in sorted(files):
        digest.update(rel.encode("utf-8", "surrogatepass") + b"\0")
        digest.update(hashlib.sha256(files[rel]).digest())
    return digest.hexdigest()


def _folder_hash(folder: Path) -> str:
    """`content_hash` of a folder as it is on disk (a link inside counts as content: it is not ours)."""
    digest_files: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                digest_files[rel] = b"link:" + os.readlink(path).encode("utf-8", "surrogateescape")
            else:
                digest_files[rel] = path.read_bytes()
        for name in dirnames:  # a link to a folder is listed as a dir and never walked
            path = Path(dirpath) / name
            if path.is_symlink():
                digest_files[path.relative_to(folder).as_posix()] = b"link:" + os.readlink(path).encode(
                    "utf-8", "surrogateescape")
    return content_hash(digest_files)


def store_source(store: SkillStore, home: str | Path) -> str:
    """What a marker names as the store that wrote a folder: the store's folder (else the home), resolved,
    the same for the CLI and the worker, so one's folders are the other's to update."""
    return str(Path(getattr(store, "root", None) or home).expanduser().resolve())


def sync_dest(agent: str | None, dest: str | Path | None) -> Path:
    """The folder a sync writes: `dest` when given, else the agent's native skills folder."""
    if dest is not None:
        return Path(dest).expanduser()
    if agent is None:
        raise InvalidInputError("name an agent (--to) or a folder (--dest) to sync to")
    return agent_skill_dir(agent)


@dataclass(frozen=True)
class _Wanted:
    skill_id: str
    name: str
    version: str


def _wanted(store: SkillStore, user_id: str, scope: str, report: SyncReport) -> dict[str, _Wanted]:
    """Folder name -> the skill that should be there; names no folder can have are reported."""
    if scope not in SCOPES:
        raise InvalidInputError(f"unknown scope {scope!r}; use one of: {', '.join(SCOPES)}")
    out: dict[str, _Wanted] = {}
    for s in store.visible(user_id, scope=scope):
        problem = unsafe_name_problem(s.name)
        try:
            name = check_folder_name(s.name) if problem is None else None
        except InvalidInputError as exc:
            problem = str(exc)
            name = None
        if name is None:
            report.items.append(SyncItem("skip-invalid", s.name[:120], s.id, s.version,
                                         f"its name cannot be a folder name: {problem}"))
            continue
        out[name] = _Wanted(s.id, name, s.version)
    return out


def _entries(root: Path) -> dict[str, os.DirEntry[str]]:
    try:
        return {e.name: e for e in os.scandir(root) if not e.name.startswith(".")}
    except FileNotFoundError:
        return {}


def _render(store: SkillStore, wanted: _Wanted, profile: str) -> dict[str, bytes] | None:
    """Every file of the folder for one skill (SKILL.md rendered in `profile`), or None when it is gone."""
    skill = store.get(wanted.skill_id, include_files=True)
    if skill is None:
        return None
    files = {check_resource_path(rel): data for rel, data in skill.files.items()}
    files["SKILL.md"] = skillmd.render(skill, profile=profile).encode("utf-8")
    return files


def plan_sync(store: SkillStore, dest: str | Path, *, user_id: str, source: str, scope: str = "all",
              profile: str = "spec", force: bool = False) -> SyncReport:
    """What a sync of `dest` would do, writing nothing (`source` names the store in markers)."""
    report, _ = _plan(store, Path(dest).expanduser(), user_id=user_id, source=source, scope=scope,
                      profile=profile, force=force)
    return report


def _plan(store: SkillStore, dest: Path, *, user_id: str, source: str, scope: str, profile: str,
          force: bool) -> tuple[SyncReport, dict[str, dict[str, bytes]]]:
    """The plan, and the files of each folder to write (rendered once, for planning and writing)."""
    report = SyncReport(dest)
    wanted = _wanted(store, user_id, scope, report)
    root = dest.resolve() if dest.exists() else dest
    present = _entries(root)
    contents: dict[str, dict[str, bytes]] = {}
    for name in sorted(set(wanted) | set(present)):
        want, entry = wanted.get(name), present.get(name)
        marker = None
        if entry is not None and entry.is_dir(follow_symlinks=False):
            marker = _read_marker(root / name)
        if entry is not None and (marker is None or marker.source != source):
            if want is not None:
                whose = "the user's own folder" if marker is None else f"written by another store ({marker.source})"
                report.items.append(SyncItem("skip-foreign", name, want.skill_id, want.version,
                                             f"{root / name} exists and is {whose}: left alone"))
            continue
        if want is None:
            assert marker is not None  # present and ours
            edited = _folder_hash(root / name) != marker.content_hash
            if edited and not force:
                report.items.append(SyncItem("skip-edited", name, marker.skill_id, marker.version,
                                             "the skill is no longer synced, but the folder was edited by hand: "
                                             "kept (force removes it)"))
            else:
                report.items.append(SyncItem("remove", name, marker.skill_id, marker.version,
                                             "no longer among the synced skills"))
            continue
        if marker is not None:
            on_disk = _folder_hash(root / name)
            if on_disk != marker.content_hash and not force:
                report.items.append(SyncItem("skip-edited", name, want.skill_id, want.version,
                                             f"{root / name} was edited by hand since it was synced: kept "
                                             "(force overwrites it)"))
                continue
            if on_disk == marker.content_hash and (marker.skill_id, marker.version, marker.profile) == (
                    want.skill_id, want.version, profile):  # a version is one content: nothing to read
                report.items.append(SyncItem("unchanged", name, want.skill_id, want.version))
                continue
        try:
            files = _render(store, want, profile)
        except InvalidInputError as exc:
            report.items.append(SyncItem("skip-invalid", name, want.skill_id, want.version, str(exc)))
            continue
        if files is None:  # deleted since it was listed: the next sync removes its folder
            continue
        contents[name] = files
        if marker is None:
            report.items.append(SyncItem("add", name, want.skill_id, want.version))
        else:
            was = f"{marker.version} -> {want.version}" if marker.version != want.version else "rewritten"
            report.items.append(SyncItem("update", name, want.skill_id, want.version, was))
    return report, contents


def sync_skills(store: SkillStore, dest: str | Path, *, user_id: str, source: str, scope: str = "all",
                profile: str = "spec", force: bool = False, dry_run: bool = False) -> SyncReport:
    """Make `dest` hold exactly the skills `user_id` sees in `scope`, in the folders this sync owns.

    Returns the plan; unless `dry_run` it is applied, each folder on its own (one failing is
    reported in `errors` and leaves that folder as it was).
    """
    dest = Path(dest).expanduser()
    if dry_run:
        return plan_sync(store, dest, user_id=user_id, source=source, scope=scope, profile=profile, force=force)
    try:
        dest.mkdir(parents=True, exist_ok=True)  # `dest` itself may be a link (a dotfiles checkout); nothing below
        with _locked(dest.resolve()):
            return _apply(store, dest, user_id=user_id, source=source, scope=scope, profile=profile, force=force)
    except OSError as exc:  # not a folder, not writable, a full disk: bad input for this destination
        raise InvalidInputError(f"cannot sync into {dest}: {exc}") from exc


def _apply(store: SkillStore, dest: Path, *, user_id: str, source: str, scope: str, profile: str,
           force: bool) -> SyncReport:
    """Plan and apply under the destination's lock."""
    root = dest.resolve()
    _clean_leftovers(root)
    report, contents = _plan(store, dest, user_id=user_id, source=source, scope=scope, profile=profile,
                             force=force)
    for item in report.items:
        if item.action not in CHANGES:
            continue
        try:
            if item.action == "remove":
                _remove(root, item.name)
            else:
                assert item.skill_id is not None and item.version is not None
                files = contents[item.name]
                marker = _Marker(item.skill_id, item.version, profile, source, content_hash(files))
                _place(root, item.name, files, marker)
        except (OSError, InvalidInputError) as exc:
            report.errors.append((item.name, str(exc)))
    report.applied = True
    return report


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    if fcntl is None:
        yield
        return
    fd = os.open(root / _LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _clean_leftovers(root: Path) -> None:
    """Remove temp folders a killed sync left beside the targets (they hold our marker, or nothing yet)."""
    for entry in os.scandir(root):
        if entry.name.startswith(TEMP_PREFIX) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)


def _temp(root: Path, name: str, kind: str) -> Path:
    return root / f"{TEMP_PREFIX}{kind}-{name[:40]}-{uuid.uuid4().hex[:12]}"


def _place(root: Path, name: str, files: dict[str, bytes], marker: _Marker) -> None:
    """Write the folder beside its target, then rename it into place (the old one moved aside first)."""
    target = root / name
    nofollow.check_real_dir(target)  # an existing one must be a real folder (we checked its marker)
    tmp = _temp(root, name, "new")
    try:
        for rel, data in files.items():
            nofollow.write_file(root, f"{tmp.name}/{rel}", data, durable=False)
        nofollow.write_file(root, f"{tmp.name}/{MARKER}", marker.to_bytes(), durable=False)
        old: Path | None = None
        if os.path.lexists(target):
            old = _temp(root, name, "old")
            os.rename(target, old)
        try:
            os.rename(tmp, target)
        except OSError:
            if old is not None:
                os.rename(old, target)
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _remove(root: Path, name: str) -> None:
    """Remove a folder we own: moved aside first, so it vanishes at once and whole."""
    target = root / name
    st = os.lstat(target)
    if not stat.S_ISDIR(st.st_mode):
        raise InvalidInputError(f"{target} is not a folder: not removed")
    old = _temp(root, name, "old")
    os.rename(target, old)
    shutil.rmtree(old, ignore_errors=True)


@dataclass(frozen=True)
class SyncSettings:
    """The `[sync]` table of config.toml: what the queue worker syncs after each job that changed the store."""

    targets: tuple[str, ...] = ()
    scope: str = "all"
    dests: tuple[str, ...] = ()

    @classmethod
    def from_table(cls, table: dict[str, Any], where: str) -> SyncSettings:
        targets = table.get("targets", [])
        dests = table.get("dests", [])
        scope = table.get("scope", "all")
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise InvalidInputError(f"{where}: [sync] targets must be a list of agent names")
        unknown = [t for t in targets if t not in AGENT_SKILL_DIRS]
        if unknown:
            raise InvalidInputError(f"{where}: [sync] targets: unknown agent {unknown[0]!r}; known: "
                                    f"{', '.join(AGENT_SKILL_DIRS)}")
        if not isinstance(dests, list) or not all(isinstance(d, str) and d.strip() for d in dests):
            raise InvalidInputError(f"{where}: [sync] dests must be a list of folder paths")
        if scope not in SCOPES:
            raise InvalidInputError(f"{where}: [sync] scope must be one of {', '.join(SCOPES)}")
        return cls(tuple(targets), str(scope), tuple(dests))

    def destinations(self) -> list[tuple[Path, str]]:
        """(folder, SKILL.md profile) for each target agent and each plain folder."""
        return [(agent_skill_dir(t), export_profile_for(t)) for t in self.targets] + \
               [(Path(d).expanduser(), "spec") for d in self.dests]


def sync_configured(store: SkillStore, settings: SyncSettings, *, user_id: str, source: str) -> list[SyncReport]:
    """Run every sync `[sync]` asks for; a destination that fails is reported in its report's errors."""
    reports: list[SyncReport] = []
    for dest, profile in settings.destinations():
        try:
            reports.append(sync_skills(store, dest, user_id=user_id, source=source, scope=settings.scope,
                                       profile=profile))
        except (OSError, InvalidInputError) as exc:
            failed = SyncReport(dest)
            failed.errors.append(("", str(exc)))
            reports.append(failed)
    return reports
