"""Document symbols: the frontmatter with its keys, then the body's headings as a tree."""

from __future__ import annotations

from lsprotocol import types

from ..skillmd.outline import Symbol, outline
from .base import AutoskillServer
from .positions import PositionMap

_KINDS = {
    "frontmatter": types.SymbolKind.Namespace,
    "key": types.SymbolKind.Property,
    "heading": types.SymbolKind.String,
}


def document_symbols(ls: AutoskillServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    """``textDocument/documentSymbol``."""
    snap = ls.snapshot(params.text_document.uri)
    if snap is None:
        return []
    return [_convert(s, snap.positions) for s in outline(snap.parsed)]


def _convert(sym: Symbol, positions: PositionMap) -> types.DocumentSymbol:
    kind = types.SymbolKind.Object if sym.kind == "key" and sym.children else _KINDS[sym.kind]
    return types.DocumentSymbol(
        name=sym.name,
        detail=sym.detail or None,
        kind=kind,
        range=positions.range_to_client(sym.range),
        selection_range=positions.range_to_client(sym.selection_range),
        children=[_convert(c, positions) for c in sym.children] or None,
    )
