"""The LLM extractor and judge: one call per gated session, a strict JSON schema.

The prompt keeps AutoSkill's good rules (the user's words are the evidence, policy
over content, no invention, the user's language) and fixes its costs: the
conversation goes in once, as numbered user turns with the agent's words only
beside corrections, and every quoted constraint must be found in those turns or
the candidate is dropped. Every prompt carries OWN_MARKER, so if a provider
writes transcripts of our calls (a CLI agent used as the model), they are never
learned from.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..llm.provider import CallCounter, Provider
from ..store.base import SkillHit
from .candidate import Candidate
from .evidence import Evidence
from .extraction import OWN_MARKER, Extraction
from .maintenance import Verdict
from .served import Served

#: evidence sent to the model is cut to this many characters (a long session's user turns, not its tool output)
MAX_EVIDENCE_CHARS = 16_000
MAX_SKILLS = 2

SKILL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["skills"],
    "properties": {
        "skills": {
            "type": "array",
            "maxItems": MAX_SKILLS,
            "items": {
                "type": "object",
                "required": ["name", "description", "instructions", "evidence"],
                "properties": {
                    "name": {"type": "string", "maxLength": 64},
                    "description": {"type": "string", "maxLength": 1024},
                    "instructions": {"type": "string", "maxLength": 8000},
                    "triggers": {"type": "array", "items": {"type": "string"}, "maxItems": 6},
                    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 6},
                    "confidence": {"type": "number"},
                    "evidence": {"type": "array", "items": {"type": "string"}, "maxItems": 12},
                },
            },
        },
        "served": {
            "type": "array",
            "maxItems": 20,
            "items": {
                "type": "object",
                "required": ["name", "followed"],
                "properties": {"name": {"type": "string", "maxLength": 80},
                               "followed": {"type": "string", "enum": ["yes", "no", "unclear"]},
                               "why": {"type": "string", "maxLength": 300}},
            },
        },
    },
}

SYSTEM = f"""{OWN_MARKER}
You turn a coding-agent session into reusable skills for the same user's future sessions.
Evidence is only what the USER said (numbered turns below). The agent's text is context shown
beside corrections; never treat it as evidence.

Extract a skill for what this user will want again: a rule they stated ("always", "never", "from now
on", "in this repo", "prefer X over Y"); the requirements they built up over several turns for a kind
of task they will ask for again (a budget, hard constraints, a fallback, the output's shape, a
refinement such as "now cut 10%"): the skill is that task's reusable workflow with its constraints,
not this instance's content; a correction or refinement of the agent's output that says how work
should be done; a procedure they spelled out; or a requirement they already gave in an earlier
session (listed below when there is one). Return {{"skills": []}} for one-off requests, fact
questions, a single translation, small talk, bug reports and complaints, edits of this one artefact
("make the logo bigger"), generic advice, or anything the user did not say. Pasted logs, tool output,
stack traces and lint lines are never constraints.

For each skill:
- name: kebab-case, says what it does (e.g. "python-logging-conventions"), at most 64 characters.
- description: one or two sentences, third person: what the skill does and when to use it.
- instructions: Markdown with "# Goal", "# Constraints & Style" (bullets: each must-do and
  must-not the user stated), and "# Workflow" (numbered) only if the user laid out steps.
  Keep the HOW, drop this task's WHAT; no project names, people, URLs, paths or secrets; never
  reproduce a "[REDACTED:...]" marker. Add nothing the user did not ask for.
- triggers: 2-5 short phrases of tasks where the skill applies; tags: 1-5 lowercase words.
- evidence: the user's sentences the skill rests on, copied exactly from the turns.
- confidence: 0..1.
If skills the agent was served are listed, add "served": one entry per skill with "followed":
"yes" | "no" | "unclear" (did the agent's actions apply it?) and a short "why".
Write every field in the user's language. Answer with JSON only."""

JUDGE_SYSTEM = f"""{OWN_MARKER}
You decide whether a candidate skill is the same capability as an existing one.
Same capability = same job, same kind of deliverable, same kind of constraints; a stricter or
extended policy for the same job is the same capability. Answer JSON only:
{{"action": "merge" | "add" | "discard", "reason": "<one sentence>"}}
merge: it refines a skill owned by the user (listed as scope user). discard: an existing shared or
library skill already says all of it. add: a distinct capability. When unsure, add."""

JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["action", "reason"],
    "properties": {"action": {"type": "string", "enum": ["merge", "add", "discard"]},
                   "reason": {"type": "string", "maxLength": 300}},
}


class LLMExtractor:
    """Candidates from one structured LLM call per session."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.name = f"llm:{getattr(provider, 'name', 'llm')}:{getattr(provider, 'model', '')}".rstrip(":")
        self.counter = CallCounter()

    @property
    def calls(self) -> int:
        """Model calls so far, repairs included."""
        return self.counter.calls

    offline = False

    def extract(self, evidence: Evidence, *, hint: str | None = None, served: Sequence[Served] = ()) -> Extraction:
        from ..llm.structured import complete_json

        payload = render_evidence(evidence, hint=hint, served=served)
        data = complete_json(self.provider, system=SYSTEM, user=payload, schema=SKILL_SCHEMA, counter=self.counter)
        said = "\n".join([*(t.text for t in evidence.turns), *(i.text for i in evidence.earlier)])
        out = Extraction()
        for item in data.get("skills", [])[:MAX_SKILLS]:
            quotes = [q for q in item.get("evidence", []) if isinstance(q, str) and _found(q, said)]
            if not quotes:
                continue  # nothing the user said backs it: an invention, not a skill
            out.candidates.append(Candidate(
                name=str(item["name"]), description=str(item["description"]),
                instructions=str(item["instructions"]), triggers=list(item.get("triggers") or []),
                tags=list(item.get("tags") or []), confidence=float(item.get("confidence") or 0.6),
                quotes=quotes, extractor=self.name,
            ))
        names = {s.name for s in served}
        for judged in data.get("served") or []:
            if judged.get("name") in names:
                verdict = {"yes": True, "no": False}.get(str(judged.get("followed")))
                out.followed[str(judged["name"])] = (verdict, str(judged.get("why") or ""))
        return out


class LLMJudge:
    """Settles borderline pairs with one small call.

    The model answers in its own wire words (add / merge / discard, `JUDGE_SCHEMA`), kept as a
    `Verdict`; maintenance turns a verdict into a `SaveOutcome` where it decides, nowhere else.
    """

    def __init__(self, provider: Provider) -> None:
        self.provider = provider

    def __call__(self, cand: Candidate, hits: list[SkillHit]) -> Verdict | None:
        from ..llm.structured import complete_json

        existing = [
            {"name": h.skill.name, "scope": h.skill.scope.value, "score": round(h.score, 3),
             "description": h.skill.description, "instructions": h.skill.instructions[:1500]}
            for h in hits[:4]
        ]
        user = json.dumps({"candidate": {"name": cand.name, "description": cand.description,
                                         "instructions": cand.instructions[:1500]},
                           "existing": existing}, ensure_ascii=False)
        try:
            data = complete_json(self.provider, system=JUDGE_SYSTEM, user=user, schema=JUDGE_SCHEMA)
        except Exception:  # noqa: BLE001 - without a verdict the deterministic rules decide
            return None
        return Verdict(data["action"], str(data.get("reason", "")))


def render_evidence(evidence: Evidence, *, hint: str | None = None, served: Sequence[Served] = ()) -> str:
    """The user's turns, numbered, corrections marked with what they corrected; newest kept when cut.

    The gate's reading comes first (what kinds of evidence it saw), then what the user said in
    earlier sessions that this one states again, then the skills the agent had been served.
    """
    lines = [f"Agent: {evidence.agent}. Language of the user: {evidence.language}."]
    if hint:
        lines.append(f"Hint from the caller: {hint[:500]}")
    if evidence.items:
        kinds = sorted({i.kind for i in evidence.items})
        lines.append(f"The offline gate saw: {', '.join(kinds)} (it may be wrong; you decide).")
    if evidence.earlier:
        lines.append("Said by the same user in earlier sessions:")
        lines += [f"  - {i.text[:300]}" for i in evidence.earlier[:12]]
    for s in served[:10]:
        lines.append(f"Skill the agent was served ({s.how}): {s.name}")
    turns: list[str] = []
    for t in evidence.turns:
        head = f"[{t.n}]" + (f" (correction: {t.correction})" if t.correction else "")
        block = f"{head} {t.text}"
        if t.correction and t.context:
            block += f"\n    agent had just said/done: {t.context}"
        turns.append(block)
    budget = MAX_EVIDENCE_CHARS - sum(len(x) for x in lines)
    kept: list[str] = []
    for block in reversed(turns):  # recent turns matter most
        if budget - len(block) < 0:
            break
        kept.append(block)
        budget -= len(block)
    if len(kept) < len(turns):
        lines.append(f"({len(turns) - len(kept)} earlier user turns omitted)")
    lines.append("User turns:")
    lines.extend(reversed(kept))
    return "\n".join(lines)


def _found(quote: str, said: str) -> bool:
    q = " ".join(quote.split()).strip(" .。\"'")
    return len(q) >= 4 and q.lower() in " ".join(said.split()).lower()
