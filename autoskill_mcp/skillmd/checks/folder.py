"""The skill folder as a whole (SKL071, SKL072): where it sits and how much it holds.

Claude Code reserves ``.claude/skills/synced``, and uploads stop at 30 MB; the size walk
stops as soon as the limit is passed, so a huge folder costs no more than a small one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..positions import Range
from .context import CheckContext

MAX_UPLOAD_BYTES = 30 * 1024 * 1024


def check_folder(ctx: CheckContext) -> None:
    folder = ctx.folder
    location = str(folder) if folder is not None else (os.path.dirname(ctx.path) if ctx.path else "")
    parts = [x for x in re.split(r"[\\/]", location) if x]
    if len(parts) >= 3 and parts[-1] == "synced" and parts[-2] == "skills" and parts[-3] == ".claude":
        ctx.emit("SKL072", Range.point(0, 0))
    if folder is not None and ctx.enabled("SKL071"):
        total = _folder_size(folder, MAX_UPLOAD_BYTES + 1)
        if total > MAX_UPLOAD_BYTES:
            ctx.emit("SKL071", Range.point(0, 0), size=f"{total / 1024 / 1024:.1f}")


def _folder_size(folder: Path, stop_at: int) -> int:
    total = 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in (".git", "node_modules", "__pycache__")]
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                continue
            if total >= stop_at:
                return total
    return total
