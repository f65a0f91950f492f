"""Skill names: the spec's rules (as skills-ref applies them) and a slugifier that meets them.

skills-ref accepts any ``str.isalnum()`` character, so Unicode letters and digits
are valid (``données``, ``技能``); the stricter ASCII-only check is a separate
question (:func:`is_ascii_name`) that some profiles ask.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass

MAX_NAME_LENGTH = 64
#: names found on disk may be long titles (the spec check flags them); past this they are not served at all
MAX_UNSAFE_LENGTH = 256
FALLBACK_NAME = "skill"
_HYPHEN_RUN = re.compile(r"-{2,}")
_ASCII_NAME = re.compile(r"[a-z0-9-]+")  # fullmatch: `$` would let a trailing newline through


@dataclass(frozen=True)
class NameProblem:
    """One way a name breaks the spec; ``kind`` matches a rule (length, case, hyphen-edge, ...)."""

    kind: str  # "empty" | "length" | "case" | "hyphen-edge" | "hyphen-double" | "chars"
    detail: str


def normalize_name(name: str) -> str:
    """The form skills-ref compares: stripped and NFKC-normalised."""
    return unicodedata.normalize("NFKC", name.strip())


def name_problems(name: str) -> list[NameProblem]:
    """Every spec violation of ``name`` in skills-ref's order (empty stops the checks)."""
    if not name or not name.strip():
        return [NameProblem("empty", "name is empty")]
    n = normalize_name(name)
    problems: list[NameProblem] = []
    if len(n) > MAX_NAME_LENGTH:
        problems.append(NameProblem("length", f"{len(n)} chars"))
    if n != n.lower():
        problems.append(NameProblem("case", "has uppercase letters"))
    if n.startswith("-") or n.endswith("-"):
        problems.append(NameProblem("hyphen-edge", "starts or ends with a hyphen"))
    if "--" in n:
        problems.append(NameProblem("hyphen-double", "contains consecutive hyphens"))
    bad = sorted({c for c in n if not (c.isalnum() or c == "-")})
    if bad:
        problems.append(NameProblem("chars", "".join(bad)))
    return problems


def is_valid_name(name: str) -> bool:
    """True when skills-ref would accept ``name`` (ignoring the directory match)."""
    return isinstance(name, str) and not name_problems(name)


def is_ascii_name(name: str) -> bool:
    """True for the strict ``[a-z0-9-]`` form that Codex and the Claude API expect."""
    return bool(_ASCII_NAME.fullmatch(normalize_name(name)))


def unsafe_name_problem(name: str) -> str | None:
    """Why `name` may not even be shown or served as a skill's name (wherever it comes from), or None.

    Invisible or control characters (U+202E turns text around, U+200B hides a break, NUL ends a
    C string), a path separator ("../../x"), or a length no name has (over MAX_UNSAFE_LENGTH).
    """
    if not isinstance(name, str) or not name.strip():
        return "a skill needs a name"
    hidden = next((ch for ch in name if unicodedata.category(ch).startswith("C")), None)
    if hidden is not None:
        return (f"contains the invisible or control character U+{ord(hidden):04X} "
                f"({unicodedata.name(hidden, 'unnamed')}); type the name without it")
    if "/" in name or "\\" in name or not name.strip(". "):
        return "is or contains a path; a skill name is one word-like segment such as 'git-commit-messages'"
    if len(name) > MAX_UNSAFE_LENGTH:
        return f"is {len(name)} characters long; a skill name has at most {MAX_NAME_LENGTH}"
    return None


def name_input_problem(name: str) -> str | None:
    """Why `name` cannot be given as a skill's name, or None when it can (then `canonical_name` stores it).

    A name is slugified when it is a title ("Commit Style"), but never silently made from input
    that hides something (`unsafe_name_problem`), from a name too long to be kept whole
    (truncating could make it another skill's name), or from nothing to name a skill by ("..").
    """
    unsafe = unsafe_name_problem(name)
    if unsafe is not None:
        return unsafe
    length = len(normalize_name(name))
    if length > MAX_NAME_LENGTH:
        return f"is {length} characters long; a skill name has at most {MAX_NAME_LENGTH}"
    if slugify(name) == FALLBACK_NAME and normalize_name(name).lower() != FALLBACK_NAME:
        return "has no letters or digits to name a skill by"
    return None


def canonical_name(name: str) -> str:
    """The name as stored: NFKC-normalised when spec-valid (what skills-ref compares), else slugified."""
    return normalize_name(name) if is_valid_name(name) else slugify(name)


def slugify(text: str, max_len: int = MAX_NAME_LENGTH) -> str:
    """A spec-valid name derived from any text; never empty (falls back to "skill")."""
    limit = max(1, min(max_len, MAX_NAME_LENGTH))
    slug = text or ""
    # NFKC and lower() do not commute for a few characters, so iterate to a fixed point.
    for _ in range(3):
        slug = _slug_once(slug, limit)
        if is_valid_name(slug) and normalize_name(slug) == slug:
            return slug
    return FALLBACK_NAME


def _slug_once(text: str, limit: int) -> str:
    s = unicodedata.normalize("NFKC", text).lower()
    chars = [ch if ch.isalnum() and ch == ch.lower() else "-" for ch in s]
    slug = _HYPHEN_RUN.sub("-", "".join(chars)).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rstrip("-")
    return slug


def folder_name_of(path: str | None) -> str | None:
    """The skill folder's name from a path to its SKILL.md (what `name` must equal), if any."""
    if not path:
        return None
    head, tail = os.path.split(path.replace("\\", "/"))
    if tail.lower() != "skill.md":
        return None
    return os.path.basename(head.rstrip("/")) or None
