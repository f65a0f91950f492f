"""The ``name`` key (SKL012-SKL020, SKL027): present, a string, a valid slug, and the folder's name.

The character rules themselves live in ``names`` (shared with the store and the editor);
this module turns each problem into its rule, with the slug or the folder name as the fix.
"""

from __future__ import annotations

import unicodedata

from .. import yamltext
from ..diagnostics import Fix
from ..names import is_ascii_name, is_valid_name, name_problems, normalize_name, slugify
from ..positions import Position, Range, TextEdit
from .context import CheckContext
from .edits import quote_fix, replace_value_fix

RESERVED_WORDS = ("anthropic", "claude")


def check_name(ctx: CheckContext) -> None:
    node = ctx.parsed.fields.get("name")
    if node is None:
        if ctx.dir_name:
            at = Position(1, 0)
            edit = TextEdit(Range(at, at), f"name: {yamltext.scalar(ctx.dir_name)}\n")
            fix: Fix | None = Fix(f"Add name: {ctx.dir_name}", [edit])
            ctx.emit("SKL012", ctx.frontmatter_head(), fix=fix, remedy=f": add `name: {ctx.dir_name}`")
        else:
            ctx.emit("SKL012", ctx.frontmatter_head(), remedy=": add `name:` with the folder name")
        return
    value = node.value
    if not isinstance(value, str) or not value.strip():
        found, fix = "", None
        quoted = quote_fix(node, "name")
        if quoted:
            found, fix = quoted
        elif ctx.dir_name:
            found = f": set it to the folder name '{ctx.dir_name}'"
            fix = replace_value_fix(node, yamltext.scalar(ctx.dir_name), f"Set name to '{ctx.dir_name}'")
        ctx.emit("SKL013", node.value_range if node.source else node.key_range, fix=fix, found=found)
        return
    name = normalize_name(value)
    rng = node.value_range
    suggestion = slugify(name)
    for problem in name_problems(value):
        if problem.kind == "length":
            short = slugify(name)
            fix = (
                replace_value_fix(node, yamltext.scalar(short), f"Shorten the name to '{short}'")
                if short
                else None
            )
            ctx.emit("SKL014", rng, fix=fix, name=name, count=len(name))
        elif problem.kind == "case":
            # Lowercasing alone can leave the name invalid (`Bad_Name` -> `bad_name`, SKL018):
            # then the fix is the slug, which passes every name rule.
            lower = name.lower() if is_valid_name(name.lower()) else suggestion
            fix = replace_value_fix(node, yamltext.scalar(lower), f"Lowercase the name to '{lower}'"
                                    if lower == name.lower() else f"Use '{lower}'")
            ctx.emit("SKL015", rng, fix=fix, name=name, lower=lower)
        elif problem.kind == "hyphen-edge":
            fix = replace_value_fix(node, yamltext.scalar(suggestion), f"Use '{suggestion}'")
            ctx.emit("SKL016", rng, fix=fix, suggestion=suggestion)
        elif problem.kind == "hyphen-double":
            fix = replace_value_fix(node, yamltext.scalar(suggestion), f"Use '{suggestion}'")
            ctx.emit("SKL017", rng, fix=fix, suggestion=suggestion)
        elif problem.kind == "chars":
            fix = replace_value_fix(node, yamltext.scalar(suggestion), f"Use '{suggestion}'")
            chars = ", ".join(repr(c) for c in problem.detail)
            ctx.emit("SKL018", rng, fix=fix, name=name, chars=chars, suggestion=suggestion)
    problems = {p.kind for p in name_problems(value)}
    if not problems and not is_ascii_name(name):
        ascii_name = slugify(unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode())
        fix = replace_value_fix(node, yamltext.scalar(ascii_name), f"Use '{ascii_name}'")
        ctx.emit("SKL027", rng, fix=fix, name=name, suggestion=ascii_name)
    for word in RESERVED_WORDS:
        if word in name.lower():
            ctx.emit("SKL020", rng, name=name, word=word)
            break
    if ctx.dir_name is not None and normalize_name(ctx.dir_name) != name:
        fixes = [replace_value_fix(node, yamltext.scalar(ctx.dir_name), f"Set name to '{ctx.dir_name}'")]
        if not problems and ctx.folder is not None:
            target = str(ctx.folder.parent / name)
            fixes.append(Fix(f"Rename the folder to '{name}'", [], rename=(str(ctx.folder), target)))
        ctx.emit(
            "SKL019",
            rng,
            fix=fixes[0],
            alt=fixes[1:],
            data={"dir": ctx.dir_name, "name": name},
            dir=ctx.dir_name,
            name=name,
        )
