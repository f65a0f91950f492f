"""What still works when things go wrong: a store that cannot open, bad command arguments,
incremental edits with non-ASCII text, files without frontmatter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from autoskill_mcp.skillmd import parse

from .conftest import SERVER, by_code, codes, open_doc, pulled, pushed, settled, start, write_skill

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=SERVER, scope="module")
async def broken_store_client(lsp_client: LanguageClient, tmp_path_factory: Any):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("broken-ws")
    home = root / "not-a-folder"
    home.write_text("a file where the store should be", encoding="utf-8")
    await start(lsp_client, root, "visual-studio-code", home=home)
    yield
    await lsp_client.shutdown_session()


async def run(client: LanguageClient, command: str, *args: Any) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=list(args))
    )


async def test_a_store_that_cannot_open_fails_commands_clearly_and_keeps_diagnostics(
        broken_store_client: LanguageClient) -> None:
    client = broken_store_client
    uri = open_doc(client, write_skill(client.root, "still-works", "---\nname: Still\n---\n"))
    assert "SKL015" in codes(await pushed(client, uri))
    with pytest.raises(JsonRpcException, match="cannot open the skill store"):
        await run(client, "autoskill.searchSkills", "anything")


async def test_commands_reject_bad_arguments(client: LanguageClient) -> None:
    with pytest.raises(JsonRpcException, match="document URI"):
        await run(client, "autoskill.saveToStore")
    with pytest.raises(JsonRpcException, match="URI, skill id or skill name"):
        await run(client, "autoskill.showVersions", 42)
    with pytest.raises(JsonRpcException, match="topK must be a positive number"):
        await run(client, "autoskill.searchSkills", "query", 0)
    with pytest.raises(JsonRpcException, match="is not open and not a file"):
        await run(client, "autoskill.saveToStore", "untitled:Untitled-1")


async def test_incremental_edits_after_astral_characters_in_utf16(client: LanguageClient) -> None:
    text = "---\nname: astral\ndescription: 😀😀 Helps. Use when asked.\n---\n# A\n\nBody.\n"
    uri = open_doc(client, write_skill(client.root, "astral", text))
    assert await pushed(client, uri) == []
    # Insert "Ü" after the two emoji: UTF-16 column 13+4 = 17.
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=2, character=17), end=types.Position(line=2, character=17)),
            text="Ü")]))
    await pushed(client, uri)
    # Rename the name so a diagnostic appears after the edit; its range must still be exact.
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=1, character=6), end=types.Position(line=1, character=7)),
            text="A")]))
    # the push for version 2 may land after the pop: wait for the one that reflects version 3
    diags = await settled(client, uri, lambda ds: any(d.code == "SKL015" for d in ds))
    diag = by_code(diags, "SKL015")
    assert (diag.range.start.character, diag.range.end.character) == (6, 12)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    description = symbols[0].children[1]  # type: ignore[index,union-attr]
    assert description.detail == "😀😀Ü Helps. Use when asked."


async def test_no_frontmatter_gets_a_skeleton_fix(client: LanguageClient) -> None:
    text = "Converts units between metric and imperial systems.\n"
    uri = open_doc(client, write_skill(client.root, "unit-convert", text))
    diag = by_code(await pushed(client, uri), "SKL001")
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diag.range,
        context=types.CodeActionContext(diagnostics=[diag], only=[types.CodeActionKind.QuickFix])))
    edit = result[0].edit.changes[uri][0]  # type: ignore[index,union-attr]
    assert parse(edit.new_text + text).data == {
        "name": "unit-convert", "description": "Converts units between metric and imperial systems."}


async def test_saving_republishes_file_checks(client: LanguageClient) -> None:
    path = write_skill(client.root, "saved", "---\nname: saved\ndescription: Saves. Use when saving.\n---\n"
                                            "See [a](references/a.md).\n")
    uri = open_doc(client, path)
    assert "SKL063" in codes(await pushed(client, uri))
    (path.parent / "references").mkdir()
    (path.parent / "references" / "a.md").write_text("# A\n", encoding="utf-8")
    client.diagnostics.pop(uri, None)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await settled(client, uri, lambda d: "SKL063" not in codes(d))  # an older push may land first


async def test_the_stored_copy_of_a_saved_skill_is_not_its_own_duplicate(client: LanguageClient) -> None:
    text = ("---\nname: self-copy\ndescription: Audits npm dependencies for licences. Use when adding packages.\n"
            "---\n# S\n\n1. Audit.\n")
    uri = open_doc(client, write_skill(client.root, "self-copy", text))
    saved = await run(client, "autoskill.saveToStore", uri)
    stored_uri = open_doc(client, Path(saved["path"]))
    assert "SKL073" not in codes(await pushed(client, stored_uri))


async def test_a_link_target_too_long_for_the_file_system_is_a_diagnostic(pull_client: LanguageClient) -> None:
    text = "---\nname: long-link\ndescription: Links far. Use when linking.\n---\n\n[x](" + "a" * 300 + ")\n"
    uri = open_doc(pull_client, write_skill(pull_client.root, "long-link", text))
    assert codes(await pulled(pull_client, uri)) == ["SKL063"]
