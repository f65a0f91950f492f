"""The spec's optional keys besides metadata: compatibility (SKL030, SKL031), allowed-tools (SKL050), license (SKL051).

Each is free text with one shape the spec asks for: compatibility a 1-500 character string,
allowed-tools one space-separated string, and a license that names a file shipping that file.
"""

from __future__ import annotations

import re

from .. import yamltext
from ..convert import has_top_level_comma, split_tools
from ..diagnostics import Fix
from ..positions import TextEdit
from .context import CheckContext, type_name
from .edits import lines_of, replace_value_fix, shorten_fix
from .referenced_files import path_exists

MAX_COMPATIBILITY = 500

_LICENSE_FILE = re.compile(r"\b((?:LICEN[CS]E|COPYING|NOTICE)(?:\.[A-Za-z0-9]+)?|[\w-]+\.(?:txt|md))\b", re.I)


def check_compatibility(ctx: CheckContext) -> None:
    node = ctx.parsed.fields.get("compatibility")
    if node is None:
        return
    value = node.value
    if not isinstance(value, str):
        fix = None
        found = f" (found {type_name(value)})"
        if node.kind == "scalar" and node.scalar_text:
            fix = replace_value_fix(node, yamltext.double_quoted(node.scalar_text), "Quote the value")
            found += ": quote it"
        elif value is None:
            found += ": describe the requirements or delete the field"
        ctx.emit("SKL030", node.value_range if node.source else node.key_range, fix=fix, found=found)
        return
    if not value.strip():
        fix = Fix("Delete the empty compatibility field", [TextEdit(lines_of(ctx.parsed, node), "")])
        ctx.emit(
            "SKL031",
            node.full_range,
            fix=fix,
            problem="Field 'compatibility' is empty: describe the requirements or delete it",
        )
    elif len(value) > MAX_COMPATIBILITY:
        ctx.emit(
            "SKL031",
            node.value_range,
            fix=shorten_fix(node, value, MAX_COMPATIBILITY, "compatibility"),
            problem=f"Compatibility exceeds 500 character limit ({len(value)} chars): shorten it",
        )


def check_allowed_tools(ctx: CheckContext) -> None:
    node = ctx.parsed.fields.get("allowed-tools")
    if node is None or node.value is None:
        return
    value = node.value
    if isinstance(value, list):
        joined = " ".join(str(v).strip() for v in value if str(v).strip())
        fix = replace_value_fix(node, yamltext.scalar(joined), "Write allowed-tools space-separated")
        ctx.emit("SKL050", node.value_range, fix=fix, found="a YAML list", suggestion=joined)
    elif isinstance(value, str):
        if has_top_level_comma(value):
            joined = " ".join(split_tools(value))
            fix = replace_value_fix(node, yamltext.scalar(joined), "Write allowed-tools space-separated")
            ctx.emit("SKL050", node.value_range, fix=fix, found="a comma-separated string", suggestion=joined)
    else:
        ctx.emit("SKL050", node.value_range, found=type_name(value), suggestion="Read Bash(git:*)")


def check_license(ctx: CheckContext) -> None:
    node = ctx.parsed.fields.get("license")
    if node is None or ctx.folder is None or not isinstance(node.value, str):
        return
    for m in _LICENSE_FILE.finditer(node.value):
        token = m[1]
        if not path_exists(ctx.folder / token):
            ctx.emit("SKL051", node.value_range, file=token)
