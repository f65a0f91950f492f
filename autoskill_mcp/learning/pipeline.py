"""The learning pipeline: session -> redacted evidence -> gate -> candidates -> maintenance.

One path for everything that learns: the SDK's `ingest`, the queue worker and
the MCP server's `ingest_transcript` all end here, so a rule or a fix applies
to each of them.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..store.base import SkillStore
from .candidate import Candidate
from .evidence import Evidence, GateDecision, Item, gate, gather
from .extraction import OWN_MARKER, Extraction, Extractor
from .maintenance import WROTE, Decision, Maintainer, SaveOutcome
from .naming import restates
from .pending import Pending, PendingCandidates, Said
from .redaction import redact, redact_session
from .served import Served, served_in, usage_counts
from .session import Session
from .signals import language

if TYPE_CHECKING:  # the LLM path loads lazily (see build_learner)
    from ..llm.provider import Provider

log = logging.getLogger(__name__)

class RulesExtractor:
    """The offline extractor (learning/rules.py) behind the Extractor interface."""

    name = "rules (offline: no LLM configured)"
    calls = 0
    offline = True

    def extract(self, evidence: Evidence, *, hint: str | None = None, served: Sequence[Served] = ()) -> Extraction:
        from . import rules

        return Extraction(rules.extract(evidence))


@dataclass(slots=True)
class LearnResult:
    """What learning from one session did, and why."""

    session_id: str
    agent: str
    extractor: str
    gate: GateDecision | None = None
    candidates: list[Candidate] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    llm_calls: int = 0
    redactions: int = 0
    skipped: str | None = None          # why nothing was tried (own session, sub-agent, nothing new)
    error: str | None = None            # why extraction failed (the session can be retried)
    pending: list[Pending] = field(default_factory=list)    # kept aside until the requirement recurs
    promoted: list[str] = field(default_factory=list)       # ids of earlier pending candidates this session confirmed
    served: list[Served] = field(default_factory=list)      # skills the agent had been served, judged

    def count(self, outcome: SaveOutcome) -> int:
        return sum(1 for d in self.decisions if d.action == outcome)

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id, "agent": self.agent, "extractor": self.extractor,
            "gate": None if self.gate is None else self.gate.to_dict(),
            "decisions": [d.to_dict() for d in self.decisions], "llm_calls": self.llm_calls,
            "redactions": self.redactions, "skipped": self.skipped, "error": self.error,
            "pending": [{"id": p.id, "name": p.name, "summary": p.summary} for p in self.pending],
            "promoted": list(self.promoted), "served": [s.to_dict() for s in self.served],
        }


class Learner:
    """Learns skills for users from sessions, into one store."""

    def __init__(self, store: SkillStore, extractor: Extractor | None = None, *, maintainer: Maintainer | None = None,
                 gate_llm: bool = True, pending: PendingCandidates | None = None) -> None:
        self.store = store
        self.extractor: Extractor = extractor or RulesExtractor()
        self.maintainer = maintainer or Maintainer(store)
        self.gate_llm = gate_llm
        root = getattr(store, "root", None)
        self.pending = pending if pending is not None else (PendingCandidates(root) if root is not None else None)

    def learn(self, session: Session, *, user_id: str, hint: str | None = None, since_uid: str | None = None,
              dry_run: bool = False) -> LearnResult:
        result = LearnResult(session.session_id, session.agent, self.extractor.name)
        if session.parent_session_id:
            result.skipped = "a sub-agent session: its prompts come from the agent, not the user"
            return result
        if any(OWN_MARKER in e.text for e in session.events[:6]):
            result.skipped = "a transcript of autoskill's own extraction call"
            return result
        found: Counter[str] = Counter()
        clean = redact_session(session, counts=found)
        hint = redact(hint).text if hint else hint  # a hint goes into the LLM prompt too
        result.redactions = sum(found.values())
        evidence = gather(clean, since_uid=since_uid)
        result.served = served_in(clean, self.store, user_id=user_id, start=_start(clean, since_uid))
        if not evidence.turns:
            result.skipped = "no new user turns" if since_uid else "no user turns"
            self._count_served(result, user_id, {}, dry_run)
            return result
        earlier = self._recurring(user_id, evidence)
        evidence.earlier = [_said_before(s, 0.5) for p in earlier for s in p.evidence
                            if s.session_id != session.session_id]
        result.gate = gate(evidence)
        verdict = result.gate.verdict
        # Surely one-off: no call and no skill. Borderline: a model decides; offline it waits for recurrence.
        # A hint is the caller saying "there is something here".
        if not hint and (verdict == "reject" or (verdict == "borderline" and self.extractor.offline)):
            if verdict == "borderline" and not dry_run:
                self._keep(result, user_id, evidence)
            self._count_served(result, user_id, {}, dry_run)
            return result
        before = self.extractor.calls
        try:
            extraction = self.extractor.extract(evidence, hint=hint, served=result.served)
        except Exception as exc:  # noqa: BLE001 - a failed extraction is reported per session, never fatal
            log.warning("extraction failed for session %s: %s", session.session_id, exc)
            result.error = f"{type(exc).__name__}: {exc}"
            result.llm_calls = self.extractor.calls - before
            return result
        result.candidates = extraction.candidates
        if dry_run:
            result.llm_calls = self.extractor.calls - before
            return result
        judged = self.maintainer.judge_calls
        for cand in result.candidates:
            result.decisions.append(self.maintainer.apply(cand, user_id=user_id, session_id=session.session_id,
                                                          agent=session.agent))
        result.llm_calls = self.extractor.calls - before + self.maintainer.judge_calls - judged
        learned = next((d.skill_id for d in result.decisions if d.action in WROTE and d.skill_id), None)
        if learned and self.pending is not None:
            for p in earlier:
                self.pending.resolve(p.id, "promoted", skill_id=learned)
                result.promoted.append(p.id)
        elif not result.candidates and verdict == "borderline":
            self._keep(result, user_id, evidence)
        self._count_served(result, user_id, extraction.followed, dry_run)
        return result

    def accept(self, pending_id: str, *, user_id: str) -> LearnResult:
        """Learn a kept-aside candidate now, because the user says it is a keeper (`autoskill candidates accept`)."""
        from ..errors import NotFoundError

        found = self.pending.get(pending_id) if self.pending is not None else None
        if found is None or found.user_id != user_id or found.status != "pending":
            raise NotFoundError(f"no pending candidate {pending_id!r} for user {user_id!r}")
        said = [_said_before(s, 1.0) for s in found.evidence]
        evidence = Evidence(f"candidate:{found.id}", found.evidence[0].agent if found.evidence else "", earlier=said,
                            language=language(" ".join(s.text for s in found.evidence)))
        result = LearnResult(evidence.session_id, evidence.agent, self.extractor.name)
        before = self.extractor.calls
        result.candidates = self.extractor.extract(evidence).candidates
        for cand in result.candidates:
            result.decisions.append(self.maintainer.apply(cand, user_id=user_id, session_id=evidence.session_id,
                                                          agent=evidence.agent))
        result.llm_calls = self.extractor.calls - before
        learned = next((d.skill_id for d in result.decisions if d.action in WROTE and d.skill_id), None)
        if self.pending is not None:
            self.pending.resolve(found.id, "accepted", skill_id=learned)
        return result

    def close(self) -> None:
        if self.pending is not None:
            self.pending.close()

    def _recurring(self, user_id: str, evidence: Evidence) -> list[Pending]:
        """The user's kept-aside candidates that this session states again."""
        if self.pending is None or not evidence.items:
            return []
        mine = [i.text for i in evidence.items]
        again = any(i.kind == "recurrence" and i.weight >= 1.0 for i in evidence.items)
        return [p for p in self.pending.list(user_id) if p.sessions != [evidence.session_id]
                and restates([s.text for s in p.evidence], mine, said_again=again)]

    def _keep(self, result: LearnResult, user_id: str, evidence: Evidence) -> None:
        if self.pending is None or not evidence.items:
            return
        from . import rules

        name = rules.provisional_name(evidence)
        said = [Said(i.text, i.kind, evidence.session_id, i.turn, evidence.agent) for i in evidence.items]
        summary = "; ".join(dict.fromkeys(i.text for i in evidence.items))[:300]
        result.pending.append(self.pending.keep(user_id, name, summary, said))

    def _count_served(self, result: LearnResult, user_id: str, followed: dict[str, tuple[bool | None, str]],
                      dry_run: bool) -> None:
        """Per-user retrieved/used counts from what the agent was served and did (the model's judgement wins)."""
        if followed:
            result.served = [replace(s, followed=followed[s.name][0], why=f"model: {followed[s.name][1]}")
                             if s.name in followed else s for s in result.served]
        if not dry_run and result.served:
            self.store.record_usage_many(usage_counts(result.served, user_id=user_id))


def _said_before(said: Said, weight: float) -> Item:
    """Evidence from an earlier session, as it was kept (turn 0: not in this session)."""
    kind = said.kind if said.kind in ("directive", "requirement", "correction", "procedure") else "requirement"
    return Item(kind, said.text, 0, weight, rule=said.text)  # type: ignore[arg-type]


def _start(session: Session, since_uid: str | None) -> int:
    if since_uid:
        for i, e in enumerate(session.events):
            if e.uid == since_uid:
                return i + 1
    return 0


def build_learner(store: SkillStore, llm: dict[str, Any] | None = None, *, provider: Provider | None = None,
                  pending: PendingCandidates | None = None) -> Learner:
    """The learner the settings ask for: an LLM extractor and judge when a provider is configured
    (or given, e.g. the MCP client's sampling), else the offline rules."""
    offline = str((llm or {}).get("provider", "auto")).lower() in ("none", "mock", "offline", "rules")
    if provider is None and not offline:
        from ..llm.config import provider_from_config

        provider = provider_from_config(llm, home=getattr(store, "root", None))
    if provider is None:
        return Learner(store, pending=pending)
    # Lazy: the LLM path pulls in httpx, jsonschema and the providers (~0.2 s) that offline learning never needs.
    from .llm_extract import LLMExtractor, LLMJudge

    return Learner(store, LLMExtractor(provider), maintainer=Maintainer(store, judge=LLMJudge(provider)),
                   pending=pending)


def configured_learner(store: SkillStore, llm: dict[str, Any] | None) -> Learner:
    """The configured provider's learner, or the offline rules when the provider cannot be built.

    For the workers embedded in the servers: a broken provider setting must not stop learning.
    """
    try:
        return build_learner(store, llm)
    except Exception as exc:  # noqa: BLE001 - reported, then the offline extractor takes over
        log.warning("LLM provider unavailable (%s); using the offline extractor", exc)
        return build_learner(store, {"provider": "offline"})
