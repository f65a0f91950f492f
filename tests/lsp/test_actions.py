"""Quick fixes carried in diagnostic data, and fix-all, through a real session."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from autoskill_mcp.skillmd import apply_edits, parse
from autoskill_mcp.skillmd.positions import Position, Range, TextEdit

from .conftest import by_code, codes, open_doc, pulled, pushed, replace_text, settled, write_skill

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def actions_for(client: LanguageClient, uri: str, diags: list[types.Diagnostic],
                      only: list[str] | None = None) -> list[types.CodeAction]:
    rng = diags[0].range if diags else types.Range(start=types.Position(line=0, character=0),
                                                   end=types.Position(line=0, character=0))
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=rng,
        context=types.CodeActionContext(diagnostics=diags, only=only)))
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply client edits to text (ASCII tests: client units equal code points)."""
    return apply_edits(text, [TextEdit(Range(Position(e.range.start.line, e.range.start.character),
                                             Position(e.range.end.line, e.range.end.character)), e.new_text)
                              for e in edits])


async def test_rename_name_to_match_the_folder(client: LanguageClient) -> None:
    text = "---\nname: wrong-name\ndescription: Lints YAML files. Use when editing CI configs.\n---\n# L\n\nRun it.\n"
    uri = open_doc(client, write_skill(client.root, "yaml-lint", text))
    diag = by_code(await pushed(client, uri), "SKL019")
    actions = await actions_for(client, uri, [diag])
    titles = [a.title for a in actions]
    assert titles[0] == "Set name to 'yaml-lint'" and actions[0].is_preferred
    assert apply(text, actions[0].edit.changes[uri]).splitlines()[1] == "name: yaml-lint"  # type: ignore[union-attr,index]
    # The folder rename is offered as a resource operation (VS Code supports them).
    rename = next(a for a in actions if a.title == "Rename the folder to 'wrong-name'")
    op = rename.edit.document_changes[-1]  # type: ignore[union-attr,index]
    assert isinstance(op, types.RenameFile) and op.new_uri.endswith("/wrong-name")


async def test_the_lowercase_fix_suggests_a_name_that_passes_every_name_rule(client: LanguageClient) -> None:
    text = "---\nname: Bad_Name\ndescription: Formats dates. Use when asked about dates.\n---\n# C\n\nBody.\n"
    uri = open_doc(client, write_skill(client.root, "bad-name", text))
    diags = await pushed(client, uri)
    assert "use 'bad-name'" in by_code(diags, "SKL015").message
    fix = (await actions_for(client, uri, [by_code(diags, "SKL015")]))[0]
    assert fix.title == "Use 'bad-name'"
    fixed = apply(text, fix.edit.changes[uri])  # type: ignore[union-attr,index]
    assert "name: bad-name\n" in fixed
    replace_text(client, uri, fixed, 2)
    await settled(client, uri, lambda d: not {"SKL015", "SKL018"} & set(codes(d)))


async def test_lowercase_quote_and_move_under_metadata(client: LanguageClient) -> None:
    text = ("---\nname: Case-Fix\ndescription: Formats dates. Use when asked about dates.\n"
            "author: someone\nmetadata:\n  version: 1.10\n---\n# C\n\nBody.\n")
    uri = open_doc(client, write_skill(client.root, "case-fix", text))
    diags = await pushed(client, uri)
    lower = (await actions_for(client, uri, [by_code(diags, "SKL015")]))[0]
    assert lower.title == "Lowercase the name to 'case-fix'"
    assert "name: case-fix\n" in apply(text, lower.edit.changes[uri])  # type: ignore[union-attr,index]
    quote = (await actions_for(client, uri, [by_code(diags, "SKL041")]))[0]
    assert '  version: "1.10"\n' in apply(text, quote.edit.changes[uri])  # type: ignore[union-attr,index]
    moves = await actions_for(client, uri, [by_code(diags, "SKL010")])
    move = next(a for a in moves if a.title == "Move 'author' under metadata")
    moved = apply(text, move.edit.changes[uri])  # type: ignore[union-attr,index]
    assert parse(moved).data["metadata"] == {"version": 1.1, "author": "someone"}
    assert "author" not in parse(moved).fields


async def test_shorten_description_to_the_limit(client: LanguageClient) -> None:
    long = "Summarises logs. Use when debugging. " + "word " * 250
    text = f"---\nname: shorten\ndescription: {long.strip()}\n---\n# S\n\nBody.\n"
    uri = open_doc(client, write_skill(client.root, "shorten", text))
    diag = by_code(await pushed(client, uri), "SKL023")
    action = (await actions_for(client, uri, [diag]))[0]
    assert action.title.startswith("Shorten")
    fixed = parse(apply(text, action.edit.changes[uri]))  # type: ignore[union-attr,index]
    assert len(fixed.data["description"]) <= 1024
    assert fixed.data["description"].startswith("Summarises logs. Use when debugging.")


async def test_fix_all_applies_every_fix_in_one_edit(client: LanguageClient) -> None:
    text = ("---\nname: Fix_All\ndescriptoin: Cleans CSV files. Use when importing data.\n"
            "metadata:\n  version: 2.0\n---\n# F\n\nSee [x](scripts\\run.py).\n")
    uri = open_doc(client, write_skill(client.root, "fix-all", text, {"scripts/run.py": ""}))
    diags = await pushed(client, uri)
    actions = await actions_for(client, uri, diags, only=[types.CodeActionKind.SourceFixAll])
    assert [a.kind for a in actions] == ["source.fixAll.autoskill"]
    edits = actions[0].edit.changes[uri]  # type: ignore[union-attr,index]
    assert len(edits) == 1
    fixed = apply(text, edits)
    parsed = parse(fixed)
    assert parsed.data["name"] == "fix-all"
    assert parsed.data["description"] == "Cleans CSV files. Use when importing data."
    assert parsed.data["metadata"] == {"version": "2.0"}
    assert "[x](scripts/run.py)" in fixed
    # Nothing left to fix: the server offers no fix-all on the result.
    uri2 = open_doc(client, write_skill(client.root, "fix-all", fixed), version=2)
    assert await actions_for(client, uri2, await pushed(client, uri2), only=["source.fixAll"]) == []


async def test_quick_fixes_only_when_asked_for_quickfix(client: LanguageClient) -> None:
    text = "---\nname: Only\ndescription: Reads JSON. Use when parsing API output.\n---\n# O\n\nBody.\n"
    uri = open_doc(client, write_skill(client.root, "only", text))
    diags = await pushed(client, uri)
    quick = await actions_for(client, uri, diags, only=[types.CodeActionKind.QuickFix])
    assert quick and all(a.kind == types.CodeActionKind.QuickFix for a in quick)


async def test_client_without_resource_operations_gets_no_folder_rename(pull_client: LanguageClient) -> None:
    text = "---\nname: elsewhere\ndescription: Reads JSON. Use when parsing API output.\n---\n# O\n\nBody.\n"
    uri = open_doc(pull_client, write_skill(pull_client.root, "here", text))
    diag = by_code(await pulled(pull_client, uri), "SKL019")
    titles = [a.title for a in await actions_for(pull_client, uri, [diag], only=[types.CodeActionKind.QuickFix])]
    assert titles == ["Set name to 'here'"]
