"""SKILL.md, the Agent Skills file format: parse with positions, render, convert, validate.

The core of every adapter (MCP, LSP, CLI): no imports of mcp or pygls here.
"""

from __future__ import annotations

from .convert import ConversionResult, to_skill
from .diagnostics import Diagnostic, Fix, spec_error_class
from .names import is_valid_name, name_problems, slugify
from .parser import DuplicateKey, FieldNode, ParsedSkillMd, YamlFeature, YamlIssue, parse
from .positions import Position, Range, TextEdit, apply_edits
from .profiles import PROFILES, Profile, detect_profile
from .render import render
from .rules import RULES, Rule, Severity, rules_markdown
from .validate import duplicate_names, has_errors, validate, validate_dir

__all__ = [
    "ConversionResult",
    "Diagnostic",
    "DuplicateKey",
    "FieldNode",
    "Fix",
    "PROFILES",
    "ParsedSkillMd",
    "Position",
    "Profile",
    "RULES",
    "Range",
    "Rule",
    "Severity",
    "TextEdit",
    "YamlFeature",
    "YamlIssue",
    "apply_edits",
    "detect_profile",
    "duplicate_names",
    "has_errors",
    "is_valid_name",
    "name_problems",
    "parse",
    "render",
    "rules_markdown",
    "slugify",
    "spec_error_class",
    "to_skill",
    "validate",
    "validate_dir",
]
