"""Profiles chosen by initializationOptions, and the Codex profile's own rules."""

from __future__ import annotations

from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import SERVER, by_code, codes, open_doc, pushed, start, write_skill

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=SERVER, scope="module")
async def codex_client(lsp_client: LanguageClient, tmp_path_factory: Any):  # type: ignore[no-untyped-def]
    await start(lsp_client, tmp_path_factory.mktemp("codex-ws"), "visual-studio-code", profile="codex")
    yield
    await lsp_client.shutdown_session()


async def test_initialization_profile_overrides_path_detection(codex_client: LanguageClient) -> None:
    # Under .claude/skills the path says claude-code, but the setting says codex.
    text = ("---\nname: naïve\ndescription: Checks spelling. Use when proofreading.\n"
            "disable-model-invocation: true\nmetadata:\n  short-description: " + "s" * 501 + "\n---\n# N\n\nBody.\n")
    uri = open_doc(codex_client, write_skill(codex_client.root / ".claude" / "skills", "naïve", text))
    diags = await pushed(codex_client, uri)
    assert by_code(diags, "SKL027").severity == types.DiagnosticSeverity.Error  # non-ASCII name: Codex rejects
    assert "501 characters; Codex allows 500" in by_code(diags, "SKL042").message
    assert by_code(diags, "SKL010").severity == types.DiagnosticSeverity.Warning  # unknown keys only warn in codex
    assert "SKL011" not in codes(diags)


async def test_codex_completion_offers_spec_keys_only(codex_client: LanguageClient) -> None:
    uri = open_doc(
        codex_client, write_skill(codex_client.root / ".claude" / "skills", "keys", "---\nname: keys\n\n---\n")
    )
    result = await codex_client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=2, character=0)))
    labels = [i.label for i in result.items]  # type: ignore[union-attr]
    assert labels == ["description", "license", "compatibility", "metadata", "allowed-tools"]


async def test_codex_hover_flags_claude_code_keys(codex_client: LanguageClient) -> None:
    uri = open_doc(codex_client, write_skill(codex_client.root, "hov", "---\nname: hov\neffort: high\n---\n"))
    hover = await codex_client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=2, character=1)))
    assert hover is not None and "Not a `codex` key" in hover.contents.value  # type: ignore[union-attr]
