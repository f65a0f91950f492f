"""Code actions: the quick fixes carried in each diagnostic's ``data`` (no re-parse), a fix-all
source action, and "open the stored skill" for a near-duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..skillmd.fixall import fix_all
from ..skillmd.positions import LineIndex, TextEdit
from .base import AutoskillServer
from .diagnostics import DUPLICATE_RULE, SOURCE
from .documents import Snapshot
from .positions import range_from_dict

FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.{SOURCE}"
OPEN_STORED_COMMAND = "autoskill.openStoredSkill"
KINDS: list[types.CodeActionKind | str] = [types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll,
                                           FIX_ALL_KIND]


def code_actions(ls: AutoskillServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    """``textDocument/codeAction``."""
    snap = ls.snapshot(params.text_document.uri)
    if snap is None:
        return None
    only = params.context.only
    out: list[types.CodeAction] = []
    if _wanted(only, types.CodeActionKind.QuickFix.value):
        for diag in params.context.diagnostics:
            out.extend(_quick_fixes(ls, snap, diag))
    if _wanted(only, FIX_ALL_KIND) and (
        only is not None or any(d.source == SOURCE for d in params.context.diagnostics)
    ):
        action = fix_all_action(snap)
        if action is not None:
            out.append(action)
    return out or None


def _wanted(only: Sequence[types.CodeActionKind | str] | None, kind: str) -> bool:
    """LSP kinds are hierarchical: asking for ``source.fixAll`` includes ``source.fixAll.autoskill``."""
    if only is None:
        return True
    wanted = [getattr(k, "value", k) for k in only]
    return any(kind == k or kind.startswith(f"{k}.") for k in wanted)


def _quick_fixes(ls: AutoskillServer, snap: Snapshot, diag: types.Diagnostic) -> list[types.CodeAction]:
    if diag.source != SOURCE or not isinstance(diag.data, dict):
        return []
    out: list[types.CodeAction] = []
    if diag.code == DUPLICATE_RULE:
        similar = diag.data.get("similar")
        if isinstance(similar, dict) and similar.get("path"):
            out.append(types.CodeAction(
                title=f"Open the stored skill '{similar.get('name')}'",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                command=types.Command(title="Open stored skill", command=OPEN_STORED_COMMAND,
                                      arguments=[similar["path"]]),
            ))
        return out
    for i, fix in enumerate(diag.data.get("fixes") or []):
        edit = _workspace_edit(ls, snap, fix)
        if edit is None:
            continue
        out.append(types.CodeAction(title=str(fix.get("title", "Fix")), kind=types.CodeActionKind.QuickFix,
                                    diagnostics=[diag], is_preferred=(i == 0), edit=edit))
    return out


def _workspace_edit(ls: AutoskillServer, snap: Snapshot, fix: dict[str, Any]) -> types.WorkspaceEdit | None:
    try:
        edits = [snap.positions.edit_to_client(TextEdit(range_from_dict(e["range"]), str(e["newText"])))
                 for e in fix.get("edits") or []]
    except (KeyError, TypeError, ValueError):
        return None
    rename = fix.get("rename")
    if not rename:
        return types.WorkspaceEdit(changes={snap.uri: edits}) if edits else None
    if not ls.supports_rename:
        return None
    changes: list[Any] = []
    if edits:
        changes.append(types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=snap.uri, version=snap.version),
            edits=edits))
    changes.append(types.RenameFile(kind="rename", old_uri=Path(rename["from"]).as_uri(),
                                    new_uri=Path(rename["to"]).as_uri()))
    return types.WorkspaceEdit(document_changes=changes)


def fix_all_action(snap: Snapshot) -> types.CodeAction | None:
    """One edit that applies every fix the document has (``source.fixAll.autoskill``)."""
    result = fix_all(snap.text, path=snap.path, profile=snap.profile, skill_dir=snap.skill_dir)
    if not result.changed:
        return None
    edit = minimal_edit(snap.text, result.text)
    count = len(result.applied)
    return types.CodeAction(
        title=f"Fix all autoskill problems ({count} fix{'es' if count != 1 else ''})",
        kind=FIX_ALL_KIND,
        edit=types.WorkspaceEdit(changes={snap.uri: [snap.positions.edit_to_client(edit)]}),
    )


def minimal_edit(old: str, new: str) -> TextEdit:
    """One edit replacing only the changed middle of ``old`` (keeps the cursor and folds in place)."""
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    # Never cut a "\r\n" pair: positions inside it do not exist for the client.
    if prefix > 0 and old[prefix - 1] == "\r" and prefix < len(old) and old[prefix] == "\n":
        prefix -= 1
    index = LineIndex(old)
    return TextEdit(index.range(prefix, len(old) - suffix), new[prefix: len(new) - suffix])
