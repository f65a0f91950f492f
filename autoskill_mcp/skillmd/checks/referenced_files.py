"""Files the body links to (SKL063-SKL067): inside the folder, present, one level deep, navigable.

``references`` finds the links; this module judges them, and reads each target at most once
per run. Paths outside the folder and backslashes are reported even without the folder;
the rest needs it (``skill_dir``).
"""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Fix
from ..positions import TextEdit
from ..references import find_references, has_table_of_contents, local_links
from .context import CheckContext


def check_references(ctx: CheckContext) -> None:
    # A long skill links the same few files many times: look at each once per pass.
    seen: dict[str, tuple[bool, list[str], int, bool]] = {}
    for ref in find_references(ctx.parsed):
        if ref.has_backslash:
            fixed = ref.target.replace("\\", "/")
            fix = Fix(f"Use '{fixed}'", [TextEdit(ref.range, fixed)])
            ctx.emit("SKL066", ref.range, fix=fix, target=ref.target, fixed=fixed)
        if ref.is_absolute:
            ctx.emit("SKL064", ref.range, target=ref.target, problem="is an absolute path")
            continue
        if ref.escapes_root:
            ctx.emit("SKL064", ref.range, target=ref.target, problem="points outside the skill folder")
            continue
        if ctx.folder is None:
            continue
        if ref.path not in seen:
            seen[ref.path] = _inspect_target(ctx.folder / ref.path)
        exists, others, count, has_toc = seen[ref.path]
        if not exists:
            ctx.emit("SKL063", ref.range, target=ref.path)
            continue
        if others:
            ctx.emit("SKL065", ref.range, target=ref.path, others=", ".join(others[:5]))
        if count > 100 and not has_toc:
            ctx.emit("SKL067", ref.range, target=ref.path, count=count)


def path_exists(path: Path) -> bool:
    """Whether a path written in the file names something; a path the OS cannot even look up
    (a name over 255 bytes, a path over PATH_MAX, no permission) names nothing an agent can read."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _inspect_target(target: Path) -> tuple[bool, list[str], int, bool]:
    """(exists, further local links, line count, has a table of contents) for a referenced file."""
    if not path_exists(target):
        return False, [], 0, False
    try:
        is_markdown = target.is_file() and target.suffix.lower() == ".md"
    except OSError:
        return True, [], 0, False
    if not is_markdown:
        return True, [], 0, False
    others = [o for o in local_links(target) if o.lower() != "skill.md"]
    try:
        text = target.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True, others, 0, False
    count = text.count("\n") + (0 if text.endswith("\n") else 1)
    return True, others, count, count > 100 and has_table_of_contents(text)
