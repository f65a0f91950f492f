"""Hover on keys and document symbols through a real session."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import open_doc, write_skill

pytestmark = pytest.mark.asyncio(loop_scope="module")

TEXT = """---
name: hover
description: Formats tables. Use when the user pastes CSV.
disable-model-invocation: true
metadata:
  short-description: Tables
  author: me
---
# Hover

## Steps
1. Do it.

```md
# not a heading
```

## Notes
### Detail
"""


async def hover(client: LanguageClient, uri: str, line: int, character: int) -> types.Hover | None:
    return await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=character)))


async def test_hover_on_a_key_says_what_limits_and_clients(client: LanguageClient) -> None:
    uri = open_doc(client, write_skill(client.root, "hover", TEXT))
    result = await hover(client, uri, 2, 4)
    assert result is not None
    text = result.contents.value  # type: ignore[union-attr]
    assert text.startswith("**description**")
    assert "1-1024 characters" in text and "Claude Code" in text and "Codex" in text
    assert result.range == types.Range(start=types.Position(line=2, character=0),
                                       end=types.Position(line=2, character=11))


async def test_hover_on_extension_key_in_spec_profile_says_it_is_not_spec(client: LanguageClient) -> None:
    uri = open_doc(client, write_skill(client.root, "hover", TEXT))
    text = (await hover(client, uri, 3, 3)).contents.value  # type: ignore[union-attr]
    assert "only the user can invoke" in text and "Not a `spec` key" in text


async def test_hover_on_metadata_child_and_not_on_values(client: LanguageClient) -> None:
    uri = open_doc(client, write_skill(client.root, "hover", TEXT))
    child = await hover(client, uri, 5, 4)
    assert child is not None and "Codex" in child.contents.value  # type: ignore[union-attr]
    assert await hover(client, uri, 2, 20) is None
    assert await hover(client, uri, 8, 2) is None


async def test_hover_works_on_invalid_yaml(client: LanguageClient) -> None:
    uri = open_doc(client, write_skill(client.root, "broken", "---\nname: broken\nlicense: [oops\n"))
    result = await hover(client, uri, 2, 2)
    assert result is not None and "SPDX" in result.contents.value  # type: ignore[union-attr]


async def test_document_symbols_list_keys_and_heading_tree(client: LanguageClient) -> None:
    uri = open_doc(client, write_skill(client.root, "hover", TEXT))
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert symbols is not None
    fm, h1 = symbols  # type: ignore[misc]
    assert fm.name == "frontmatter"
    assert [c.name for c in fm.children] == ["name", "description", "disable-model-invocation", "metadata"]
    meta = fm.children[3]
    assert meta.kind == types.SymbolKind.Object and [c.name for c in meta.children] == ["short-description", "author"]
    assert fm.children[0].detail == "hover"
    assert h1.name == "Hover" and [c.name for c in h1.children] == ["Steps", "Notes"]
    assert [c.name for c in h1.children[1].children] == ["Detail"]
    steps = h1.children[0]
    assert steps.selection_range == types.Range(start=types.Position(line=10, character=3),
                                                end=types.Position(line=10, character=8))
    assert steps.range.end.line == 16
