"""Import skill folders from anywhere, export skills to any folder or agent.

Import is lenient where the data is usable (AutoSkill SkillBank files, Claude
Code skills with their extra keys) and strict about the filesystem: bounded
depth, size and file counts, no symlinks followed, nothing outside the source.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import skillmd
from ..errors import ConflictError, InvalidInputError, NotFoundError
from ..skill import Scope, Skill
from ..skillmd.lookalike import skeleton
from ..skillmd.names import canonical_name, name_input_problem, unsafe_name_problem
from . import nofollow
from .base import ImportReport, SkillStore
from .layout import MAX_SKILL_MD_BYTES, check_folder_name, check_resource_path

#: where each agent reads personal skills from (the export targets `--to <agent>`)
AGENT_SKILL_DIRS: dict[str, str] = {
    "claude-code": "~/.claude/skills",
    "codex": "~/.codex/skills",
    "cursor": "~/.cursor/skills",
    "copilot": "~/.copilot/skills",
    "gemini": "~/.gemini/skills",
    "agents": "~/.agents/skills",
}

#: where each agent reads a repository's own skills, relative to the repository's root (project scope)
PROJECT_SKILL_DIRS: dict[str, str] = {
    "claude-code": ".claude/skills",
    "codex": ".codex/skills",
    "cursor": ".cursor/skills",
    "copilot": ".github/skills",
    "gemini": ".gemini/skills",
    "agents": ".agents/skills",
}

_SKIP_DIRS = {".git", "node_modules", "__pycache__", ".venv", "venv"}
#: `on_progress(stage, done, total)`: what a bulk import or export is doing, for a progress bar
ProgressFn = Callable[[str, int, int], None]
_SAVE_CHUNK = 200


def _quiet(stage: str, done: int, total: int) -> None:
    """The default progress callback: nobody is watching."""


@dataclass
class ImportLimits:
    """Bounds that keep a hostile or huge folder from hurting the store."""

    max_depth: int = 6
    max_skill_md_bytes: int = 1024 * 1024
    max_file_bytes: int = 1024 * 1024
    max_files_per_skill: int = 512
    max_bytes_per_skill: int = 16 * 1024 * 1024
    max_dirs_scanned: int = 500_000


def find_skill_files(root: Path, limits: ImportLimits, truncated: list[str] | None = None) -> list[Path]:
    """Every SKILL.md (or skill.md) below `root`, without following symlinks or leaving it.

    When the scan bound stops it early, a message saying so is appended to `truncated`.
    """
    root = root.resolve()
    found: list[Path] = []
    stack: list[tuple[Path, int]] = [(root, 0)]
    scanned = 0
    while stack and scanned < limits.max_dirs_scanned:
        dir_, depth = stack.pop()
        scanned += 1
        try:
            entries = sorted(os.scandir(dir_), key=lambda e: e.name)
        except OSError:
            continue
        names = {e.name: e for e in entries}
        skill_entry = names.get("SKILL.md") or names.get("skill.md")
        if skill_entry is not None and skill_entry.is_file(follow_symlinks=False):
            found.append(Path(skill_entry.path))
            continue  # a skill's own subfolders are its resources, not more skills
        if depth >= limits.max_depth:
            continue
        for entry in reversed(entries):
            if entry.is_dir(follow_symlinks=False) and not entry.name.startswith(".") and entry.name not in _SKIP_DIRS:
                stack.append((Path(entry.path), depth + 1))
    if stack and truncated is not None:
        truncated.append(
            f"stopped after scanning {scanned} folders ({len(stack)} not visited); "
            "import a narrower folder or raise ImportLimits.max_dirs_scanned"
        )
    return found


def _collect_files(skill_dir: Path, limits: ImportLimits, report: ImportReport) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    for dirpath, dirnames, filenames in os.walk(skill_dir, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(skill_dir).as_posix()
            if rel in ("SKILL.md", "skill.md") or name.startswith("."):
                continue
            if path.is_symlink():
                report.warnings.append((str(path), "symlink not imported"))
                continue
            try:
                check_resource_path(rel)
                size = path.stat().st_size
            except (InvalidInputError, OSError) as exc:
                report.warnings.append((str(path), f"not imported: {exc}"))
                continue
            if size > limits.max_file_bytes:
                report.warnings.append((str(path), f"not imported: {size} bytes is over {limits.max_file_bytes}"))
                continue
            if len(files) >= limits.max_files_per_skill or total + size > limits.max_bytes_per_skill:
                report.warnings.append((str(path), "not imported: the skill's file or size limit was reached"))
                continue
            files[rel] = path.read_bytes()
            total += size
    return files


def import_skill_dirs(
    store: SkillStore,
    root_dir: str | Path,
    *,
    user_id: str,
    scope: Scope = Scope.USER,
    overwrite: bool = False,
    include_files: bool = True,
    limits: ImportLimits | None = None,
    on_progress: ProgressFn | None = None,
) -> ImportReport:
    """Import every skill folder below `root_dir` into the store; returns what happened to each."""
    progress = on_progress or _quiet
    limits = limits or ImportLimits()
    root = Path(root_dir).expanduser()
    if not root.exists():
        raise NotFoundError(f"{root} does not exist")
    if root.is_file():
        root = root.parent if root.name.lower() == "skill.md" else root
    if not root.is_dir():
        raise InvalidInputError(f"{root} is not a folder")
    report = ImportReport()
    batch: list[tuple[bytes, Skill, str]] = []
    truncated: list[str] = []
    found = find_skill_files(root, limits, truncated)
    report.warnings += [(str(root), message) for message in truncated]
    progress("reading skill folders", 0, len(found))
    for done, md_path in enumerate(found, 1):
        if done % 50 == 0 or done == len(found):
            progress("reading skill folders", done, len(found))
        where = str(md_path.parent)
        try:
            size = md_path.stat().st_size
        except OSError as exc:
            report.skipped.append((where, f"cannot read: {exc}"))
            continue
        limit = min(limits.max_skill_md_bytes, MAX_SKILL_MD_BYTES)  # the store reads no bigger one back
        if size > limit:
            report.skipped.append((where, f"SKILL.md is {size:,} bytes, over the {limit:,}-byte limit"))
            continue
        raw = md_path.read_bytes()
        skill = _read_skill_md(raw, where, path=str(md_path), dir_name=md_path.parent.name, report=report)
        if skill is None:
            continue
        skill = skill.copy(user_id=user_id, scope=scope)
        if include_files:
            skill.files = _collect_files(md_path.parent, limits, report)
        batch.append((raw, skill, where))
    _save_imported(store, batch, user_id=user_id, overwrite=overwrite, report=report, progress=progress)
    return report


def _read_skill_md(raw: bytes, where: str, *, path: str | None, dir_name: str | None,
                   report: ImportReport) -> Skill | None:
    """The skill one imported SKILL.md describes (its problems noted in `report` under `where`), or None."""
    parsed = skillmd.parse(raw, path=path)
    result = skillmd.to_skill(parsed, dir_name=dir_name)
    if result.skill is None:
        report.skipped.append((where, result.skipped_reason or "no usable name or description"))
        return None
    for message in result.warnings:
        report.warnings.append((where, message))
    for diag in skillmd.validate(parsed, path=path, dir_name=dir_name):
        if diag.severity in ("error", "warning"):
            report.warnings.append((where, f"{diag.rule_id}: {diag.message}"))
    return result.skill


def import_skill_texts(
    store: SkillStore,
    texts: Sequence[str],
    *,
    user_id: str,
    scope: Scope = Scope.USER,
    overwrite: bool = False,
) -> tuple[ImportReport, list[str | None]]:
    """Import SKILL.md texts sent over a network (no folder, so no files), as `import_skill_dirs` imports
    folders: the same checks, names and verbatim bytes. Item i is reported under `skills[i]`; also
    returned: the name each item is stored under (None for one that names no skill)."""
    report = ImportReport()
    batch: list[tuple[bytes, Skill, str]] = []
    names: list[str | None] = []
    for i, text in enumerate(texts):
        where = f"skills[{i}]"
        raw = text.encode("utf-8", "surrogatepass")
        if len(raw) > MAX_SKILL_MD_BYTES:
            report.skipped.append((where, f"SKILL.md is {len(raw):,} bytes, over the {MAX_SKILL_MD_BYTES:,}-byte "
                                          "limit"))
            names.append(None)
            continue
        skill = _read_skill_md(raw, where, path=None, dir_name=None, report=report)
        names.append(None if skill is None else canonical_name(skill.name))
        if skill is not None:
            batch.append((raw, skill.copy(user_id=user_id, scope=scope), where))
    _save_imported(store, batch, user_id=user_id, overwrite=overwrite, report=report)
    return report, names


#: an archive may hold this many entries at most (a skill's folder is small; more is a zip bomb's shape)
MAX_ARCHIVE_ENTRIES = 20_000
#: ... and unpack to this many bytes at most
MAX_ARCHIVE_BYTES = 256 * 1024 * 1024


def import_archive(
    store: SkillStore,
    data: bytes,
    *,
    user_id: str,
    scope: Scope = Scope.USER,
    overwrite: bool = False,
    limits: ImportLimits | None = None,
) -> ImportReport:
    """Import the skill folders of a zip archive (what `export_archive` writes), as `import_skill_dirs`
    imports a folder. Entries that would land outside the archive (absolute paths, `..`), links and
    files over the per-file limit are skipped with a warning; a bomb's size or entry count is refused.
    Paths in the report are the archive's own (`name/SKILL.md`'s folder is `name`)."""
    import io
    import stat
    import tempfile
    import zipfile

    limits = limits or ImportLimits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InvalidInputError(f"not a zip archive: {exc}") from None
    entries = archive.infolist()
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise InvalidInputError(f"the archive has {len(entries):,} entries, over the {MAX_ARCHIVE_ENTRIES:,} limit")
    warnings: list[tuple[str, str]] = []
    per_file = max(limits.max_file_bytes, min(limits.max_skill_md_bytes, MAX_SKILL_MD_BYTES))
    with archive, tempfile.TemporaryDirectory(prefix="autoskill-import-") as tmp:
        root, unpacked = Path(tmp), 0
        for entry in entries:
            name = entry.filename
            parts = name.replace("\\", "/").split("/")
            if entry.is_dir():
                continue
            if name.startswith("/") or "\\" in name or ".." in parts or ":" in parts[0]:
                warnings.append((name, "skipped: the path leaves the archive"))
                continue
            if stat.S_ISLNK(entry.external_attr >> 16):
                warnings.append((name, "skipped: a link"))
                continue
            if entry.file_size > per_file:
                warnings.append((name, f"skipped: {entry.file_size:,} bytes, over the {per_file:,}-byte limit"))
                continue
            unpacked += entry.file_size
            if unpacked > MAX_ARCHIVE_BYTES:
                raise InvalidInputError(f"the archive unpacks to over {MAX_ARCHIVE_BYTES:,} bytes")
            with archive.open(entry) as src:
                content = src.read(per_file + 1)
            if len(content) > per_file:  # the entry said less than it holds
                warnings.append((name, f"skipped: over the {per_file:,}-byte limit"))
                continue
            target = root.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        report = import_skill_dirs(store, root, user_id=user_id, scope=scope, overwrite=overwrite, limits=limits)

    def relative(where: str) -> str:
        return Path(where).relative_to(root).as_posix() if where.startswith(tmp) else where

    report.skipped = [(relative(w), r) for w, r in report.skipped]
    report.warnings = warnings + [(relative(w), m) for w, m in report.warnings]
    return report


def _save_imported(
    store: SkillStore, batch: list[tuple[bytes, Skill, str]], *, user_id: str, overwrite: bool,
    report: ImportReport, progress: ProgressFn = _quiet,
) -> None:
    """Save what was read. A skill whose name is valid keeps its SKILL.md byte for byte (identity
    and version go to the catalog), so it is served exactly as its author wrote it; one whose
    name had to change is written by us, with the stored name."""
    fresh: list[_Fresh] = []
    seen_names: set[str] = set()
    seen_keys: dict[str, str] = {}  # look-alike key -> the imported name that has it
    scope = batch[0][1].scope.value if batch else "user"
    stored = store.summaries(user_id=user_id, scope=scope, include_archived=True)
    by_name = {s.name: s.id for s in stored}
    by_key = {skeleton(s.name): s.name for s in stored}
    done = 0
    progress("saving skills", 0, len(batch))
    for raw, skill, where in batch:
        done += 1
        if done % 50 == 0:
            progress("saving skills", done, len(batch))
        problem = name_input_problem(skill.name)
        if problem is not None:
            report.skipped.append((where, f"the name {skill.name[:60]!r} cannot be used: {problem}"))
            continue
        name = canonical_name(skill.name)
        verbatim: bytes | None = raw
        if name != skill.name:
            report.warnings.append((where, f"name {skill.name!r} is not a valid spec name: stored as {name!r}"))
            skill = skill.copy(name=name)
            verbatim = None
        if name in seen_names:
            report.skipped.append((where, f"another imported folder already uses the name {name!r}"))
            continue
        key = skeleton(name)
        if key in seen_keys:
            report.skipped.append((where, f"{name!r} looks like {seen_keys[key]!r}, the name of another imported "
                                          "folder: a reader could not tell them apart"))
            continue
        twin = by_key.get(key)
        if twin is not None and twin != name:
            report.skipped.append((where, f"{name!r} looks like the existing skill {twin!r}: a reader could not "
                                          "tell them apart; rename the folder's skill"))
            continue
        seen_names.add(name)
        seen_keys[key] = name
        existing = store.get(by_name[name]) if name in by_name else None
        if existing is None:
            if store.get(skill.id) is not None:  # the id is taken elsewhere: keep the content, new id
                skill = skill.copy(id=str(uuid.uuid4()))
            fresh.append((skill, verbatim, where))
            continue
        _save_existing(store, existing, skill, verbatim, where, overwrite=overwrite, report=report)
    kept = [item for item in fresh if item[1] is not None]
    rendered = [item for item in fresh if item[1] is None]
    done = len(batch) - len(fresh)
    for part in [kept[i:i + _SAVE_CHUNK] for i in range(0, len(kept), _SAVE_CHUNK)] + \
            [rendered[i:i + _SAVE_CHUNK] for i in range(0, len(rendered), _SAVE_CHUNK)]:
        _save_fresh(store, part, user_id=user_id, scope=scope, overwrite=overwrite, report=report)
        done += len(part)
        progress("saving skills", done, len(batch))


#: (skill, its SKILL.md bytes to keep, or None to render it, the folder it came from)
_Fresh = tuple[Skill, bytes | None, str]


def _names(store: SkillStore, user_id: str, scope: str) -> dict[str, str]:
    """Name -> id of every skill already in the scope (archived ones too: their names are taken)."""
    return {s.name: s.id for s in store.summaries(user_id=user_id, scope=scope, include_archived=True)}


def _write_new(store: SkillStore, items: list[_Fresh]) -> list[Skill]:
    """One transaction for skills that are all kept verbatim, or all rendered by us."""
    if items and items[0][1] is not None:
        return store.save_verbatim([(s, data) for s, data, _ in items if data is not None], reason="import")
    return store.save_many([s for s, _, _ in items], reason="import")


def _save_fresh(store: SkillStore, items: list[_Fresh], *, user_id: str, scope: str, overwrite: bool,
                report: ImportReport) -> None:
    """Save skills whose names were free when the store was listed.

    Another process may have taken some of those names since (several imports at once): the
    store refuses the whole transaction, so the names are listed again and each one taken is
    settled as an import started after that process would settle it (skipped, or updated with
    overwrite), and the rest saved. When the store refuses one skill for what it holds (too big
    once its secrets were replaced, a look-alike name), the others are saved one by one.
    """
    pending = items
    while pending:
        try:
            _note_imported(report, _write_new(store, pending))
            return
        except InvalidInputError:
            break
        except ConflictError:
            taken = _names(store, user_id, scope)
        clashing = [item for item in pending if item[0].name in taken]
        if not clashing:
            break
        for item in clashing:
            existing = store.get(taken[item[0].name])
            if existing is None:  # deleted again meanwhile: the name is free after all
                _save_one_fresh(store, item, user_id=user_id, scope=scope, overwrite=overwrite, report=report)
            else:
                _save_existing(store, existing, item[0], item[1], item[2], overwrite=overwrite, report=report)
        pending = [item for item in pending if item[0].name not in taken]
    for item in pending:
        _save_one_fresh(store, item, user_id=user_id, scope=scope, overwrite=overwrite, report=report)


def _save_one_fresh(store: SkillStore, item: _Fresh, *, user_id: str, scope: str, overwrite: bool,
                    report: ImportReport) -> None:
    skill, verbatim, where = item
    try:
        _note_imported(report, _write_new(store, [item]))
    except InvalidInputError as exc:
        report.skipped.append((where, str(exc)))
    except ConflictError as exc:
        taken = _names(store, user_id, scope).get(skill.name)
        existing = store.get(taken) if taken is not None else None
        if existing is None:  # a look-alike name, or an id clash: nothing to update
            report.skipped.append((where, str(exc)))
        else:
            _save_existing(store, existing, skill, verbatim, where, overwrite=overwrite, report=report)


def _save_existing(store: SkillStore, existing: Skill, skill: Skill, verbatim: bytes | None, where: str, *,
                   overwrite: bool, report: ImportReport) -> None:
    """An imported skill whose name is already stored: skipped, or (overwrite) saved as its next version."""
    if not overwrite:
        report.skipped.append((where, f"a skill named {skill.name!r} already exists (use overwrite to update it)"))
        return
    before = existing.version
    update = skill.copy(id=existing.id, created_at=existing.created_at, version=existing.version)
    try:
        saved = (store.save_verbatim([(update, verbatim)], reason="import")[0] if verbatim is not None
                 else store.save(update, reason="import"))
    except InvalidInputError as exc:  # too big once its secrets were replaced, say
        report.skipped.append((where, str(exc)))
        return
    (report.updated if saved.version != before else report.unchanged).append(saved.name)
    _note_redactions(report, [saved])


def _note_imported(report: ImportReport, saved: list[Skill]) -> None:
    report.imported += [s.name for s in saved]
    _note_redactions(report, saved)


def _note_redactions(report: ImportReport, saved: Iterable[Skill]) -> None:
    """The secrets the store removed from imported skills: such a skill is not kept byte for byte."""
    for skill in saved:
        if skill.redactions:
            report.redacted[skill.name] = dict(skill.redactions)
            kinds = ", ".join(f"{k} x{n}" if n > 1 else k for k, n in sorted(skill.redactions.items()))
            report.warnings.append((skill.name, f"secrets removed before storing ({kinds}): the stored SKILL.md "
                                                "and files differ from the source where they were"))


def export_skills(
    store: SkillStore,
    skill_ids: Iterable[str],
    dest_dir: str | Path,
    *,
    profile: str = "spec",
    overwrite: bool = False,
    on_progress: ProgressFn | None = None,
) -> list[Path]:
    """Write each skill as `<dest>/<name>/SKILL.md` plus its files; returns the folders written.

    The folder named as `dest_dir` is taken as named (it may itself be a link, e.g. a skills
    folder kept in a dotfiles checkout); nothing below it is followed: a link at `<name>`, at a
    subfolder or at a file is refused. Every skill is checked before the first file is written,
    so a refused export writes nothing.
    """
    dest = Path(dest_dir).expanduser()
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    ids = list(skill_ids)
    progress = on_progress or _quiet
    planned: list[tuple[str, str, str]] = []  # (skill id, folder name, SKILL.md text)
    for skill_id in ids:
        skill = store.get(skill_id)
        if skill is None:
            raise NotFoundError(f"no skill with id {skill_id!r}")
        unsafe = unsafe_name_problem(skill.name)
        if unsafe is not None:
            raise InvalidInputError(f"skill {skill_id} cannot be exported: its name {unsafe}")
        name = check_folder_name(skill.name)
        text = skillmd.render(skill, profile=profile)
        for rel in ["SKILL.md", *(check_resource_path(f.path) for f in store.list_files(skill_id))]:
            nofollow.check_writable(root, f"{name}/{rel}")
        target = root / name / "SKILL.md"
        if not overwrite and nofollow.regular_stat(target) is not None and _text_of(target) != text:
            raise InvalidInputError(f"{dest / name / 'SKILL.md'} exists and differs; pass overwrite to replace it")
        planned.append((skill_id, name, text))
    written: list[Path] = []
    progress("exporting skills", 0, len(ids))
    for skill_id, name, text in planned:
        full = store.get(skill_id, include_files=True)
        for rel, data in (full.files if full is not None else {}).items():
            nofollow.write_file(root, f"{name}/{check_resource_path(rel)}", data)
        nofollow.write_file(root, f"{name}/SKILL.md", text.encode("utf-8"))
        written.append(dest / name)
        progress("exporting skills", len(written), len(ids))
    return written


def export_archive(store: SkillStore, skill_ids: Iterable[str], *, profile: str = "spec") -> bytes:
    """The skills as a zip of the folders `export_skills` writes (`<name>/SKILL.md` and its files), for
    sending over a network; unpacked, it is what `autoskill export --dest` writes and `autoskill import` reads."""
    import io
    import tempfile
    import zipfile

    with tempfile.TemporaryDirectory(prefix="autoskill-export-") as tmp:
        folders = export_skills(store, skill_ids, tmp, profile=profile)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for folder in folders:
                for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
                    archive.write(path, path.relative_to(tmp).as_posix())
    return out.getvalue()


def _text_of(path: Path) -> str:
    """A file's text as a text-mode read gives it (universal newlines), never through a link."""
    data = nofollow.read_regular(path, 16 * 1024 * 1024)
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def agent_skill_dir(agent: str) -> Path:
    """The personal skills folder of a known agent."""
    try:
        return Path(AGENT_SKILL_DIRS[agent]).expanduser()
    except KeyError:
        raise InvalidInputError(f"unknown agent {agent!r}; known: {', '.join(AGENT_SKILL_DIRS)}") from None


def export_profile_for(agent: str | None) -> str:
    """The SKILL.md profile an agent understands natively."""
    return "claude-code" if agent == "claude-code" else "spec"
