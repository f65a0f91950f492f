"""The learning pipeline: session -> redacted evidence -> gate -> candidates -> maintenance.

One path for everything that learns: the SDK's `ingest`, the queue worker and
the MCP server's `ingest_transcript` all end here, so a rule or a fix applies
to each of them.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..store.base import SkillStore
from .candidate import Candidate
from .evidence import Evidence, GateDecision, gate, gather
from .maintenance import Decision, Maintainer
from .redaction import redact_session
from .session import Session

log = logging.getLogger(__name__)

#: put into our own LLM prompts, so a transcript of an extraction run is never learned from
OWN_MARKER = "[autoskill-extraction]"


class Extractor(Protocol):
    """Turns evidence into candidates; `name` says which kind did it (shown in every result)."""

    name: str
    calls: int  # LLM calls made so far

    def extract(self, evidence: Evidence, *, hint: str | None = None) -> list[Candidate]: ...


class RulesExtractor:
    """The offline extractor (learning/rules.py) behind the Extractor interface."""

    name = "rules (offline: no LLM configured)"
    calls = 0

    def extract(self, evidence: Evidence, *, hint: str | None = None) -> list[Candidate]:
        from . import rules

        return rules.extract(evidence)


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

    def count(self, action: str) -> int:
        return sum(1 for d in self.decisions if d.action == action)

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id, "agent": self.agent, "extractor": self.extractor,
            "gate": None if self.gate is None else {"passed": self.gate.passed, "score": self.gate.score,
                                                    "reason": self.gate.reason},
            "decisions": [d.to_dict() for d in self.decisions], "llm_calls": self.llm_calls,
            "redactions": self.redactions, "skipped": self.skipped, "error": self.error,
        }


class Learner:
    """Learns skills for users from sessions, into one store."""

    def __init__(self, store: SkillStore, extractor: Extractor | None = None, *, maintainer: Maintainer | None = None,
                 gate_llm: bool = True) -> None:
        self.store = store
        self.extractor: Extractor = extractor or RulesExtractor()
        self.maintainer = maintainer or Maintainer(store)
        self.gate_llm = gate_llm

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
        result.redactions = sum(found.values())
        evidence = gather(clean, since_uid=since_uid)
        if not evidence.turns:
            result.skipped = "no new user turns" if since_uid else "no user turns"
            return result
        result.gate = gate(evidence)
        # The gate spares the LLM one-off sessions; a hint is the caller saying "there is something here".
        if not result.gate.passed and not hint:
            return result
        before = self.extractor.calls
        try:
            result.candidates = self.extractor.extract(evidence, hint=hint)
        except Exception as exc:  # noqa: BLE001 - a failed extraction is reported per session, never fatal
            log.warning("extraction failed for session %s: %s", session.session_id, exc)
            result.error = f"{type(exc).__name__}: {exc}"
            result.llm_calls = self.extractor.calls - before
            return result
        if dry_run:
            result.llm_calls = self.extractor.calls - before
            return result
        judged = self.maintainer.judge_calls
        for cand in result.candidates:
            result.decisions.append(self.maintainer.apply(cand, user_id=user_id, session_id=session.session_id,
                                                          agent=session.agent))
        result.llm_calls = self.extractor.calls - before + self.maintainer.judge_calls - judged
        return result


def build_learner(store: SkillStore, llm: dict[str, Any] | None = None, *, provider: Any = None) -> Learner:
    """The learner the settings ask for: an LLM extractor and judge when a provider is configured
    (or given, e.g. the MCP client's sampling), else the offline rules."""
    offline = str((llm or {}).get("provider", "auto")).lower() in ("none", "mock", "offline", "rules")
    if provider is None and not offline:
        from ..llm.config import provider_from_config

        provider = provider_from_config(llm, home=getattr(store, "root", None))
    if provider is None:
        return Learner(store)
    from .llm_extract import LLMExtractor, LLMJudge

    return Learner(store, LLMExtractor(provider), maintainer=Maintainer(store, judge=LLMJudge(provider)))


def configured_learner(store: SkillStore, llm: dict[str, Any] | None) -> Learner:
    """The configured provider's learner, or the offline rules when the provider cannot be built.

    For the workers embedded in the servers: a broken provider setting must not stop learning.
    """
    try:
        return build_learner(store, llm)
    except Exception as exc:  # noqa: BLE001 - reported, then the offline extractor takes over
        log.warning("LLM provider unavailable (%s); using the offline extractor", exc)
        return build_learner(store, {"provider": "offline"})
