"""Completion through a real session, including while the frontmatter is half typed."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import open_doc, write_skill

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def complete(client: LanguageClient, uri: str, line: int, character: int) -> list[types.CompletionItem]:
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=character)))
    if result is None:
        return []
    return list(result.items if isinstance(result, types.CompletionList) else result)


def labels(items: list[types.CompletionItem]) -> list[str]:
    return [i.label for i in items]


async def test_keys_for_the_spec_profile_replace_the_typed_prefix(client: LanguageClient) -> None:
    text = "---\nname: keys\nde\n---\n"
    uri = open_doc(client, write_skill(client.root, "keys", text))
    items = await complete(client, uri, 2, 2)
    assert labels(items) == ["description", "license", "compatibility", "metadata", "allowed-tools"]
    desc = items[0]
    assert desc.text_edit == types.TextEdit(
        range=types.Range(start=types.Position(line=2, character=0), end=types.Position(line=2, character=2)),
        new_text="description: ")
    assert "1-1024 characters" in desc.documentation.value  # type: ignore[union-attr]


async def test_half_typed_frontmatter_still_completes(client: LanguageClient) -> None:
    # Unclosed frontmatter, a dangling quote and a key without a value: YAML cannot parse any of it.
    text = "---\nname: \"half\ndescription:\nlic"
    uri = open_doc(client, write_skill(client.root, "half", text))
    assert labels(await complete(client, uri, 3, 3))[:1] == ["license"]
    values = await complete(client, uri, 3, 3)
    assert "name" not in labels(values) and "description" not in labels(values)


async def test_claude_code_profile_offers_extension_keys_and_enum_values(client: LanguageClient) -> None:
    text = "---\nname: cc\ndescription: Does things. Use when asked.\neffort: \ndisable-model-invocation: \n\n---\n"
    uri = open_doc(client, write_skill(client.root / ".claude" / "skills", "cc", text))
    keys = labels(await complete(client, uri, 5, 0))
    assert {"context", "when_to_use", "argument-hint", "user-invocable"} <= set(keys)
    assert "effort" not in keys and "disable-model-invocation" not in keys  # already written
    assert labels(await complete(client, uri, 3, 8)) == ["low", "medium", "high", "xhigh", "max"]
    assert labels(await complete(client, uri, 4, 26)) == ["true", "false"]


async def test_spec_profile_does_not_offer_claude_code_keys(client: LanguageClient) -> None:
    uri = open_doc(client, write_skill(client.root, "plain", "---\nname: plain\n\n---\n"))
    assert "disable-model-invocation" not in labels(await complete(client, uri, 2, 0))


async def test_license_values_are_spdx_ids(client: LanguageClient) -> None:
    text = "---\nname: lic\nlicense: Ap\n---\n"
    uri = open_doc(client, write_skill(client.root, "lic", text))
    items = await complete(client, uri, 2, 11)
    assert {"Apache-2.0", "MIT", "BSD-3-Clause", "GPL-3.0-only"} <= set(labels(items))
    assert items[0].text_edit.range.start.character == 9  # type: ignore[union-attr]


async def test_allowed_tools_completes_the_last_word(client: LanguageClient) -> None:
    text = "---\nname: tools\nallowed-tools: Read Gr\n---\n"
    uri = open_doc(client, write_skill(client.root, "tools", text))
    items = await complete(client, uri, 2, 22)
    assert "Grep" in labels(items) and "Bash(git:*)" in labels(items)
    edit = items[0].text_edit
    assert (edit.range.start.character, edit.range.end.character) == (20, 22)  # type: ignore[union-attr]


async def test_allowed_tools_list_items(client: LanguageClient) -> None:
    text = "---\nname: tools-list\nallowed-tools:\n  - \n---\n"
    uri = open_doc(client, write_skill(client.root, "tools-list", text))
    assert "Read" in labels(await complete(client, uri, 3, 4))


async def test_name_value_offers_the_folder_name(client: LanguageClient) -> None:
    uri = open_doc(client, write_skill(client.root, "my-folder", "---\nname: \n---\n"))
    assert labels(await complete(client, uri, 1, 6)) == ["my-folder"]


async def test_metadata_keys_skip_those_present(client: LanguageClient) -> None:
    text = "---\nname: meta\nmetadata:\n  author: me\n  \n---\n"
    uri = open_doc(client, write_skill(client.root, "meta", text))
    items = await complete(client, uri, 4, 2)
    assert "short-description" in labels(items) and "version" in labels(items)
    assert "author" not in labels(items)
    assert items[0].text_edit.range.start.character == 2  # type: ignore[union-attr]


async def test_relative_paths_in_body_links(client: LanguageClient) -> None:
    files = {"references/guide.md": "# G\n", "references/api.md": "# A\n", "scripts/run.py": "print()\n"}
    text = "---\nname: paths\n---\nSee [guide](ref\nRun [it](references/\n"
    uri = open_doc(client, write_skill(client.root, "paths", text, files))
    top = labels(await complete(client, uri, 3, 15))
    assert top == ["references/", "scripts/"]
    inner = await complete(client, uri, 4, 20)
    assert labels(inner) == ["api.md", "guide.md"]
    assert inner[0].text_edit.new_text == "references/api.md"  # type: ignore[union-attr]
    assert inner[0].text_edit.range.start.character == 9  # type: ignore[union-attr]


async def test_resource_paths_in_inline_code(client: LanguageClient) -> None:
    files = {"scripts/run.py": "print()\n", "scripts/check.sh": "true\n"}
    text = "---\nname: code-paths\n---\nRun `scripts/ then `python` here\n"
    uri = open_doc(client, write_skill(client.root, "code-paths", text, files))
    items = await complete(client, uri, 3, 13)
    assert labels(items) == ["check.sh", "run.py"]
    assert items[0].text_edit.new_text == "scripts/check.sh"  # type: ignore[union-attr]
    assert items[0].text_edit.range.start.character == 5  # type: ignore[union-attr]
    assert await complete(client, uri, 3, 26) == []  # other inline code is not a path


async def test_no_completion_in_prose_or_code(client: LanguageClient) -> None:
    text = "---\nname: prose\n---\nJust words here\n```\n[x](ref\n```\n"
    uri = open_doc(client, write_skill(client.root, "prose", text, {"references/a.md": "a"}))
    assert await complete(client, uri, 3, 5) == []
    assert await complete(client, uri, 5, 7) == []


async def test_renaming_an_existing_key_keeps_its_value(client: LanguageClient) -> None:
    text = "---\nname: rename\ndesc: Does X. Use when Y.\n---\n"
    uri = open_doc(client, write_skill(client.root, "rename", text))
    items = await complete(client, uri, 2, 4)
    desc = next(i for i in items if i.label == "description")
    assert desc.text_edit == types.TextEdit(
        range=types.Range(start=types.Position(line=2, character=0), end=types.Position(line=2, character=4)),
        new_text="description")
