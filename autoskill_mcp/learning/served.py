"""Which skills an agent was served in a session, and whether it followed them.

Pruning needs a `used` signal, and agents rarely call `report_skill_used`. The
transcript already says most of it: the agent searched our MCP server, loaded a
skill (`get_skill`, Claude Code's Skill tool, a read of `skills/<name>/SKILL.md`)
or had an `<autoskill-context>` block injected; what it did afterwards shows
whether the skill's rules were applied. Offline the evidence is lexical: the
distinctive words of a skill's constraint lines turning up in the agent's later
actions, and no user correction about them. With an LLM, the extraction call
gives one judgement per served skill instead (see llm_extract.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

from ..context import OPEN_TAG
from ..retrieval.tokenizer import tokenize
from ..skill import Skill
from ..store.base import SkillStore
from .session import Event, Kind, Role, Session
from .signals import is_correction

How = Literal["searched", "loaded", "injected"]

_OUR_TOOL = re.compile(r"(?:^|[_.:/-])(search_skills|render_context|get_skill|report_skill_used)$")
_SKILL_FILE = re.compile(r"skills/([^/\s\"'\\]+)/SKILL\.md")
_CATALOG_LINE = re.compile(r"^- ([^\s(]+) \(v[\w.+-]+, score", re.M)
_NAME_FIELD = re.compile(r"\"name\"\s*:\s*\"([^\"]{1,80})\"")
#: the skill counts as followed when this share of the rule lines there was evidence for were applied
FOLLOWED = 0.5
_NEGATION = re.compile(
    r"\b(never|not|no|don'?t|do not|avoid|without|instead of|rather than)\b|(不要|别|禁止|避免|而不是)"
)
_RULE_LINE = re.compile(r"^\s*(?:[-*]|\d+[.)])\s+(.+)$")
_COMMON = set("""the a an and or of to in on for with be is are it this that use using when each every all any not no
never always do don t make sure keep only also your you user them than then before after first run write add""".split())


@dataclass(frozen=True, slots=True)
class Served:
    """One skill the agent had in front of it in this session."""

    skill_id: str
    name: str
    how: How
    followed: bool | None = None     # None: nothing the agent did afterwards tells
    why: str = ""
    reported: bool = False           # the agent itself called report_skill_used for it
    counted_live: bool = False       # our server already counted this retrieval when it answered

    def to_dict(self) -> dict[str, object]:
        return {"skill_id": self.skill_id, "name": self.name, "how": self.how, "followed": self.followed,
                "why": self.why, "reported": self.reported}


def served_in(session: Session, store: SkillStore, *, user_id: str, start: int = 0) -> list[Served]:
    """The user's visible skills served in `session` (events from `start` on), each judged offline."""
    seen: dict[str, tuple[How, int, bool]] = {}
    reported: set[str] = set()
    events = session.events
    for i in range(start, len(events)):
        e = events[i]
        for name, how, live in _mentions(e):
            if how == "reported":
                reported.add(name)
            elif name not in seen or _rank(how) > _rank(seen[name][0]):
                seen[name] = (how, i, live or (name in seen and seen[name][2]))
    out: list[Served] = []
    for name, (how, at, live) in seen.items():
        skill = store.find(name, user_id=user_id, scope="all")
        if skill is None:
            continue
        followed, why = judge(skill, events[at + 1:])
        out.append(Served(skill.id, skill.name, how, followed, why, reported=name in reported, counted_live=live))
    for name in reported - set(seen):
        skill = store.find(name, user_id=user_id, scope="all")
        if skill is not None:
            out.append(Served(skill.id, skill.name, "loaded", True, "the agent reported using it", reported=True,
                              counted_live=True))
    return out


def usage_counts(served: list[Served], *, user_id: str) -> list[tuple[str, str, int, int]]:
    """(skill_id, user_id, retrieved, used) for what our server did not count when it happened."""
    counts = [(s.skill_id, user_id, 0 if s.counted_live else 1, 1 if s.followed and not s.reported else 0)
              for s in served]
    return [c for c in counts if c[2] or c[3]]


def judge(skill: Skill, after: list[Event]) -> tuple[bool | None, str]:
    """Did the agent's actions after the skill was served apply its rules? (offline, lexical)

    A rule line counts as applied when one of its distinctive words (before any "never"/"not")
    shows in what the agent did, as broken when a word it forbids does; lines with nothing to
    look for are left out of the count.
    """
    lines = [m.group(1) for m in map(_RULE_LINE.match, skill.instructions.splitlines()) if m]
    actions = [e for e in after if e.role is Role.ASSISTANT and e.kind in (Kind.REPLY, Kind.TOOL_CALL)
               and not e.is_sidechain]
    if not lines:
        return None, "the skill states no rule lines to check"
    if not actions:
        return None, "the agent did nothing after it was served"
    done = set(tokenize(" ".join(e.text + " " + (e.tool.input if e.tool else "") for e in actions)))
    applied = broken = 0
    for line in lines:
        wanted, forbidden = _marks(line)
        if forbidden & done and not wanted & done:
            broken += 1
        elif wanted & done:
            applied += 1
        elif wanted:
            broken += 1
    corrected = [e for e in after if e.role is Role.USER and not e.is_sidechain
                 and (e.kind is Kind.CORRECTION or (e.kind is Kind.PROMPT and is_correction(e.text)))]
    said = set(tokenize(" ".join(e.text for e in corrected)))
    if corrected and any(_marks(x)[0] & said for x in lines):
        return False, "the user corrected the agent on what the skill says"
    checked = applied + broken
    if not checked:
        return None, "nothing the agent did bears on its rules"
    if applied / checked >= FOLLOWED:
        return True, f"{applied} of {checked} of its rules show in the agent's actions"
    return False, f"only {applied} of {checked} of its rules show in the agent's actions"


def _marks(line: str) -> tuple[set[str], set[str]]:
    """(words the rule wants to see, words it forbids): what follows a "never"/"not"/"no" is forbidden."""
    low = line.lower()
    m = _NEGATION.search(low)
    return (_distinctive(low[:m.start()]), _distinctive(low[m.end():])) if m else (_distinctive(low), set())


def _distinctive(text: str) -> set[str]:
    return {t for t in tokenize(text) if t not in _COMMON and len(t) >= 2 and not t.isdigit()}


def _rank(how: str) -> int:
    return {"searched": 0, "injected": 1, "loaded": 2}.get(how, -1)


def _mentions(e: Event) -> list[tuple[str, How | Literal["reported"], bool]]:
    """(skill name, how, counted live) for what this event shows being served."""
    out: list[tuple[str, How | Literal["reported"], bool]] = []
    tool = e.tool
    if tool is not None:
        ours = _OUR_TOOL.search(tool.name)
        if ours and e.kind is Kind.TOOL_CALL and ours.group(1) in ("get_skill", "report_skill_used"):
            name = _arg(tool.input, "name")
            if name:
                out.append((name, "loaded" if ours.group(1) == "get_skill" else "reported", False))
        elif ours and e.kind is Kind.TOOL_RESULT and tool.output:
            out += [(n, "searched", True) for n in _names_in_result(tool.output)]
        elif tool.name.lower() == "skill" and e.kind is Kind.TOOL_CALL:
            name = _arg(tool.input, "skill") or _arg(tool.input, "command") or _arg(tool.input, "name")
            if name:
                out.append((name.split(":")[-1], "loaded", False))
        elif e.kind is Kind.TOOL_CALL:
            out += [(n, "loaded", False) for n in _SKILL_FILE.findall(tool.input)]
    if OPEN_TAG in e.text:
        out += [(n, "injected", False) for n in _CATALOG_LINE.findall(e.text)]
    return out


def _arg(raw: str, key: str) -> str:
    try:
        value = json.loads(raw).get(key) if raw.strip().startswith("{") else None
    except (ValueError, AttributeError):
        value = None
    return value.strip() if isinstance(value, str) else ""


def _names_in_result(output: str) -> list[str]:
    try:
        data = json.loads(output)
    except ValueError:
        data = None
    if isinstance(data, dict):
        items = data.get("hits") or data.get("skills") or []
        names = [x.get("name") for x in items if isinstance(x, dict)]
        if names:
            return [n for n in names if isinstance(n, str)]
    return list(dict.fromkeys(_NAME_FIELD.findall(output) or _CATALOG_LINE.findall(output)))
