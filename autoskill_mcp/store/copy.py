"""Moving a whole store into another (`autoskill store copy`): every live skill with its history,
files and usage counters, from any `SkillStore` into any other (folder store <-> team store).

Each skill's versions are written oldest first, each with the files it had, so the copy's history
reads as the original's (its entries are dated when copied; version numbers are kept, except that
a backend bumps one that does not move forward). The current version is written from the SKILL.md
bytes the source serves (`save_verbatim`), so an imported skill stays byte for byte what it was.
Skills are identified by id: copying again updates the copies, adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .base import SkillStore


@dataclass
class CopyReport:
    """What a copy did."""

    skills: int = 0
    versions: int = 0
    files: int = 0
    usage_rows: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (skill id, why)

    def to_dict(self) -> dict[str, object]:
        return {"skills": self.skills, "versions": self.versions, "files": self.files,
                "usage_rows": self.usage_rows, "failed": [{"id": i, "error": e} for i, e in self.failed]}


def copy_store(source: SkillStore, dest: SkillStore,
               on_progress: Callable[[str, int, int], None] | None = None) -> CopyReport:
    """Copy every skill of `source` (every user's, archived ones too) into `dest`."""
    from ..errors import AutoSkillError

    report = CopyReport()
    progress = on_progress or (lambda stage, done, total: None)
    summaries = source.summaries(user_id=None, scope="all", include_archived=True)
    summaries = [s for s in summaries if s.scope in ("user", "shared")]  # libraries are folders, not copied
    progress("copying skills", 0, len(summaries))
    for done, summary in enumerate(summaries, 1):
        try:
            _copy_one(source, dest, summary.id, report)
        except AutoSkillError as exc:
            report.failed.append((summary.id, str(exc)))
        progress("copying skills", done, len(summaries))
    return report


def _copy_one(source: SkillStore, dest: SkillStore, skill_id: str, report: CopyReport) -> None:
    history = source.versions(skill_id)
    current = source.get(skill_id, include_files=True)
    if current is None:
        return  # deleted meanwhile
    copied = {v.content_hash for v in dest.versions(skill_id)} if dest.get(skill_id) is not None else set()
    for entry in history[:-1]:
        if entry.content_hash in copied:
            continue
        old = source.get_version(skill_id, f"#{entry.n}").copy(
            id=current.id, user_id=current.user_id, scope=current.scope)
        dest.save(old, reason=entry.reason, replace_files=True)
        report.versions += 1
    dest.save_verbatim([(current, source.read_skill_md(skill_id))], reason=history[-1].reason)
    # save_verbatim keeps files it is not given; the current version's are exactly these
    files = {f.path for f in dest.list_files(skill_id)}
    if files != set(current.files):
        dest.save(current, reason=history[-1].reason, replace_files=True)
    report.versions += 1
    report.files += len(current.files)
    report.skills += 1
    usage = source.usage(skill_id)
    counts = [(skill_id, user, int(c["retrieved"]), int(c["used"])) for user, c in usage.get("by_user", {}).items()]
    mine = dest.usage(skill_id).get("by_user", {})
    counts = [(sid, user, r - int(mine.get(user, {}).get("retrieved", 0)), u - int(mine.get(user, {}).get("used", 0)))
              for sid, user, r, u in counts]
    counts = [c for c in counts if c[2] > 0 or c[3] > 0]
    dest.record_usage_many(counts)
    report.usage_rows += len(counts)
