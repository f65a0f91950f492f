"""VS Code-family workspace folders: which project a `workspaceStorage/<hash>/` folder stands for.

Cursor and VS Code (Copilot Chat) name per-workspace storage by a hash; the folder's
`workspace.json` says which folder (or `.code-workspace` file) was open.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from autoskill_mcp.learning.transcripts.fields import as_dict, as_str
from autoskill_mcp.learning.transcripts.source import loads


def workspace_folder(workspace_json: Path) -> str | None:
    """The folder a workspace.json points at (its `folder` URI, or the `workspace` file's)."""
    try:
        if not workspace_json.is_file() or workspace_json.stat().st_size > 1_000_000:
            return None
        data = as_dict(loads(workspace_json.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None
    uri = as_str(data.get("folder")) or as_str(data.get("workspace"))
    return uri_path(uri) if uri else None


def uri_path(uri: str) -> str:
    """A file path from a `file://` URI (`file:///c%3A/x` -> `c:/x`); other schemes are kept whole."""
    parsed = urlparse(uri)
    if parsed.scheme not in ("file", ""):
        return uri
    path = unquote(parsed.path)
    if re.match(r"^/[A-Za-z]:", path):
        path = path[1:]
    return path
