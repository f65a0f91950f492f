"""Opt-in pruning of a user's skills that are retrieved often and never used.

AutoSkill deletes a skill after 40 retrievals without a `used` mark, and its
no-LLM fallback never marks anything used, so skills vanish because a signal is
missing. Here a skill is only a candidate when the `used` signal is demonstrably
live for that user: some skill of theirs was reported used at or after this
skill was created. Only the user's own skills are considered (never shared or
library ones); nothing happens unless the caller asks (`apply=True`); a pruned
skill is deleted through the store, so its history stays in the catalog.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..store.base import SkillStore

NO_SIGNAL = ("no skill-used reports since these skills were created: pruning needs the agent to report "
             "use (MCP tool `report_skill_used`, SDK `record_usage(used=1)`), so nothing is pruned")


@dataclass(frozen=True)
class PrunePolicy:
    """When a skill counts as unused: retrieved at least `min_retrieved` times, used at most `max_used`."""

    min_retrieved: int = 40
    max_used: int = 0
    min_age_days: float = 14.0


@dataclass
class PruneReport:
    """What pruning found (and, with apply, removed)."""

    user_id: str
    applied: bool
    candidates: list[dict[str, Any]] = field(default_factory=list)
    kept_for_missing_signal: int = 0
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _parse(ts: str | None) -> datetime | None:
    if not ts:
        return None
    try:
        dt = datetime.fromisoformat(ts)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def prune(store: SkillStore, user_id: str, policy: PrunePolicy | None = None, *, apply: bool = False,
          now: datetime | None = None) -> PruneReport:
    """The user's skills that the policy calls unused; deleted only when `apply` is true."""
    policy = policy or PrunePolicy()
    now = now or datetime.now(UTC)
    report = PruneReport(user_id=user_id, applied=apply)
    skills = [s for s in store.summaries(user_id=user_id, scope="user") if s.owner == user_id]
    # A user's own skills are served to that user only, so their totals are that user's counts
    # (counts from before usage was kept per user included).
    usage = {s.id: store.usage(s.id) for s in skills}
    used_at = [t for t in (_parse(u.get("last_used_at")) for u in usage.values()) if t is not None]
    latest_use = max(used_at) if used_at else None
    for s in skills:
        u = usage[s.id]
        if u["retrieved"] < policy.min_retrieved or u["used"] > policy.max_used:
            continue
        skill = store.get(s.id)
        created = _parse(skill.created_at if skill else None) or now
        if now - created < timedelta(days=policy.min_age_days):
            continue
        if latest_use is None or latest_use < created:
            report.kept_for_missing_signal += 1
            continue
        report.candidates.append({"id": s.id, "name": s.name, "version": s.version, "retrieved": u["retrieved"],
                                  "used": u["used"], "last_retrieved_at": u.get("last_retrieved_at")})
    if report.kept_for_missing_signal:
        report.note = NO_SIGNAL
    if apply:
        for c in report.candidates:
            store.delete(c["id"])
    return report
