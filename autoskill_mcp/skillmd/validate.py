"""Run the rule catalogue over one SKILL.md (and optionally its folder).

Each check emits at most what the active profile enables (``Rule.severity_for``),
with the message naming the fix and, where an edit can do it, the fix as data.

This module is the entry point and the running order; the checks themselves live in
``checks``, one module per concept (see its docstring). The limits stay importable from
here, where the editor's key documentation and other callers read them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .checks.body import CLAUDE_VARIABLES, MAX_LINES, MAX_TOKENS, check_body
from .checks.claude_code import check_claude_code
from .checks.context import CheckContext
from .checks.description import MAX_DESCRIPTION, MAX_LISTING, check_description
from .checks.folder import MAX_UPLOAD_BYTES, check_folder
from .checks.frontmatter import check_block, check_file, check_yaml_shape
from .checks.metadata import check_metadata
from .checks.name import RESERVED_WORDS, check_name
from .checks.optional_fields import MAX_COMPATIBILITY, check_allowed_tools, check_compatibility, check_license
from .checks.referenced_files import check_references
from .checks.skill_type import check_skill_type
from .checks.unknown_keys import check_keys, edit_distance
from .checks.workspace import duplicate_names
from .diagnostics import Diagnostic
from .names import folder_name_of
from .parser import ParsedSkillMd, parse
from .positions import Range
from .profiles import detect_profile, get_profile
from .rules import RULES

__all__ = [
    "CLAUDE_VARIABLES",
    "MAX_COMPATIBILITY",
    "MAX_DESCRIPTION",
    "MAX_LINES",
    "MAX_LISTING",
    "MAX_TOKENS",
    "MAX_UPLOAD_BYTES",
    "RESERVED_WORDS",
    "duplicate_names",
    "edit_distance",
    "has_errors",
    "validate",
    "validate_dir",
]

# The checks that read the frontmatter's keys, in order; they run only when it is a parsed mapping.
_KEY_CHECKS: tuple[Callable[[CheckContext], None], ...] = (
    check_yaml_shape,
    check_keys,
    check_name,
    check_description,
    check_compatibility,
    check_metadata,
    check_skill_type,
    check_allowed_tools,
    check_license,
    check_claude_code,
)


def validate(
    text_or_parsed: str | bytes | ParsedSkillMd,
    *,
    path: str | None = None,
    profile: str | None = None,
    dir_name: str | None = None,
    skill_dir: str | Path | None = None,
) -> list[Diagnostic]:
    """Diagnostics for one SKILL.md, sorted by position; file checks run when ``skill_dir`` is given."""
    if isinstance(text_or_parsed, ParsedSkillMd):
        parsed = text_or_parsed
        path = path or parsed.path
    else:
        parsed = parse(text_or_parsed, path)
    folder = Path(skill_dir) if skill_dir is not None else None
    if dir_name is None:
        dir_name = folder.name if folder is not None else folder_name_of(path)
    name = get_profile(profile or detect_profile(path if path else folder)).name
    ctx = CheckContext(parsed, name, dir_name, folder, path)
    _run(ctx)
    return sorted(ctx.out, key=lambda d: (d.range.start, d.rule_id))


def _run(ctx: CheckContext) -> None:
    """Every check in catalogue order; ties in position keep this order in the sorted result."""
    p = ctx.parsed
    check_file(ctx)
    if check_block(ctx):
        for check in _KEY_CHECKS:
            check(ctx)
    if p.frontmatter_closed or not p.has_frontmatter:
        check_body(ctx)
        check_references(ctx)
    check_folder(ctx)


def validate_dir(skill_dir: str | Path, *, profile: str | None = None) -> list[Diagnostic]:
    """Validate a skill folder: find SKILL.md (any casing), then run every check including files."""
    folder = Path(skill_dir)
    origin = Range.point(0, 0)
    rule = RULES["SKL000"]
    sev = rule.severity_for(profile or detect_profile(folder)) or rule.severity
    if not folder.is_dir():
        return [Diagnostic("SKL000", sev, rule.format(problem=f"{folder} is not a directory"), origin)]
    exact = folder / "SKILL.md"
    candidate: Path | None = None
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        return [Diagnostic("SKL000", sev, rule.format(problem=f"cannot list {folder}: {exc}"), origin)]
    if "SKILL.md" in names:
        candidate = exact
    else:
        candidate = next((folder / n for n in names if n.lower() == "skill.md"), None)
    if candidate is None:
        return [Diagnostic("SKL000", sev, rule.format(problem=f"no SKILL.md in {folder}"), origin)]
    try:
        data = candidate.read_bytes()
    except OSError as exc:
        return [Diagnostic("SKL000", sev, rule.format(problem=f"cannot read {candidate}: {exc}"), origin)]
    return validate(data, path=str(candidate), profile=profile, skill_dir=folder)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    """True when any diagnostic is an error (the skills-ref verdict 'invalid')."""
    return any(d.is_error for d in diagnostics)
