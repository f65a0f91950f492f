"""A skill candidate: what an extractor proposes before maintenance decides on it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..skill import Provenance, Skill, now_iso
from ..skillmd import is_valid_name, slugify

#: the spec's limits, so a candidate always renders to a valid SKILL.md
MAX_NAME = 64
MAX_DESCRIPTION = 1024


@dataclass(slots=True)
class Candidate:
    name: str
    description: str
    instructions: str
    triggers: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    confidence: float = 0.6
    quotes: list[str] = field(default_factory=list)   # the user's words it rests on
    extractor: str = "rules"                           # rules | llm:<model>

    def __post_init__(self) -> None:
        name = slugify(self.name)[:MAX_NAME].strip("-")
        self.name = name if name and is_valid_name(name) else "user-conventions"
        self.description = " ".join(self.description.split())[:MAX_DESCRIPTION]
        self.confidence = min(1.0, max(0.0, float(self.confidence)))
        self.triggers = _unique(self.triggers)[:8]
        self.tags = _unique(t.lower() for t in self.tags)[:8]

    def to_skill(self, *, user_id: str, session_id: str | None, agent: str | None) -> Skill:
        return Skill(
            name=self.name,
            description=self.description,
            instructions=self.instructions.strip(),
            user_id=user_id,
            tags=list(self.tags),
            triggers=list(self.triggers),
            provenance=[
                Provenance("transcript", session_id=session_id, agent=agent, quotes=self.quotes[:12], at=now_iso())
            ],
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name, "description": self.description, "instructions": self.instructions,
            "triggers": self.triggers, "tags": self.tags, "confidence": self.confidence,
            "quotes": self.quotes, "extractor": self.extractor,
        }


def _unique(items: object) -> list[str]:
    seen: dict[str, str] = {}
    for item in items:  # type: ignore[attr-defined]
        text = " ".join(str(item).split())
        if text:
            seen.setdefault(text.lower(), text)
    return list(seen.values())
