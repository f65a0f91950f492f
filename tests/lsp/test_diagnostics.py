"""Diagnostics through a real session: exact ranges, rule ids, documentation links, profiles, push vs pull."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import by_code, codes, eventually, open_doc, pulled, pushed, replace_text, settled, write_skill

pytestmark = pytest.mark.asyncio(loop_scope="module")

GOOD = """---
name: pdf-tools
description: Extracts text and tables from PDF files. Use when the user asks to read or convert a PDF.
---
# PDF tools

1. Run the extractor.
"""


async def test_valid_skill_has_no_diagnostics(client: LanguageClient) -> None:
    uri = open_doc(client, write_skill(client.root, "pdf-tools", GOOD))
    assert await pushed(client, uri) == []


async def test_unknown_key_points_at_the_key_with_rule_id_and_doc_link(client: LanguageClient) -> None:
    text = GOOD.replace("---\n# PDF", "descriptoin: typo\n---\n# PDF")
    uri = open_doc(client, write_skill(client.root, "typo-key", text.replace("pdf-tools", "typo-key")))
    diag = by_code(await pushed(client, uri), "SKL010")
    assert diag.range == types.Range(start=types.Position(line=3, character=0),
                                     end=types.Position(line=3, character=11))
    assert diag.source == "autoskill"
    assert diag.severity == types.DiagnosticSeverity.Error
    assert "did you mean 'description'" in diag.message
    assert diag.code_description is not None and diag.code_description.href.endswith("#skl010")


async def test_name_folder_mismatch_is_on_the_value(client: LanguageClient) -> None:
    uri = open_doc(client, write_skill(client.root, "other-folder", GOOD))
    diag = by_code(await pushed(client, uri), "SKL019")
    assert (diag.range.start.line, diag.range.start.character, diag.range.end.character) == (1, 6, 15)
    assert "other-folder" in diag.message


async def test_yaml_error_has_position_and_quote_fix(client: LanguageClient) -> None:
    text = "---\nname: colon-value\ndescription: Use this skill when: things happen\n---\n# X\n\nBody.\n"
    uri = open_doc(client, write_skill(client.root, "colon-value", text))
    diag = by_code(await pushed(client, uri), "SKL003")
    assert diag.range.start.line == 2
    assert diag.data["fixes"][0]["title"] == "Quote the value of 'description'"


async def test_implicit_yaml_typing_in_metadata(client: LanguageClient) -> None:
    text = GOOD.replace("---\n# PDF", "metadata:\n  version: 1.10\n---\n# PDF").replace("pdf-tools", "typed-meta")
    uri = open_doc(client, write_skill(client.root, "typed-meta", text))
    diag = by_code(await pushed(client, uri), "SKL041")
    assert "YAML reads `1.10` as 1.1" in diag.message
    assert (diag.range.start.line, diag.range.start.character, diag.range.end.character) == (4, 11, 15)


async def test_broken_and_escaping_links(client: LanguageClient) -> None:
    body = "See [ref](references/missing.md), [ok](references/here.md) and [up](../secret.md).\n"
    text = GOOD.replace("pdf-tools", "links") + body
    uri = open_doc(client, write_skill(client.root, "links", text, {"references/here.md": "# Here\n"}))
    diags = await pushed(client, uri)
    missing = by_code(diags, "SKL063")
    assert (missing.range.start.line, missing.range.start.character) == (7, 10)
    assert "references/missing.md" in missing.message
    assert "../secret.md" in by_code(diags, "SKL064").message
    assert codes(diags).count("SKL063") == 1


async def test_allowed_tools_list_and_body_budget(client: LanguageClient) -> None:
    text = GOOD.replace("---\n# PDF", "allowed-tools:\n  - Read\n  - Bash\n---\n# PDF").replace("pdf-tools", "budget")
    text += "".join(f"Line {i} of a very long body.\n" for i in range(520))
    uri = open_doc(client, write_skill(client.root, "budget", text))
    diags = await pushed(client, uri)
    assert "SKL050" in codes(diags) and "SKL061" in codes(diags)
    assert by_code(diags, "SKL061").range.start.line == 500


async def test_profile_is_detected_from_the_path(client: LanguageClient) -> None:
    text = GOOD.replace("---\n# PDF", "disable-model-invocation: true\n---\n# PDF").replace("pdf-tools", "cc")
    spec_uri = open_doc(client, write_skill(client.root, "cc", text))
    assert by_code(await pushed(client, spec_uri), "SKL010").severity == types.DiagnosticSeverity.Error
    cc_uri = open_doc(client, write_skill(client.root / ".claude" / "skills", "cc", text))
    diags = await pushed(client, cc_uri)
    assert "SKL010" not in codes(diags)
    assert by_code(diags, "SKL011").severity == types.DiagnosticSeverity.Information


async def test_settings_override_the_profile(client: LanguageClient) -> None:
    text = GOOD.replace("---\n# PDF", "effort: extreme\n---\n# PDF").replace("pdf-tools", "effort")
    uri = open_doc(client, write_skill(client.root, "effort", text))
    assert "SKL052" not in codes(await pushed(client, uri))
    client.diagnostics.pop(uri, None)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"autoskill": {"profile": "claude-code"}}))
    diags = await settled(client, uri, lambda d: "SKL052" in codes(d))
    assert "must be one of: low, medium, high, xhigh, max" in by_code(diags, "SKL052").message
    client.diagnostics.pop(uri, None)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"autoskill": {"profile": "auto"}}))
    await settled(client, uri, lambda d: "SKL052" not in codes(d))


async def test_edit_updates_diagnostics(client: LanguageClient) -> None:
    path = write_skill(client.root, "editing", GOOD.replace("pdf-tools", "editing"))
    uri = open_doc(client, path)
    assert await pushed(client, uri) == []
    replace_text(client, uri, GOOD.replace("pdf-tools", "Editing"), 2)
    # A refresh for the old text (the store becoming ready) may still land after the edit: wait for the new one.
    await eventually(lambda: "SKL015" in codes(client.diagnostics.get(uri, [])))


async def test_closing_clears_pushed_diagnostics(client: LanguageClient) -> None:
    uri = open_doc(client, write_skill(client.root, "closing", GOOD))
    assert await pushed(client, uri)
    client.diagnostics.pop(uri, None)
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    # a refresh sent before the close was handled may land first; the clearing push comes after it
    assert await settled(client, uri, lambda d: d == []) == []


async def test_new_reference_file_clears_missing_link(client: LanguageClient) -> None:
    text = GOOD.replace("pdf-tools", "watched") + "See [guide](references/guide.md).\n"
    path = write_skill(client.root, "watched", text)
    uri = open_doc(client, path)
    assert "SKL063" in codes(await pushed(client, uri))
    guide = path.parent / "references" / "guide.md"
    guide.parent.mkdir()
    guide.write_text("# Guide\n", encoding="utf-8")
    client.diagnostics.pop(uri, None)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=guide.as_uri(), type=types.FileChangeType.Created)]))
    assert "SKL063" not in codes(await pushed(client, uri))


async def test_pull_client_gets_no_pushes_and_unchanged_reports(pull_client: LanguageClient) -> None:
    uri = open_doc(pull_client, write_skill(pull_client.root, "pulled", GOOD))
    items = await pulled(pull_client, uri)
    assert codes(items) == ["SKL019"]
    # The store opens in the background and its change number moves once it has: a report made before
    # that is rightly not "unchanged" afterwards. Within a few pulls the store has settled.
    for _ in range(5):
        first = await pull_client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
        again = await pull_client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=first.result_id))
        if again.kind == "unchanged":
            break
    assert again.kind == "unchanged"
    replace_text(pull_client, uri, GOOD.replace("pdf-tools", "pulled"), 2)
    after = await pull_client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=first.result_id))
    assert after.kind == "full" and list(after.items) == []
    assert uri not in pull_client.diagnostics


async def test_files_not_named_skill_md_are_ignored(pull_client: LanguageClient) -> None:
    path = pull_client.root / "README.md"
    path.write_text("---\nfoo: 1\n---\n", encoding="utf-8")
    uri = open_doc(pull_client, path)
    report = await pull_client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert list(report.items) == []


async def test_half_typed_frontmatter_reports_where_it_stops(client: LanguageClient) -> None:
    uri = open_doc(client, write_skill(client.root, "half-typed", "---\nname: half-typed\ndescription: Does\n"))
    diags = await pushed(client, uri)
    assert codes(diags) == ["SKL002"]
    assert diags[0].range.start == types.Position(line=0, character=0)
    assert diags[0].data["fixes"][0]["title"] == "Close the frontmatter with ---"
    replace_text(client, uri, "---\nname: half-typed\ndescription: Does: this\n---\n", 2)
    assert by_code(await settled(client, uri, lambda d: "SKL003" in codes(d)), "SKL003").range.start.line == 2


async def test_same_name_as_a_sibling_skill_is_a_warning_naming_it(client: LanguageClient) -> None:
    skills = client.root / "dup-skills"  # type: ignore[attr-defined]
    write_skill(skills, "csv-report", GOOD.replace("pdf-tools", "csv-report"))
    text = GOOD.replace("pdf-tools", "csv-report")
    uri = open_doc(client, write_skill(skills, "csv-report-v2", text))
    diag = by_code(await pushed(client, uri), "SKL070")
    assert diag.severity == types.DiagnosticSeverity.Warning
    assert "csv-report/SKILL.md" in diag.message and diag.range.start.line == 1
    # Renaming in the editor (unsaved) clears it.
    replace_text(client, uri, text.replace("name: csv-report", "name: csv-report-v2"), version=2)
    await settled(client, uri, lambda d: "SKL070" not in codes(d))
