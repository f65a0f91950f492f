"""What every check gets: the parsed SKILL.md, where it lives, the profile, and the diagnostics so far.

A check reads the skill from the context and reports through ``emit``, which applies the
profile (a rule off in the profile emits nothing) and formats the rule's message, so no
check repeats the severity lookup. ``type_name`` is the wording messages share for what
YAML made of a value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Fix
from ..parser import ParsedSkillMd
from ..positions import Range
from ..rules import RULES


class CheckContext:
    """One validation run over one SKILL.md; ``out`` collects the diagnostics in emission order."""

    def __init__(
        self, parsed: ParsedSkillMd, profile: str, dir_name: str | None, folder: Path | None, path: str | None
    ) -> None:
        self.parsed = parsed
        self.profile = profile
        self.dir_name = dir_name
        self.folder = folder
        self.path = path
        self.out: list[Diagnostic] = []
        self.data: dict[str, Any] = parsed.data if isinstance(parsed.data, dict) else {}

    def emit(
        self,
        rule_id: str,
        rng: Range,
        *,
        fix: Fix | None = None,
        alt: list[Fix] | None = None,
        data: dict[str, Any] | None = None,
        **values: Any,
    ) -> None:
        rule = RULES[rule_id]
        severity = rule.severity_for(self.profile)
        if severity is None:
            return
        self.out.append(
            Diagnostic(rule_id, severity, rule.format(**values), rng, fix, dict(data or {}), list(alt or []))
        )

    def enabled(self, rule_id: str) -> bool:
        return RULES[rule_id].severity_for(self.profile) is not None

    def frontmatter_head(self) -> Range:
        """Where a missing required key is reported: the opening ``---`` line."""
        return self.parsed.index.line_range(0)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"
