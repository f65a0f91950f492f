"""``workspace/executeCommand`` handlers: search the store, save the open skill, list its versions.

Ids, arguments and results follow editors/vscode/src/protocol.ts exactly:
``autoskill.searchSkills(query, topK?) -> SearchHit[]``,
``autoskill.saveToStore(uri) -> SaveResult``,
``autoskill.showVersions(uriOrIdOrName) -> SkillVersion[]`` (newest first).
They run on the thread pool: the store may still be opening, and writes take a lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path

from ..skillmd import ParsedSkillMd, parse
from ..skillmd.names import folder_name_of
from .base import AutoskillServer

SEARCH = "autoskill.searchSkills"
SAVE = "autoskill.saveToStore"
VERSIONS = "autoskill.showVersions"
OPEN_STORED = "autoskill.openStoredSkill"
DEFAULT_TOP_K = 10


# pygls passes the JSON arguments positionally and ignores defaults, so each handler takes *args.


def search_skills(ls: AutoskillServer, *args: Any) -> list[dict[str, Any]]:
    """SearchHit[] for a free-text query: ``[query, topK?]``."""
    query = args[0] if args else None
    top_k = args[1] if len(args) > 1 and args[1] is not None else DEFAULT_TOP_K
    if not isinstance(query, str) or not query.strip():
        raise ValueError("autoskill.searchSkills needs a non-empty query string as its first argument")
    if isinstance(top_k, bool) or not isinstance(top_k, (int, float)) or top_k < 1:
        raise ValueError("autoskill.searchSkills: topK must be a positive number")
    return ls.store.search(query.strip(), int(top_k))


def save_to_store(ls: AutoskillServer, *args: Any) -> dict[str, Any]:
    """SaveResult for the document at ``[uri]`` (its editor text when open, else the file)."""
    uri = args[0] if args else None
    if not isinstance(uri, str) or not uri:
        raise ValueError("autoskill.saveToStore needs the document URI as its first argument")
    parsed, path = _document(ls, uri)
    result = ls.store.save(parsed, folder_name_of(path) if path else None)
    ls.call_on_loop(ls.refresh_diagnostics)
    return result


def show_versions(ls: AutoskillServer, *args: Any) -> list[dict[str, Any]]:
    """SkillVersion[] for ``[uriOrIdOrName]``: a document URI, a skill id or a skill name."""
    subject = args[0] if args else None
    if not isinstance(subject, str) or not subject.strip():
        raise ValueError("autoskill.showVersions needs a document URI, skill id or skill name")
    subject = subject.strip()
    if _is_uri(subject):
        parsed, _ = _document(ls, subject)
        return ls.store.versions(parsed)
    return ls.store.versions(subject)


async def open_stored_skill(ls: AutoskillServer, *args: Any) -> bool:
    """Show a stored skill's SKILL.md, ``[path]`` (the near-duplicate diagnostic's quick fix)."""
    path = args[0] if args else None
    if not isinstance(path, str) or not Path(path).is_file():
        raise ValueError(f"no stored SKILL.md at {path!r}")
    result = await ls.window_show_document_async(
        types.ShowDocumentParams(uri=Path(path).as_uri(), take_focus=True))
    return bool(result and result.success)


def _is_uri(text: str) -> bool:
    return text.startswith(("file:", "untitled:", "vscode-"))


def _document(ls: AutoskillServer, uri: str) -> tuple[ParsedSkillMd, str | None]:
    path = to_fs_path(uri) if uri.startswith("file:") else None
    if uri in ls.workspace.text_documents:
        return parse(ls.workspace.get_text_document(uri).source, path), path
    if path is None:
        raise ValueError(f"{uri} is not open and not a file")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse(data, path), path
