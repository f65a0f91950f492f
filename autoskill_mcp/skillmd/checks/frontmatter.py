"""The file and its frontmatter block (SKL001-SKL009): is there a mapping for the key checks to read?

The file name, its encoding and BOM, the ``---`` delimiters, YAML that does not parse or is
not a mapping, and YAML that parses but that strictyaml (skills-ref) rejects: duplicate
keys, flow collections, anchors, aliases and tags. ``check_block`` tells ``validate``
whether the key checks can run at all.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from .. import yamltext
from ..diagnostics import Fix
from ..names import name_problems
from ..parser import YamlIssue, parse
from ..positions import Position, Range, TextEdit, apply_edits
from ..sections import first_paragraph
from .context import CheckContext, type_name
from .description import MAX_DESCRIPTION
from .edits import lines_of

_KEY_VALUE_LINE = re.compile(r"^([A-Za-z0-9_-]+)(\s*:[ \t]+)(.*?)\s*$")


def check_file(ctx: CheckContext) -> None:
    p = ctx.parsed
    if p.encoding_error:
        ctx.emit("SKL009", Range.point(0, 0), problem=p.encoding_error)
    if p.bom:
        fix = Fix("Remove the byte order mark", [TextEdit(Range.of(0, 0, 0, 1), "")])
        ctx.emit("SKL008", Range.of(0, 0, 0, 1), fix=fix)
    base = os.path.basename(ctx.path) if ctx.path else None
    if base and base != "SKILL.md" and base.lower() == "skill.md":
        new = os.path.join(os.path.dirname(ctx.path or ""), "SKILL.md")
        ctx.emit(
            "SKL007",
            Range.point(0, 0),
            fix=Fix("Rename the file to SKILL.md", [], rename=(ctx.path or base, new)),
            found=base,
        )


def check_block(ctx: CheckContext) -> bool:
    """SKL001-SKL004; True when the frontmatter is a closed, parsed mapping (the key checks can run)."""
    p = ctx.parsed
    if not p.has_frontmatter:
        ctx.emit("SKL001", Range.point(0, 1 if p.bom else 0), fix=_skeleton_fix(ctx))
    elif not p.frontmatter_closed:
        ctx.emit("SKL002", p.index.line_range(0), fix=_close_fix(ctx))
    elif p.yaml_errors:
        for issue in p.yaml_errors:
            _check_yaml_error(ctx, issue)
    elif not isinstance(p.data, dict):
        found = "an empty frontmatter" if p.data is None else type_name(p.data)
        close = p.close_line or 0
        ctx.emit("SKL004", Range(Position(0, 0), Position(close, 3)), found=found)
    else:
        return True
    return False


def _skeleton_fix(ctx: CheckContext) -> Fix:
    name = ctx.dir_name if ctx.dir_name and not name_problems(ctx.dir_name) else "my-skill"
    desc = first_paragraph(ctx.parsed.body) or "Describe what this skill does. Use when ..."
    text = f"---\nname: {yamltext.scalar(name)}\ndescription: {yamltext.scalar(desc[:MAX_DESCRIPTION])}\n---\n\n"
    at = Range.point(0, 1 if ctx.parsed.bom else 0)
    return Fix("Insert a frontmatter skeleton", [TextEdit(at, text)])


def _close_fix(ctx: CheckContext) -> Fix:
    index = ctx.parsed.index
    line = 1
    while line < index.line_count:
        t = index.line_text(line)
        if t and not (t[0] in " \t#-" or re.match(r"^[\w.-]+\s*:", t)):
            break
        line += 1
    # Step back over blank lines so the delimiter sits right after the last key.
    while line > 1 and not index.line_text(line - 1).strip():
        line -= 1
    if line >= index.line_count:
        end = len(index.line_text(index.line_count - 1))
        at = Range.point(index.line_count - 1, end)
        return Fix("Close the frontmatter with ---", [TextEdit(at, "\n---\n")])
    return Fix("Close the frontmatter with ---", [TextEdit(Range.point(line, 0), "---\n")])


def _check_yaml_error(ctx: CheckContext, issue: YamlIssue) -> None:
    fix = None
    hint = f": fix the YAML at line {issue.range.start.line + 1}"
    if "mapping values are not allowed" in issue.problem:
        fix = _quote_line_fix(ctx, issue.range.start.line)
        hint = ": a value containing ': ' must be quoted (quick fix: quote it)"
    elif "found character '\\t'" in issue.problem or "\\t" in issue.message:
        hint = ": replace tabs with spaces"
    ctx.emit("SKL003", issue.range, fix=fix, error=issue.message, hint=hint)


def _quote_line_fix(ctx: CheckContext, line: int) -> Fix | None:
    text = ctx.parsed.index.line_text(line)
    m = _KEY_VALUE_LINE.match(text)
    if not m or not m[3]:
        return None
    start = len(m[1]) + len(m[2])
    edit = TextEdit(Range.of(line, start, line, start + len(m[3])), yamltext.double_quoted(m[3]))
    fixed = parse(apply_edits(ctx.parsed.text, [edit]))
    if any(e.range.start.line == line for e in fixed.yaml_errors):
        return None
    return Fix(f"Quote the value of '{m[1]}'", [edit])


def check_yaml_shape(ctx: CheckContext) -> None:
    for dup in ctx.parsed.duplicates:
        fix = None
        node = dup.first_node
        if node is not None:
            fix = Fix(
                f"Remove the earlier '{dup.key}' (line {dup.first.start.line + 1}); YAML keeps the later one",
                [TextEdit(lines_of(ctx.parsed, node), "")],
            )
        ctx.emit("SKL005", dup.second, fix=fix, key=".".join(dup.path + (dup.key,)), line=dup.first.start.line + 1)
    labels = {
        "flow": ("A flow collection ({...} or [...])", "write block style: `key:` then indented lines"),
        "anchor": ("An anchor (&name)", "repeat the value instead"),
        "alias": ("An alias (*name)", "repeat the value instead"),
        "tag": ("A tag (!!type or !name)", "remove it and quote the value if it must stay a string"),
    }
    for feature in ctx.parsed.yaml_features:
        what, hint = labels[feature.kind]
        fix = _flow_fix(ctx, feature.range) if feature.kind == "flow" else None
        ctx.emit("SKL006", feature.range, fix=fix, what=what, remedy=hint)


def _flow_fix(ctx: CheckContext, rng: Range) -> Fix | None:
    for node in ctx.parsed.fields.values():
        if node.value_range != rng or not node.flow:
            continue
        indent = " " * (node.key_range.start.character + 2)
        value = node.value
        if isinstance(value, dict) and value and all(not isinstance(v, (dict, list)) for v in value.values()):
            lines = [f"{indent}{yamltext.key(str(k))}: {_yaml_scalar(v)}" for k, v in value.items()]
        elif isinstance(value, list) and value and all(not isinstance(v, (dict, list)) for v in value):
            lines = [f"{indent}- {_yaml_scalar(v)}" for v in value]
        else:
            return None
        edit = TextEdit(Range(node.key_range.end, node.value_range.end), ":\n" + "\n".join(lines))
        return Fix(f"Rewrite '{node.key}' in block style", [edit])
    return None


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, str):
        return yamltext.scalar(value)
    return json.dumps(value, default=str)
