"""EvoMaster's ``skill_type`` (SKL043, SKL044): ``knowledge`` or ``operator``, top-level or in ``metadata``.

The evomaster profile knows the top-level key; every profile accepts it as
``metadata.skill_type``. Any other value leaves the skill untyped (EvoMaster would
load it wrongly), so it gets a fix that writes the nearest valid one. An operator
skill's point is its ``scripts/``; one without them is noted when the folder is known.
"""

from __future__ import annotations

from ...skill import SKILL_TYPE_KEY, SKILL_TYPES
from ..parser import FieldNode
from .context import CheckContext, type_name
from .edits import replace_value_fix
from .unknown_keys import edit_distance


def check_skill_type(ctx: CheckContext) -> None:
    meta = ctx.parsed.fields.get("metadata")
    nodes = [(SKILL_TYPE_KEY, ctx.parsed.fields.get(SKILL_TYPE_KEY))]
    if meta is not None and isinstance(meta.value, dict):
        nodes.append((f"metadata.{SKILL_TYPE_KEY}", meta.children.get(SKILL_TYPE_KEY)))
    operator = False
    for where, node in nodes:
        if node is None:
            continue
        value = node.value
        if value in SKILL_TYPES:
            operator = operator or value == "operator"
            continue
        found = f"`{value}`" if isinstance(value, str) else type_name(value)
        nearest = _nearest(value) if isinstance(value, str) else None
        fix = replace_value_fix(node, nearest, f"Set {where} to '{nearest}'") if nearest else None
        ctx.emit("SKL043", node.value_range if node.source else node.key_range, fix=fix, where=where, found=found,
                 hint=f" (did you mean `{nearest}`?)" if nearest else "")
    if operator and ctx.folder is not None and not _has_scripts(ctx):
        node = _first(nodes)
        if node is not None:
            ctx.emit("SKL044", node.value_range)


def _nearest(value: str) -> str | None:
    """The valid type a near miss meant (`Operator`, `operators`, `knowlege`, `op`), or None."""
    text = value.strip().lower()
    for kind in SKILL_TYPES:
        if (len(text) >= 2 and kind.startswith(text)) or edit_distance(text, kind) <= 2:
            return kind
    return None


def _first(nodes: list[tuple[str, FieldNode | None]]) -> FieldNode | None:
    return next((node for _, node in nodes if node is not None and node.value == "operator"), None)


def _has_scripts(ctx: CheckContext) -> bool:
    assert ctx.folder is not None
    scripts = ctx.folder / "scripts"
    try:
        return scripts.is_dir() and any(p.is_file() for p in scripts.rglob("*"))
    except OSError:
        return False
