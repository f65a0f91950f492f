"""The Skill model shared by every layer (format, store, retrieval, servers).

A Skill is what one SKILL.md folder means, independent of where it is stored:
the six Agent Skills spec fields, our own fields (id, version, tags, triggers,
examples, provenance), client extension keys kept for their meaning, and the
bundled resource files.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DEFAULT_VERSION = "0.1.0"

#: EvoMaster's two kinds of skill, kept as `metadata.skill_type`: a knowledge skill is read, an
#: operator skill also ships scripts (under `scripts/`) that the agent runs itself
SKILL_TYPE_KEY = "skill_type"
SKILL_TYPES: tuple[str, ...] = ("knowledge", "operator")

_SEMVER = re.compile(r"(\d+)\.(\d+)\.(\d+)")  # fullmatch: `$` would accept a trailing newline


class SkillStatus(str, enum.Enum):
    """Lifecycle state; archived skills stay on disk but are not retrieved."""

    ACTIVE = "active"
    ARCHIVED = "archived"


class Scope(str, enum.Enum):
    """Where a skill lives: a user's own, the repository's being worked in, shared by everyone, or a
    read-only library. Project skills are read from the repository's agent folders, never stored."""

    USER = "user"
    PROJECT = "project"
    SHARED = "shared"
    LIBRARY = "library"


@dataclass
class SkillExample:
    """One worked example of applying the skill."""

    input: str
    output: str | None = None
    notes: str | None = None

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    @classmethod
    def from_any(cls, value: Any) -> SkillExample | None:
        """Build from a dict or plain string (AutoSkill writes both); None if unusable."""
        if isinstance(value, SkillExample):
            return value
        if isinstance(value, str) and value.strip():
            return cls(input=value.strip())
        if isinstance(value, dict):
            inp = value.get("input")
            if inp is None or not str(inp).strip():
                return None
            out = value.get("output")
            notes = value.get("notes")
            return cls(
                input=str(inp),
                output=None if out is None else str(out),
                notes=None if notes is None else str(notes),
            )
        return None


@dataclass
class Provenance:
    """Where a skill's content came from: the evidence behind it."""

    source: str  # "transcript", "import", "manual", "sdk"
    session_id: str | None = None
    agent: str | None = None
    quotes: list[str] = field(default_factory=list)
    at: str | None = None  # ISO-8601 UTC

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"source": self.source}
        for key in ("session_id", "agent", "at"):
            value = getattr(self, key)
            if value is not None:
                d[key] = value
        if self.quotes:
            d["quotes"] = list(self.quotes)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Provenance:
        quotes = d.get("quotes") or []
        return cls(
            source=str(d.get("source") or "unknown"),
            session_id=None if d.get("session_id") is None else str(d["session_id"]),
            agent=None if d.get("agent") is None else str(d["agent"]),
            quotes=[str(q) for q in quotes] if isinstance(quotes, list) else [],
            at=None if d.get("at") is None else str(d["at"]),
        )


@dataclass
class Skill:
    """One skill. Field names follow AutoSkill's SDK so its examples keep working."""

    name: str
    description: str
    instructions: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    user_id: str = "default"
    scope: Scope = Scope.USER
    version: str = DEFAULT_VERSION
    status: SkillStatus = SkillStatus.ACTIVE
    tags: list[str] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)
    examples: list[SkillExample] = field(default_factory=list)
    # Spec fields.
    license: str | None = None
    compatibility: str | None = None
    allowed_tools: str | None = None
    # Spec `metadata` entries that are not ours (kept verbatim, string -> string).
    metadata: dict[str, str] = field(default_factory=dict)
    # Client extension frontmatter keys (e.g. Claude Code's `disable-model-invocation`),
    # kept with their YAML value so an export to that client restores their meaning.
    extensions: dict[str, Any] = field(default_factory=dict)
    provenance: list[Provenance] = field(default_factory=list)
    # Bundled resources: relative POSIX path -> bytes (scripts/, references/, assets/ ...).
    files: dict[str, bytes] = field(default_factory=dict)
    created_at: str = field(default_factory=lambda: now_iso())
    updated_at: str = field(default_factory=lambda: now_iso())
    # What the store's last write of this skill removed as secrets (kind -> count); never stored.
    redactions: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def copy(self, **changes: Any) -> Skill:
        """A deep-enough copy (lists and dicts are not shared) with fields replaced."""
        clone = dataclasses.replace(
            self,
            tags=list(self.tags),
            triggers=list(self.triggers),
            examples=[dataclasses.replace(e) for e in self.examples],
            metadata=dict(self.metadata),
            extensions=dict(self.extensions),
            provenance=[dataclasses.replace(p, quotes=list(p.quotes)) for p in self.provenance],
            files=dict(self.files),
            redactions=dict(self.redactions),
        )
        return dataclasses.replace(clone, **changes) if changes else clone

    @property
    def skill_type(self) -> str | None:
        """`knowledge` or `operator` when `metadata.skill_type` says so (None: untyped, or a wrong value)."""
        value = self.metadata.get(SKILL_TYPE_KEY)
        return value if value in SKILL_TYPES else None

    def index_text(self) -> str:
        """The text that keyword and vector retrieval see (examples are left out, as in AutoSkill)."""
        parts = [self.name.replace("-", " "), self.description]
        if self.tags:
            parts.append(" ".join(self.tags))
        if self.triggers:
            parts.append(" ".join(self.triggers))
        if self.instructions:
            parts.append(self.instructions[:4000])
        return "\n".join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (resource file contents are listed by path only)."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "instructions": self.instructions,
            "user_id": self.user_id,
            "scope": self.scope.value,
            "version": self.version,
            "status": self.status.value,
            "tags": list(self.tags),
            "triggers": list(self.triggers),
            "examples": [e.to_dict() for e in self.examples],
            "license": self.license,
            "compatibility": self.compatibility,
            "allowed_tools": self.allowed_tools,
            "metadata": dict(self.metadata),
            "extensions": dict(self.extensions),
            "provenance": [p.to_dict() for p in self.provenance],
            "files": sorted(self.files),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def now_iso() -> str:
    """Current UTC time as ISO-8601 with seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def parse_version(version: str) -> tuple[int, int, int] | None:
    """(major, minor, patch) for a plain semantic version, else None."""
    m = _SEMVER.fullmatch(version.strip())
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def bump_version(version: str, part: str = "patch") -> str:
    """Next semantic version; a malformed one restarts at 0.1.1 as AutoSkill does."""
    parsed = parse_version(version)
    if parsed is None:
        return "0.1.1"
    major, minor, patch = parsed
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"
