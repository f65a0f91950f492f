"""The ``metadata`` key (SKL040-SKL042): a mapping of string keys to string values.

YAML reads unquoted ``1.10`` as 1.1 and ``yes`` as true, so a value that is not a string
gets a fix that quotes it exactly as written (or stores a nested value as a JSON string).
"""

from __future__ import annotations

import json

from .. import yamltext
from .context import CheckContext, type_name
from .edits import replace_value_fix


def check_metadata(ctx: CheckContext) -> None:
    node = ctx.parsed.fields.get("metadata")
    if node is None:
        return
    if not isinstance(node.value, dict):
        found = f" (found {type_name(node.value)})"
        ctx.emit("SKL040", node.value_range if node.source else node.key_range, found=found)
        return
    for key, child in node.children.items():
        value = child.value
        if key in ("short-description", "shortDescription", "short_description") and isinstance(value, str):
            if len(value) > 500:
                ctx.emit("SKL042", child.value_range, key=key, count=len(value))
        if isinstance(value, str):
            continue
        fix = None
        coerced = ""
        if child.kind == "scalar" and child.scalar_text is not None:
            if child.implicitly_typed and str(value) != child.scalar_text:
                shown = str(value).lower() if isinstance(value, bool) else str(value)
                coerced = f" (YAML reads `{child.scalar_text}` as {shown})"
            fix = replace_value_fix(child, yamltext.double_quoted(child.scalar_text), "Quote the value")
        else:
            try:
                as_json = json.dumps(value, ensure_ascii=False, default=str)
                fix = replace_value_fix(
                    child, yamltext.double_quoted(as_json), "Store the value as a JSON string"
                )
            except (TypeError, ValueError):
                fix = None
        ctx.emit(
            "SKL041",
            child.value_range if child.source else child.key_range,
            fix=fix,
            key=key,
            found=type_name(value),
            coerced=coerced,
        )
