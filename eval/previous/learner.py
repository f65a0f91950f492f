"""The previous learning path (gate first, then the old offline rules), behind the Learner interface."""

from __future__ import annotations

from dataclasses import dataclass

from autoskill_mcp.learning.maintenance import Maintainer
from autoskill_mcp.learning.pipeline import LearnResult
from autoskill_mcp.learning.redaction import redact_session
from autoskill_mcp.learning.session import Session
from autoskill_mcp.store.base import SkillStore

from . import evidence, rules

NAME = "previous rules (d5aed0b)"


@dataclass(frozen=True, slots=True)
class _Gate:
    passed: bool
    score: float
    reason: str

    @property
    def verdict(self) -> str:
        # The old gate ran before any LLM: what it rejected never reached one.
        return "pass" if self.passed else "reject"


class PreviousLearner:
    """Learns as main did before the dev set: the offline gate decides alone, then the old rules."""

    name = NAME

    def __init__(self, store: SkillStore) -> None:
        self.maintainer = Maintainer(store)

    def learn(self, session: Session, *, user_id: str) -> LearnResult:
        result = LearnResult(session.session_id, session.agent, NAME)
        ev = evidence.gather(redact_session(session))
        if not ev.turns:
            result.skipped = "no user turns"
            return result
        g = evidence.gate(ev)
        result.gate = _Gate(g.passed, g.score, g.reason)  # type: ignore[assignment]
        if g.passed:
            for cand in rules.extract(ev):
                result.decisions.append(self.maintainer.apply(cand, user_id=user_id, session_id=session.session_id,
                                                              agent=session.agent))
        return result
