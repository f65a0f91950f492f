"""Top-level keys the profile does not know (SKL010) and Claude Code extension keys (SKL011).

An unknown key gets a did-you-mean rename when it is a near miss of a known key, and a
move under ``metadata:`` otherwise; which keys count as known depends on the profile.
"""

from __future__ import annotations

import json

from ...skill import SKILL_TYPE_KEY, SKILL_TYPES
from .. import yamltext
from ..diagnostics import Fix
from ..parser import FieldNode
from ..positions import Position, Range, TextEdit
from ..profiles import CLAUDE_CODE, CLAUDE_CODE_KEYS, CLAUDE_UPLOAD, EVOMASTER_KEYS, SPEC_KEYS, get_profile
from .context import CheckContext
from .edits import lines_of


def check_keys(ctx: CheckContext) -> None:
    known = get_profile(ctx.profile).known_keys
    for key, node in ctx.parsed.fields.items():
        if key in known and not (key in CLAUDE_CODE_KEYS and ctx.profile == CLAUDE_CODE):
            continue
        if key in CLAUDE_CODE_KEYS and ctx.profile in (CLAUDE_CODE, CLAUDE_UPLOAD):
            upload = (
                "; claude.ai uploads reject it (Unexpected key(s) in SKILL.md frontmatter)"
                if ctx.profile == CLAUDE_UPLOAD
                else ""
            )
            ctx.emit("SKL011", node.key_range, key=key, upload=upload)
            continue
        fixes: list[Fix] = []
        suggestion = _did_you_mean(ctx, key, known)
        if suggestion and suggestion not in ctx.parsed.fields:
            fixes.append(Fix(f"Rename '{key}' to '{suggestion}'", [TextEdit(node.key_range, suggestion)]))
        move = _move_to_metadata_fix(ctx, node)
        if move:
            fixes.append(move)
        context = (
            " (a Claude Code extension; the claude-code profile accepts it)" if key in CLAUDE_CODE_KEYS
            else " (EvoMaster's; the evomaster profile accepts it, every profile as metadata.skill_type)"
            if key in EVOMASTER_KEYS else ""
        )
        if suggestion:
            hint = f"did you mean '{suggestion}'?"
        else:
            hint = "move it under metadata: or remove it"
        ctx.emit(
            "SKL010",
            node.key_range,
            fix=fixes[0] if fixes else None,
            alt=fixes[1:],
            data={"key": key, "suggestion": suggestion},
            key=key,
            context=context,
            remedy=hint,
        )


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, for did-you-mean suggestions on keys."""
    if a == b:
        return 0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _did_you_mean(ctx: CheckContext, key: str, known: tuple[str, ...]) -> str | None:
    candidates = list(known)
    if ctx.profile != CLAUDE_CODE:
        candidates = list(SPEC_KEYS)
    lowered = key.lower().replace("_", "-")
    best: tuple[int, str] | None = None
    for cand in candidates:
        if lowered != cand and abs(len(key) - len(cand)) > 2:
            continue  # the distance is at least the difference in length
        d = 0 if lowered == cand else edit_distance(key.lower(), cand)
        if d <= 2 and (best is None or d < best[0]):
            best = (d, cand)
    return best[1] if best else None


def _move_to_metadata_fix(ctx: CheckContext, node: FieldNode) -> Fix | None:
    p = ctx.parsed
    meta = p.fields.get("metadata")
    value = node.value
    if isinstance(value, str):
        text = value
    elif node.kind == "scalar" and node.scalar_text is not None:
        text = node.scalar_text
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            return None
    # A valid skill_type stays one bare word, as we render it (EvoMaster's reader takes quotes literally).
    shown = text if node.key == SKILL_TYPE_KEY and text in SKILL_TYPES else yamltext.double_quoted(text)
    delete = TextEdit(lines_of(p, node), "")
    if node.value_range.end.line + 1 >= p.index.line_count:
        return None
    if meta is None:
        at = Position(p.close_line or 0, 0)
        insert = TextEdit(Range(at, at), f"metadata:\n  {yamltext.key(node.key)}: {shown}\n")
    elif meta.kind == "mapping" and not meta.flow and meta.children:
        if node.key in meta.children:
            return None
        children = list(meta.children.values())
        indent = " " * children[0].key_range.start.character
        last = max(c.value_range.end.line for c in children)
        at = Position(last + 1, 0)
        insert = TextEdit(Range(at, at), f"{indent}{yamltext.key(node.key)}: {shown}\n")
    else:
        return None
    return Fix(f"Move '{node.key}' under metadata", [delete, insert])
