"""Checks across many skills (SKL070): a name two skills share, so one shadows the other.

It needs the other skills, not one file, so ``validate`` never runs it: the caller (the
language server, for the skills beside the open one) passes them to ``duplicate_names``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..diagnostics import Diagnostic
from ..names import normalize_name
from ..parser import FieldNode, ParsedSkillMd
from ..profiles import get_profile
from ..rules import RULES


def duplicate_names(
    skills: Iterable[tuple[str, ParsedSkillMd]], *, profile: str = "spec"
) -> dict[str, list[Diagnostic]]:
    """SKL070 across a workspace or store: path -> diagnostics for every file whose name another uses."""
    rule = RULES["SKL070"]
    severity = rule.severity_for(get_profile(profile).name)
    by_name: dict[str, list[tuple[str, FieldNode]]] = {}
    for path, parsed in skills:
        node = parsed.fields.get("name")
        if node is not None and isinstance(node.value, str) and node.value.strip():
            by_name.setdefault(normalize_name(node.value), []).append((path, node))
    out: dict[str, list[Diagnostic]] = {}
    if severity is None:
        return out
    for name, entries in by_name.items():
        if len(entries) < 2:
            continue
        for path, node in entries:
            others = [p for p, _ in entries if p != path]
            message = rule.format(name=name, other=", ".join(others))
            diag = Diagnostic("SKL070", severity, message, node.value_range, data={"others": others})
            out.setdefault(path, []).append(diag)
    return out
