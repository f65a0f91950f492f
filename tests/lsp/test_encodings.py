"""Non-ASCII documents: columns in UTF-16 code units (VS Code) and UTF-8 bytes (Neovim 0.11)."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import by_code, open_doc, pulled, pushed, write_skill

pytestmark = pytest.mark.asyncio(loop_scope="module")

# "é" is 1 UTF-16 unit and 2 UTF-8 bytes; "😀" is 2 UTF-16 units and 4 UTF-8 bytes.
TEXT = ("---\nname: café-😀-Tools\n"
        "description: Résumé helper 😀 for CVs. Use when the user edits a résumé.\n"
        "émoji_😀: x\n---\n# Résumé 😀\n\nSee [guide 😀](références/😀.md).\n")


def units(s: str, encoding: str) -> int:
    return len(s.encode("utf-16-le")) // 2 if encoding == "utf-16" else len(s.encode("utf-8"))


async def check(client: LanguageClient, diags: list[types.Diagnostic], uri: str, encoding: str) -> None:
    name = by_code(diags, "SKL015")  # uppercase in the name: the whole value
    value = "café-😀-Tools"
    assert (name.range.start.character, name.range.end.character) == (6, 6 + units(value, encoding))
    key = by_code(diags, "SKL010")
    assert (key.range.start.line, key.range.start.character, key.range.end.character) == (
        3,
        0,
        units("émoji_😀", encoding),
    )
    link = by_code(diags, "SKL063")
    line = "See [guide 😀](références/😀.md)."
    start = units(line[: line.index("(") + 1], encoding)
    assert (link.range.start.line, link.range.start.character) == (7, start)
    assert link.range.end.character == start + units("références/😀.md", encoding)
    # Hover range on a key after non-ASCII text on the same line is not needed; on the key itself:
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=2, character=3)))
    assert hover is not None and hover.range is not None and hover.range.end.character == 11
    # A quick fix edit lands on the same client columns as its diagnostic.
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=name.range,
        context=types.CodeActionContext(diagnostics=[name], only=[types.CodeActionKind.QuickFix])))
    edit = actions[0].edit.changes[uri][0]  # type: ignore[union-attr,index]
    assert edit.range.end == name.range.end


async def test_utf16_client(client: LanguageClient) -> None:
    uri = open_doc(client, write_skill(client.root, "café-😀-tools", TEXT))
    await check(client, await pushed(client, uri), uri, "utf-16")


async def test_utf8_client(pull_client: LanguageClient) -> None:
    uri = open_doc(pull_client, write_skill(pull_client.root, "café-😀-tools", TEXT))
    await check(pull_client, await pulled(pull_client, uri), uri, "utf-8")


async def test_completion_after_non_ascii_in_utf8(pull_client: LanguageClient) -> None:
    text = "---\nname: ü\ndescription: Ünïcode 😀\nlicense: M\n---\n"
    uri = open_doc(pull_client, write_skill(pull_client.root, "ü", text))
    result = await pull_client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=3, character=10)))
    assert result is not None
    mit = next(i for i in result.items if i.label == "MIT")  # type: ignore[union-attr]
    assert (mit.text_edit.range.start.character, mit.text_edit.range.end.character) == (9, 10)  # type: ignore[union-attr]
    # A position in the middle of a multi-byte character never splits it.
    mid = await pull_client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=2, character=15)))
    assert mid is None or isinstance(mid, (types.CompletionList, list))
