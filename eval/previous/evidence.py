"""Evidence: what extraction may learn from, taken from a (redacted) session.

The user's own words are the evidence; corrections weigh most; what the agent
said or ran is context only.
The gate lives here too: from the same signals it decides, without an LLM,
whether a session holds anything durable at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from autoskill_mcp.learning.session import Event, Kind, Role, Session

from .signals import Directive, directives, is_correction, language

#: a pasted log or file is not the user speaking: keep the head of very long turns only
MAX_TURN_CHARS = 4000
#: the agent's text shown beside a correction, so a reader knows what was corrected
MAX_CONTEXT_CHARS = 400
#: a turn this long is a pasted spec or task brief: its imperatives describe the task, not standing policy
LONG_TURN = 1200
LONG_TURN_FACTOR = 0.4
#: text some agents store as a user message that the user never typed (compaction summaries)
_INJECTED = re.compile(
    r"^(This session is being continued from a previous conversation|<environment_details>|<system-reminder>|"
    r"Caveat: The messages below were generated)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Turn:
    """One thing the user said on the main thread."""

    n: int                          # 1-based position among the user's turns
    text: str
    correction: str | None = None   # why it counts as a correction (interrupt, rejected_tool, feedback, ...)
    context: str = ""               # what the agent had just said or done
    uid: str = ""


@dataclass(slots=True)
class Evidence:
    session_id: str
    agent: str
    turns: list[Turn] = field(default_factory=list)
    found: list[tuple[Directive, Turn]] = field(default_factory=list)
    language: str = "en"
    project: str | None = None

    @property
    def corrections(self) -> list[Turn]:
        return [t for t in self.turns if t.correction]

    def quotes(self) -> list[str]:
        """The user's sentences that carry the directives, in order, once each."""
        seen: dict[str, None] = {}
        for d, _ in self.found:
            seen.setdefault(d.text, None)
        return list(seen)


def gather(session: Session, *, since_uid: str | None = None) -> Evidence:
    """The user's turns with corrections marked and directives found.

    `since_uid` (incremental ingest of a growing transcript) keeps only turns after
    that event; earlier ones were learned from already.
    """
    events = session.events
    start = 0
    if since_uid:
        for i, e in enumerate(events):
            if e.uid == since_uid:
                start = i + 1
                break
    turns: list[Turn] = []
    context = ""
    agent_acted = False
    n = 0
    for e in events[start:]:
        if e.is_sidechain:
            continue
        if e.role is Role.ASSISTANT and e.kind in (Kind.REPLY, Kind.TOOL_CALL):
            agent_acted = True
            context = _context_of(e) or context
            continue
        if e.role is not Role.USER or e.kind not in (Kind.PROMPT, Kind.CORRECTION):
            continue
        text = e.text.strip()[:MAX_TURN_CHARS]
        if not text or _INJECTED.match(text):
            continue
        n += 1
        reason = e.correction if e.kind is Kind.CORRECTION else None
        if reason is None and agent_acted and is_correction(text):
            reason = "feedback"
        turns.append(Turn(n, text, reason, context[:MAX_CONTEXT_CHARS] if reason else "", e.uid))
        agent_acted = False
    found = [
        (d if len(t.text) < LONG_TURN else replace(d, weight=round(d.weight * LONG_TURN_FACTOR, 2)), t)
        for t in turns for d in directives(t.text)
    ]
    lang = language(" ".join(t.text for t in turns)[:4000]) if turns else "en"
    return Evidence(session.session_id, session.agent, turns, found, lang, session.project)


def _context_of(e: Event) -> str:
    if e.kind is Kind.TOOL_CALL and e.tool is not None:
        return f"[ran {e.tool.name}] {e.tool.input}"
    return e.text


@dataclass(frozen=True, slots=True)
class GateDecision:
    """Whether a session is worth extracting from, and why (shown in job results)."""

    passed: bool
    score: float
    reason: str


#: the gate's bar: one unmistakable directive, or two weaker ones, or corrections that state policy
GATE_THRESHOLD = 1.0


def directive_score(found: list[tuple[Directive, Turn]]) -> tuple[float, int]:
    """(score, distinct directives): how strongly these directives read as standing policy.

    Each distinct sentence counts once at its strongest; said inside a correction it
    weighs 0.3 more, said twice 0.5 more; a long brief counts once, however many
    imperatives it lists. The gate and the offline extractor share this measure.
    """
    best: dict[str, float] = {}
    said: dict[str, int] = {}
    for d, turn in found:
        key = f"brief {turn.n}" if len(turn.text) >= LONG_TURN else " ".join(d.text.lower().split())
        w = d.weight + (0.3 if turn.correction else 0.0)
        best[key] = max(best.get(key, 0.0), w)
        said[key] = said.get(key, 0) + 1
    return round(sum(w + (0.5 if said[k] > 1 else 0.0) for k, w in best.items()), 6), len(best)


def gate(evidence: Evidence) -> GateDecision:
    """Cheap and offline: does the user state anything durable in this session?

    One-off requests ("write a poem", "fix this test") score 0 and cost no LLM call.
    A directive said inside a correction weighs more; the same one said twice, more still.
    """
    if not evidence.turns:
        return GateDecision(False, 0.0, "no user turns")
    score, distinct = directive_score(evidence.found)
    # Repeated corrections are a signal even when no single sentence reads as policy.
    corrections = len(evidence.corrections)
    if corrections >= 2:
        score += 0.25 * corrections
    if score >= GATE_THRESHOLD:
        kinds = sorted({d.kind.value for d, _ in evidence.found})
        what = f"{distinct} directive(s) ({', '.join(kinds)})" if distinct else "no directive"
        return GateDecision(True, round(score, 2), f"{what}, {corrections} correction(s)")
    if distinct:
        return GateDecision(False, round(score, 2), "only weak or one-off directives")
    return GateDecision(False, round(score, 2), "no durable instruction or correction: a one-off session")
