"""Completion: frontmatter keys for the active profile, their values (SPDX ids, booleans, enums,
tool names, the folder name), metadata keys and relative paths in body links.

Works from the raw lines (``skillmd.cursor``), never from the YAML parse, so it
keeps working while the frontmatter is half typed.
"""

from __future__ import annotations

import os

from lsprotocol import types

from ..skillmd.cursor import CursorContext, context_at
from ..skillmd.keys import KEY_DOCS, METADATA_KEYS, keys_for_profile, values_for
from ..skillmd.positions import Position, Range
from .base import AutoskillServer
from .documents import Snapshot

TRIGGER_CHARACTERS = [":", " ", "/", "(", "-"]
MAX_PATH_ITEMS = 200
_SKIP_ENTRIES = {".git", "node_modules", "__pycache__", ".DS_Store"}


def complete(ls: AutoskillServer, params: types.CompletionParams) -> types.CompletionList | None:
    """``textDocument/completion``."""
    snap = ls.snapshot(params.text_document.uri)
    if snap is None:
        return None
    pos = snap.positions.from_client(params.position)
    ctx = context_at(snap.text, pos.line, pos.character)
    items = items_for(snap, ctx)
    if items is None:
        return None
    return types.CompletionList(is_incomplete=False, items=items)


def items_for(snap: Snapshot, ctx: CursorContext) -> list[types.CompletionItem] | None:
    """The items for one cursor context (None when there is nothing to offer)."""
    edit_range = snap.positions.range_to_client(Range(Position(ctx.line, ctx.start), Position(ctx.line, ctx.end)))
    if ctx.kind == "key":
        return [_key_item(key, i, edit_range, ctx.has_colon) for i, key in enumerate(keys_for_profile(snap.profile))
                if key not in ctx.present]
    if ctx.kind == "metadata-key":
        suffix = "" if ctx.has_colon else ": "
        return [_item(key, key + suffix, edit_range, types.CompletionItemKind.Property, doc, i)
                for i, (key, doc) in enumerate(METADATA_KEYS.items()) if key not in ctx.present]
    if ctx.kind in ("value", "list-item"):
        values = list(values_for(ctx.key))
        if ctx.key == "name" and snap.dir_name:
            values.insert(0, snap.dir_name)
        if not values:
            return None
        kind = types.CompletionItemKind.EnumMember if ctx.key in KEY_DOCS and KEY_DOCS[ctx.key].values else \
            types.CompletionItemKind.Value
        return [_item(v, v, edit_range, kind, None, i) for i, v in enumerate(dict.fromkeys(values))]
    if ctx.kind == "link":
        return _path_items(snap, ctx, edit_range)
    return None


def _key_item(key: str, rank: int, rng: types.Range, has_colon: bool) -> types.CompletionItem:
    doc = KEY_DOCS[key]
    if has_colon:
        new_text = key  # renaming an existing key: keep its colon and value
    else:
        new_text = "metadata:\n  " if key == "metadata" else f"{key}: "
    item = _item(key, new_text, rng, types.CompletionItemKind.Property, doc.markdown(), rank)
    item.detail = doc.what
    return item


def _item(label: str, new_text: str, rng: types.Range, kind: types.CompletionItemKind, doc: str | None,
          rank: int) -> types.CompletionItem:
    return types.CompletionItem(
        label=label,
        kind=kind,
        sort_text=f"{rank:04d}",
        filter_text=label,
        text_edit=types.TextEdit(range=rng, new_text=new_text),
        documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=doc) if doc else None,
    )


def _path_items(snap: Snapshot, ctx: CursorContext, rng: types.Range) -> list[types.CompletionItem] | None:
    if snap.skill_dir is None:
        return None
    typed = ctx.prefix.replace("\\", "/")
    if typed.startswith("/") or typed.startswith("..") or "://" in typed:
        return None
    head = typed.rsplit("/", 1)[0] + "/" if "/" in typed else ""
    folder = (snap.skill_dir / head) if head else snap.skill_dir
    try:
        folder = folder.resolve()
        if not folder.is_relative_to(snap.skill_dir.resolve()):
            return None
        entries = sorted(os.scandir(folder), key=lambda e: (not e.is_dir(), e.name.lower()))
    except OSError:
        return None
    items: list[types.CompletionItem] = []
    for entry in entries:
        if entry.name in _SKIP_ENTRIES or entry.name.startswith(".") or (not head and entry.name == "SKILL.md"):
            continue
        is_dir = entry.is_dir()
        label = entry.name + ("/" if is_dir else "")
        kind = types.CompletionItemKind.Folder if is_dir else types.CompletionItemKind.File
        item = _item(label, head + label, rng, kind, None, len(items))
        item.filter_text = head + label
        if is_dir:
            item.command = types.Command(title="Suggest", command="editor.action.triggerSuggest")
        items.append(item)
        if len(items) >= MAX_PATH_ITEMS:
            break
    return items
