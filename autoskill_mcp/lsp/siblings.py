"""SKL070 in the editor: a skill named like another skill in the same skills folder.

Clients load one skill per name, so two folders side by side with the same `name`
shadow each other. The siblings' SKILL.md files are parsed once and kept until
their size or modification time changes, so a keystroke costs one `stat` per
sibling; open documents count with their unsaved text.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..skillmd import Diagnostic, ParsedSkillMd, parse
from ..skillmd.validate import duplicate_names

#: a skills folder larger than this is not compared (the CLI's `validate` does it whole)
MAX_SIBLINGS = 500

_cache: dict[str, tuple[tuple[int, int], ParsedSkillMd]] = {}


def _parsed(path: str) -> ParsedSkillMd | None:
    try:
        st = os.stat(path)
    except OSError:
        _cache.pop(path, None)
        return None
    key = (st.st_mtime_ns, st.st_size)
    hit = _cache.get(path)
    if hit is not None and hit[0] == key:
        return hit[1]
    try:
        parsed = parse(Path(path).read_bytes(), path)
    except OSError:
        return None
    _cache[path] = (key, parsed)
    return parsed


def duplicate_name_diagnostics(path: str | None, parsed: ParsedSkillMd, profile: str,
                               open_text: Callable[[str], ParsedSkillMd | None]) -> list[Diagnostic]:
    """SKL070 findings for the document at `path` against the skills beside its folder.

    `open_text(path)` gives the parse of an open document's unsaved text, or None.
    """
    if path is None:
        return []
    folder = Path(path).parent
    try:
        siblings = [str(p / "SKILL.md") for p in sorted(folder.parent.iterdir())[:MAX_SIBLINGS + 1]
                    if p != folder and p.is_dir() and not p.is_symlink()]
    except OSError:
        return []
    if len(siblings) > MAX_SIBLINGS:
        return []
    others: list[tuple[str, ParsedSkillMd]] = []
    for other in siblings:
        doc = open_text(other) or (_parsed(other) if os.path.isfile(other) else None)
        if doc is not None:
            others.append((other, doc))
    if not others:
        return []
    return duplicate_names([(path, parsed), *others], profile=profile).get(path, [])
