"""Maintenance: create, merge or discard a candidate against the skills already stored.

AutoSkill's rules, made safe to run twice: a merge keeps the existing name, unions
the constraints, takes a restated workflow, bumps the patch version (the store
records history) and appends the evidence; re-ingesting the same session changes
nothing; two workers merging into one skill never lose an update (optimistic
concurrency on the version). An optional judge (an LLM) settles borderline
similarities only, so most candidates cost no call.

Every way of saving says what happened in one word, a `SaveOutcome`, and every
surface (MCP, the language server, the SDK, the queue worker, the CLI) passes that
word through unchanged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, get_args

from ..errors import ConflictError
from ..retrieval.tokenizer import tokenize
from ..skill import Scope, Skill
from ..store.base import SkillHit, SkillStore
from .candidate import Candidate

log = logging.getLogger(__name__)

#: What a save did, the one vocabulary for every surface. Learning (`Maintainer.apply`) yields created,
#: merged, discarded or unchanged; saving an edited skill by name (`Maintainer.save_skill`) yields created,
#: updated (the same skill, overwritten with a version bump) or unchanged.
SaveOutcome = Literal["created", "updated", "merged", "unchanged", "discarded"]
#: every outcome, in a fixed order (counters list them all, so a caller can rely on each key)
OUTCOMES: tuple[SaveOutcome, ...] = get_args(SaveOutcome)
#: the outcomes that stored a new version of a skill
WROTE: frozenset[str] = frozenset({"created", "updated", "merged"})

#: a user skill this similar (calibrated hybrid score) is the same capability, given shared words
MERGE_SCORE = 0.55
#: ... and when at least this share of the candidate's words (name, tags, description) appear in it
MIN_OVERLAP = 0.5
#: below this nothing is similar enough to ask about
BORDERLINE_SCORE = 0.35
#: a shared or library skill this similar that already says everything makes the candidate redundant
DISCARD_SCORE = 0.7
#: two constraint lines with this much token overlap say the same thing
SAME_LINE = 0.75


@dataclass(frozen=True, slots=True)
class Decision:
    """What maintenance did with one candidate or one saved skill, and why."""

    action: SaveOutcome
    name: str
    reason: str
    skill_id: str | None = None
    version: str | None = None
    score: float | None = None
    redacted: dict[str, int] = field(default_factory=dict)  # secrets removed before storing: kind -> count

    def to_dict(self) -> dict[str, object]:
        return {k: getattr(self, k)
                for k in ("action", "name", "reason", "skill_id", "version", "score", "redacted")}


@dataclass(frozen=True, slots=True)
class Verdict:
    """A judge's answer for a borderline pair.

    Its words are the model's wire vocabulary (what the LLM is asked to answer, see
    `llm_extract.JUDGE_SYSTEM`), not an outcome: `Maintainer._apply_once` turns it into
    one (merge -> merged into a skill of the user's, discard -> discarded, add -> created).
    """

    action: Literal["add", "merge", "discard"]
    reason: str


Judge = Callable[[Candidate, list[SkillHit]], Verdict | None]


class Maintainer:
    """Applies candidates to one store."""

    def __init__(self, store: SkillStore, *, judge: Judge | None = None) -> None:
        self.store = store
        self.judge = judge
        self.judge_calls = 0

    def apply(self, cand: Candidate, *, user_id: str, session_id: str | None, agent: str | None) -> Decision:
        for _ in range(5):  # another process may merge into the same skill meanwhile: re-read and retry
            try:
                return self._apply_once(cand, user_id=user_id, session_id=session_id, agent=agent)
            except ConflictError as exc:
                log.info("concurrent update while merging %s (%s); retrying", cand.name, exc)
        raise ConflictError(f"could not merge {cand.name!r}: the skill kept changing under us")

    def save_skill(self, skill: Skill, *, user_id: str, reason: str = "saved from the editor",
                   expected_version: str | None = None) -> Decision:
        """Store a skill written by hand: update the user's skill of that name (version bump, history kept)
        or create it: created, updated or unchanged (the store already holds exactly this content).
        An overwrite is "updated", never "merged": nothing is merged into it.

        With `expected_version`, an update of any other version is a ConflictError (no retry).
        """
        for _ in range(5):
            existing = self.store.find(skill.name, user_id=user_id, scope="user")
            if existing is None or existing.user_id != user_id or existing.scope is not Scope.USER:
                saved = self.store.save(skill.copy(user_id=user_id, scope=Scope.USER), reason=reason)
                return Decision("created", saved.name, "new skill", saved.id, saved.version, redacted=saved.redactions)
            update = skill.copy(id=existing.id, user_id=user_id, scope=Scope.USER, version=existing.version,
                                created_at=existing.created_at, provenance=list(existing.provenance))
            try:
                saved = self.store.save(update, reason=reason, expected_version=expected_version or existing.version)
            except ConflictError as exc:
                if expected_version is not None:
                    raise
                log.info("concurrent update while saving %s (%s); retrying", skill.name, exc)
                continue
            if saved.version == existing.version:
                return Decision("unchanged", saved.name, "same content as the stored version", saved.id, saved.version,
                                redacted=saved.redactions)
            return Decision("updated", saved.name, f"updated from v{existing.version}", saved.id, saved.version,
                            redacted=saved.redactions)
        raise ConflictError(f"could not save {skill.name!r}: the skill kept changing under us")

    def _apply_once(self, cand: Candidate, *, user_id: str, session_id: str | None, agent: str | None) -> Decision:
        same_name = self.store.find(cand.name, user_id=user_id, scope="user")
        if same_name is not None and same_name.user_id == user_id:
            return self._merge(same_name, cand, session_id, agent, "same name", None)
        hits = self.store.search(_query(cand), user_id=user_id, scope="all", top_k=5, wait=True)
        mine = [h for h in hits if h.skill.scope is Scope.USER and h.skill.user_id == user_id]
        others = [h for h in hits if h.skill.scope is not Scope.USER]
        best = mine[0] if mine else None
        if best is not None and best.score >= MERGE_SCORE and _overlap(cand, best.skill) >= MIN_OVERLAP:
            return self._merge(best.skill, cand, session_id, agent, "similar skill", best.score)
        top_other = others[0] if others else None
        if top_other is not None and top_other.score >= DISCARD_SCORE and not _new_lines(cand, top_other.skill):
            return Decision("discarded", cand.name, f"already covered by {top_other.skill.scope.value} skill "
                            f"{top_other.skill.name!r}", top_other.skill.id, top_other.skill.version,
                            round(top_other.score, 3))
        borderline = [h for h in hits if h.score >= BORDERLINE_SCORE]
        if self.judge is not None and borderline:
            self.judge_calls += 1
            verdict = self.judge(cand, borderline)
            # the judge's wire words become outcomes here: merge -> merged, discard -> discarded, add -> created
            if verdict is not None:
                target = next((h for h in mine if h.score >= BORDERLINE_SCORE), None)
                if verdict.action == "merge" and target is not None:
                    return self._merge(target.skill, cand, session_id, agent, f"judge: {verdict.reason}", target.score)
                if verdict.action == "discard":
                    return Decision(
                        "discarded", cand.name, f"judge: {verdict.reason}", score=round(borderline[0].score, 3)
                    )
        return self._add(cand, user_id, session_id, agent, best)

    def _add(self, cand: Candidate, user_id: str, session_id: str | None, agent: str | None,
             nearest: SkillHit | None) -> Decision:
        skill = cand.to_skill(user_id=user_id, session_id=session_id, agent=agent)
        saved = self.store.save(skill, reason=f"learned from session {session_id or '?'}")
        why = "new capability" + (f" (nearest: {nearest.skill.name}, {nearest.score:.2f})" if nearest else "")
        return Decision("created", saved.name, why, saved.id, saved.version, redacted=saved.redactions)

    def _merge(self, existing: Skill, cand: Candidate, session_id: str | None, agent: str | None,
               why: str, score: float | None) -> Decision:
        rounded = None if score is None else round(score, 3)
        merged = merge(existing, cand)
        seen = any(p.session_id == session_id and set(cand.quotes) <= set(p.quotes) for p in existing.provenance)
        if _same_content(merged, existing) and (seen or session_id is None):
            return Decision("unchanged", existing.name, f"{why}: nothing new", existing.id, existing.version, rounded)
        if not seen:
            merged.provenance.append(
                cand.to_skill(user_id=existing.user_id, session_id=session_id, agent=agent).provenance[0]
            )
        saved = self.store.save(merged, reason=f"merged from session {session_id or '?'}",
                                expected_version=existing.version)
        return Decision("merged", saved.name, why, saved.id, saved.version, rounded, redacted=saved.redactions)


def merge(existing: Skill, cand: Candidate) -> Skill:
    """The existing skill with the candidate's new constraints, triggers and tags added (name kept)."""
    out = existing.copy()
    out.instructions = merge_instructions(existing.instructions, cand.instructions)
    if not existing.description.strip():
        out.description = cand.description
    out.triggers = _union(existing.triggers, cand.triggers)[:12]
    out.tags = _union(existing.tags, cand.tags)[:12]
    return out


def merge_instructions(old: str, new: str) -> str:
    """Section by section: constraint lines are unioned, a restated numbered workflow replaces the old one."""
    old_sections = _sections(old)
    for heading, lines in _sections(new):
        target = next((s for s in old_sections if _same_heading(s[0], heading)), None)
        if target is None:
            old_sections.append((heading, lines))
            continue
        if _numbered(lines) and _numbered(target[1]):
            if [_norm(x) for x in lines] != [_norm(x) for x in target[1]]:
                target[1][:] = lines  # the user restated the steps: the latest word wins
            continue
        for line in lines:
            if line.strip() and not any(_similar(line, x) for x in target[1]):
                target[1].append(line)
    return _join(old_sections)


# -- helpers ---------------------------------------------------------------------------------------------

_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+")
_EQUIVALENT = [
    {"goal", "目标"},
    {"constraints & style", "constraints", "约束与风格", "约束"},
    {"workflow", "流程", "steps"},
]


def _sections(text: str) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            out.append((m.group(1), []))
        else:
            out[-1][1].append(line)
    for _, lines in out:
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
    return [s for s in out if s[0] or s[1]]


def _join(sections: list[tuple[str, list[str]]]) -> str:
    parts = []
    for heading, lines in sections:
        block = ([f"# {heading}"] if heading else []) + lines
        parts.append("\n".join(block))
    return "\n\n".join(parts).strip()


def _same_heading(a: str, b: str) -> bool:
    a, b = a.strip().lower(), b.strip().lower()
    return a == b or any(a in group and b in group for group in _EQUIVALENT)


def _numbered(lines: list[str]) -> bool:
    return sum(1 for x in lines if _NUMBERED.match(x)) >= 2


def _norm(line: str) -> str:
    return " ".join(tokenize(_NUMBERED.sub("", line)))


def _similar(a: str, b: str) -> bool:
    ta, tb = set(tokenize(a)), set(tokenize(b))
    if not ta or not tb:
        return a.strip() == b.strip()
    return len(ta & tb) / len(ta | tb) >= SAME_LINE


def _union(a: list[str], b: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for x in [*a, *b]:
        seen.setdefault(x.strip().lower(), x.strip())
    return [v for v in seen.values() if v]


def _query(cand: Candidate) -> str:
    return "\n".join([cand.name.replace("-", " "), cand.description, cand.instructions[:1500]])


def _overlap(cand: Candidate, skill: Skill) -> float:
    """Share of the candidate's words (name, tags, triggers, description) the skill also uses."""
    mine = set(tokenize(" ".join([cand.name.replace("-", " "), *cand.tags, cand.description])))
    theirs = set(tokenize(" ".join([skill.name.replace("-", " "), *skill.tags, *skill.triggers, skill.description,
                                    skill.instructions[:2000]])))
    return len(mine & theirs) / len(mine) if mine else 0.0


def _constraint_lines(text: str) -> list[str]:
    return [x for _, lines in _sections(text) for x in lines if x.strip() and re.match(r"^\s*([-*]|\d+[.)])\s+", x)]


def _new_lines(cand: Candidate, skill: Skill) -> list[str]:
    """The candidate's constraint lines that the skill does not already state."""
    theirs = _constraint_lines(skill.instructions) or skill.instructions.splitlines()
    return [x for x in _constraint_lines(cand.instructions) if not any(_similar(x, y) for y in theirs)]


def _same_content(a: Skill, b: Skill) -> bool:
    return (a.instructions.strip(), a.description, a.tags, a.triggers) == (
        b.instructions.strip(), b.description, b.tags, b.triggers)
