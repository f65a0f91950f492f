"""Diagnostics and their fixes as plain data, so an LSP quick fix never re-parses.

``Diagnostic.to_dict()`` is JSON-ready (the language server can put it in
``Diagnostic.data``); ``spec_error_class`` maps a skills-ref message to the same
error classes our rules carry, for differential tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .positions import Range, TextEdit, apply_edits
from .rules import RULES, Severity


@dataclass
class Fix:
    """A quick fix: text edits in the SKILL.md, and optionally a file or folder rename."""

    title: str
    edits: list[TextEdit] = field(default_factory=list)
    # (old path, new path) for a WorkspaceEdit RenameFile; paths as given to validate.
    rename: tuple[str, str] | None = None

    def apply(self, text: str) -> str:
        """The text after this fix's edits (renames are left to the caller)."""
        return apply_edits(text, self.edits)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"title": self.title, "edits": [e.to_dict() for e in self.edits]}
        if self.rename:
            d["rename"] = {"from": self.rename[0], "to": self.rename[1]}
        return d


@dataclass
class Diagnostic:
    """One finding: rule, severity for the active profile, a message naming the fix, and where."""

    rule_id: str
    severity: Severity
    message: str
    range: Range
    fix: Fix | None = None
    data: dict[str, Any] = field(default_factory=dict)
    alt_fixes: list[Fix] = field(default_factory=list)

    @property
    def code(self) -> str:
        """The stable code shown by editors (the rule id)."""
        return self.rule_id

    @property
    def spec_class(self) -> str | None:
        """The skills-ref error class for the same problem, if skills-ref checks it."""
        rule = RULES.get(self.rule_id)
        return rule.spec_class if rule else None

    @property
    def doc_url(self) -> str:
        rule = RULES.get(self.rule_id)
        return rule.doc_url if rule else ""

    @property
    def fixes(self) -> list[Fix]:
        return ([self.fix] if self.fix else []) + list(self.alt_fixes)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.rule_id,
            "severity": self.severity.value,
            "message": self.message,
            "range": self.range.to_dict(),
            "fixes": [f.to_dict() for f in self.fixes],
            "data": self.data,
            "doc_url": self.doc_url,
        }


# skills-ref message prefixes -> error class (the same classes as Rule.spec_class).
_SPEC_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^SKILL\.md must start with YAML frontmatter"), "frontmatter.start"),
    (re.compile(r"^SKILL\.md frontmatter not properly closed"), "frontmatter.unclosed"),
    (re.compile(r"^Invalid YAML in frontmatter"), "yaml"),
    (re.compile(r"^SKILL\.md frontmatter must be a YAML mapping"), "frontmatter.not-mapping"),
    (re.compile(r"^Unexpected fields in frontmatter"), "fields.unexpected"),
    (re.compile(r"^Missing required field in frontmatter: name"), "name.missing"),
    (re.compile(r"^Missing required field in frontmatter: description"), "description.missing"),
    (re.compile(r"^Field 'name' must be a non-empty string"), "name.empty"),
    (re.compile(r"^Skill name '.*' exceeds 64 character limit", re.S), "name.length"),
    (re.compile(r"^Skill name '.*' must be lowercase", re.S), "name.case"),
    (re.compile(r"^Skill name cannot start or end with a hyphen"), "name.hyphen-edge"),
    (re.compile(r"^Skill name cannot contain consecutive hyphens"), "name.hyphen-double"),
    (re.compile(r"^Skill name '.*' contains invalid characters", re.S), "name.chars"),
    (re.compile(r"^Directory name '.*' must match skill name", re.S), "name.dir"),
    (re.compile(r"^Field 'description' must be a non-empty string"), "description.empty"),
    (re.compile(r"^Description exceeds 1024 character limit"), "description.length"),
    (re.compile(r"^Field 'compatibility' must be a string"), "compatibility.type"),
    (re.compile(r"^Compatibility exceeds 500 character limit"), "compatibility.length"),
    (re.compile(r"^Missing required file: SKILL\.md"), "file.missing"),
    (re.compile(r"^(Path does not exist|Not a directory)"), "file.missing"),
]


def spec_error_class(message: str) -> str:
    """The error class of a skills-ref message ("other" when unknown)."""
    for pattern, cls in _SPEC_MESSAGES:
        if pattern.search(message):
            return cls
    return "other"
