"""Apply every quick fix a SKILL.md has, in rounds, until none is left (an editor's "fix all").

Each round validates, takes the first fix of each diagnostic that edits text
(renames are left to the user) and applies the ones that do not overlap; a
later round picks up fixes that overlapped or only appeared after an edit.
The result is deterministic: the same text always gets the same fixes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .positions import TextEdit, apply_edits
from .validate import validate

MAX_ROUNDS = 8
# "Add the missing key" fixes wait for a round with nothing else to do: a did-you-mean rename
# (`descriptoin:` -> `description:`) in the same round would otherwise leave two keys.
DEFERRED = frozenset({"SKL012", "SKL021"})


@dataclass
class FixAllResult:
    """The fixed text and the titles of the fixes applied, in order."""

    text: str
    applied: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def fix_all(
    text: str,
    *,
    path: str | None = None,
    profile: str | None = None,
    skill_dir: str | Path | None = None,
) -> FixAllResult:
    """The text with every applicable fix applied (``path`` and ``profile`` as for ``validate``)."""
    result = FixAllResult(text)
    for _ in range(MAX_ROUNDS):
        chosen: list[TextEdit] = []
        titles: list[str] = []
        taken: list[tuple[tuple[int, int], tuple[int, int]]] = []
        found = validate(result.text, path=path, profile=profile, skill_dir=skill_dir)
        ordered = [d for d in found if d.rule_id not in DEFERRED]
        if not any(d.fix is not None and d.fix.rename is None and d.fix.edits for d in ordered):
            ordered = [d for d in found if d.rule_id in DEFERRED]
        for diag in ordered:
            fix = diag.fix
            if fix is None or fix.rename is not None or not fix.edits:
                continue
            spans = [((e.range.start.line, e.range.start.character), (e.range.end.line, e.range.end.character))
                     for e in fix.edits]
            if any(_overlaps(s, t) for s in spans for t in taken):
                continue
            taken.extend(spans)
            chosen.extend(fix.edits)
            titles.append(fix.title)
        if not chosen:
            break
        try:
            new_text = apply_edits(result.text, chosen)
        except ValueError:
            break
        if new_text == result.text:
            break
        result.text = new_text
        result.applied.extend(titles)
    return result


def _overlaps(a: tuple[tuple[int, int], tuple[int, int]], b: tuple[tuple[int, int], tuple[int, int]]) -> bool:
    # Two insertions at one point would land in an arbitrary order: treat them as overlapping too.
    if a[0] == a[1] or b[0] == b[1]:
        return a[0] <= b[1] and b[0] <= a[1]
    return a[0] < b[1] and b[0] < a[1]
