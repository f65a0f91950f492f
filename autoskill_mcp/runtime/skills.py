"""The skill operations every adapter shares: the MCP tools and the REST API of `autoskill serve`.

Which skill a reference names for a user, which ones they may change, how a listing is paged,
what a SKILL.md text becomes, how two versions differ: each is decided here once, so the
adapters translate protocols and never re-decide (nor re-filter) anything. Errors are the
typed ones of `errors.py`; each adapter maps them to its own shape.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InvalidInputError, NotFoundError, ReadOnlyError, quoted
from ..skillmd.names import name_input_problem, unsafe_name_problem
from ..store.base import SkillSummary, decode_cursor, encode_cursor

if TYPE_CHECKING:
    from ..skill import Skill
    from ..store.base import SkillStore


def _unknown(ref: str, hint: str) -> InvalidInputError | NotFoundError:
    """The error for a reference no visible skill answers to: bad input when no skill could ever have
    it as its name (`../../x`, a NUL byte), else not found."""
    problem = unsafe_name_problem(ref)
    if problem is not None:
        return InvalidInputError(f"{quoted(ref)} is not a skill name or id: it {problem}")
    return NotFoundError(f"no skill named {quoted(ref)}{hint}")


def visible_skill(store: SkillStore, user_id: str, ref: str, *, hint: str = "") -> Skill:
    """A skill the user may read, by name (own, then shared, then library) or by id."""
    skill = store.find(ref, user_id=user_id, scope="all")
    if skill is None:
        skill = store.get(ref, user_id=user_id)  # by id: the store returns only what this user may see
    if skill is None:
        raise _unknown(ref, hint)
    return skill


def own_skill(store: SkillStore, user_id: str, ref: str, *, where: str, hint: str = "") -> Skill:
    """The user's own skill by name or id; ReadOnlyError for a shared or library one (`where` says
    through what it is read-only, e.g. "over MCP")."""
    skill = store.find(ref, user_id=user_id, scope="user")
    if skill is None:
        by_id = store.get(ref, user_id=user_id)
        if by_id is not None and by_id.scope.value == "user":  # the store shows a user only their own
            skill = by_id
    if skill is None:
        other = store.find(ref, user_id=user_id, scope="all") or store.get(ref, user_id=user_id)
        if other is not None:
            raise ReadOnlyError(f"skill {other.name!r} is a {other.scope.value} skill and read-only {where}; "
                                "save a copy under your own skills to change it")
        raise _unknown(ref, hint)
    return skill


@dataclass(frozen=True)
class SkillPage:
    """One page of a user's skill listing, by name."""

    skills: list[SkillSummary]
    total: int
    next_cursor: str | None


def list_page(store: SkillStore, user_id: str, *, scope: str = "all", cursor: str | None = None,
              limit: int = 100, q: str | None = None) -> SkillPage:
    """A page of the skills the user may see in `scope`, by (name, scope), with the store's cursor;
    `q` keeps those whose name, description or tags hold it (case-insensitive)."""
    offset = decode_cursor(cursor)
    rows = store.summaries(user_id=user_id, scope=scope)
    needle = (q or "").strip().casefold()
    if needle:
        rows = [s for s in rows if needle in " ".join([s.name, s.description, *s.tags]).casefold()]
    rows.sort(key=lambda s: (s.name, s.scope))
    page = rows[offset:offset + limit]
    nxt = encode_cursor(offset + limit) if offset + limit < len(rows) else None
    return SkillPage(page, len(rows), nxt)


def skill_from_md(text: str) -> Skill:
    """The skill a whole SKILL.md describes; InvalidInputError when it names none or an unusable name."""
    from .. import skillmd

    converted = skillmd.to_skill(skillmd.parse(text))
    if converted.skill is None:
        raise InvalidInputError(f"cannot use this SKILL.md: {converted.skipped_reason}")
    problem = name_input_problem(converted.skill.name)
    if problem is not None:  # checked before any save: maintenance would slugify it into another name
        raise InvalidInputError(f"invalid skill name {quoted(converted.skill.name)}: {problem}")
    return converted.skill


def version_diff(store: SkillStore, skill_id: str, old: str, new: str) -> str:
    """A unified diff of the SKILL.md of two versions (`0.1.2` or `#3`); NotFoundError for an unknown one."""
    from .. import skillmd

    before = skillmd.render(store.get_version(skill_id, old))
    after = skillmd.render(store.get_version(skill_id, new))
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"SKILL.md@{old}", tofile=f"SKILL.md@{new}"))
