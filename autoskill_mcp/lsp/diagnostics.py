"""Diagnostics: the rule catalogue's findings plus the store's near-duplicate, as LSP diagnostics.

Pull (``textDocument/diagnostic``) is always offered; the server pushes only to
clients that lack pull, so no client sees a finding twice. Each diagnostic has an
exact range in the client's position encoding, the rule id as ``code``, a link to
the rule's documentation and its quick fixes as JSON in ``data``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types

from ..skillmd import Diagnostic, ParsedSkillMd
from ..skillmd.positions import Position, Range
from ..skillmd.rules import RULES
from .base import AutoskillServer
from .documents import Snapshot
from .positions import PositionMap
from .siblings import duplicate_name_diagnostics

SOURCE = "autoskill"
DUPLICATE_RULE = "SKL073"

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def to_lsp(diag: Diagnostic, positions: PositionMap) -> types.Diagnostic:
    """One core finding as an LSP diagnostic; fixes travel in ``data`` in core (code point) units."""
    data: dict[str, Any] = {"fixes": [f.to_dict() for f in diag.fixes]}
    if diag.data:
        data["info"] = diag.data
    return types.Diagnostic(
        range=positions.range_to_client(diag.range),
        severity=_SEVERITY[diag.severity.value],
        code=diag.rule_id,
        code_description=types.CodeDescription(href=diag.doc_url) if diag.doc_url else None,
        source=SOURCE,
        message=diag.message,
        data=data,
    )


def duplicate_diagnostic(ls: AutoskillServer, snap: Snapshot) -> types.Diagnostic | None:
    """SKL073: an information diagnostic naming the stored skill this one closely duplicates."""
    rule = RULES[DUPLICATE_RULE]
    severity = rule.severity_for(snap.profile)
    if severity is None:
        return None
    found = ls.store.similar(snap.parsed, snap.dir_name)
    if found is None:
        return None
    node = snap.parsed.fields.get("name") or snap.parsed.fields.get("description")
    rng = node.value_range if node is not None else Range(Position(0, 0), Position(0, 3))
    related = None
    if found.path:
        target = types.Location(uri=_file_uri(found.path),
                                range=types.Range(start=types.Position(line=0, character=0),
                                                  end=types.Position(line=0, character=0)))
        related = [types.DiagnosticRelatedInformation(location=target,
                                                      message=f"stored skill '{found.name}' v{found.version}")]
    return types.Diagnostic(
        range=snap.positions.range_to_client(rng),
        severity=_SEVERITY[severity.value],
        code=DUPLICATE_RULE,
        code_description=types.CodeDescription(href=rule.doc_url),
        source=SOURCE,
        message=rule.format(name=found.name, version=found.version, score=f"{found.score:.2f}"),
        related_information=related,
        data={"fixes": [], "similar": {"id": found.skill_id, "name": found.name, "path": found.path,
                                       "score": found.score, "version": found.version}},
    )


def diagnose(ls: AutoskillServer, snap: Snapshot) -> list[types.Diagnostic]:
    """Everything to show for one document version."""
    out = [to_lsp(d, snap.positions) for d in snap.diagnostics]
    out += [to_lsp(d, snap.positions) for d in sibling_duplicates(ls, snap)]
    dup = duplicate_diagnostic(ls, snap)
    if dup is not None:
        out.append(dup)
    return out


def sibling_duplicates(ls: AutoskillServer, snap: Snapshot) -> list[Diagnostic]:
    """SKL070: another skill beside this one's folder has the same name (open documents by their unsaved text)."""
    if RULES["SKL070"].severity_for(snap.profile) is None:
        return []
    open_docs = {s.path: s for s in (ls.snapshot(uri) for uri in list(ls.workspace.text_documents))
                 if s is not None and s.path and s.uri != snap.uri}

    def open_text(path: str) -> ParsedSkillMd | None:
        other = open_docs.get(path)
        return None if other is None else other.parsed

    return duplicate_name_diagnostics(snap.path, snap.parsed, snap.profile, open_text)


def result_id(ls: AutoskillServer, snap: Snapshot) -> str:
    """Changes whenever the text, the settings or the store change."""
    return f"{snap.version}:{hash(snap.text) & 0xFFFFFFFF:x}:{snap.profile}:{ls.store.seq}:{ls.files_seq}"


def pull(ls: AutoskillServer, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
    """``textDocument/diagnostic``: a full report, or "unchanged" when nothing moved since the last one."""
    snap = ls.snapshot(params.text_document.uri)
    if snap is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    rid = result_id(ls, snap)
    if params.previous_result_id == rid:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=rid)
    return types.RelatedFullDocumentDiagnosticReport(items=diagnose(ls, snap), result_id=rid)


def publish(ls: AutoskillServer, uri: str) -> None:
    """Push diagnostics for one document (only for clients without pull)."""
    if ls.pull_supported:
        return
    snap = ls.snapshot(uri)
    if snap is None:
        return
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, version=snap.version, diagnostics=diagnose(ls, snap)))


def clear(ls: AutoskillServer, uri: str) -> None:
    if not ls.pull_supported:
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def refresh_all(ls: AutoskillServer) -> None:
    """Store, files or settings changed: re-pull (clients with refresh support) or re-push everything."""
    ls.documents.invalidate()
    if ls.pull_supported:
        if ls.refresh_supported:
            ls.workspace_diagnostic_refresh(None)
        return
    for uri in list(ls.workspace.text_documents):
        if ls.is_ours(uri):
            publish(ls, uri)


def _file_uri(path: str) -> str:
    return Path(path).as_uri()
