"""One real language-server session over hostile SKILL.md files: every request answers, none with an error.

The client pulls diagnostics (Neovim's capabilities), so a failure in any check comes back as
a JSON-RPC error on that request instead of a missing push. Each document is opened, checked,
asked for its code actions, hovers, completions and symbols, edited into another hostile
text and checked again.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from bench import hostile

pytestmark = pytest.mark.asyncio(loop_scope="module")

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "autoskill_mcp", "lsp"])
DOCUMENTS = 30


@pytest_lsp.fixture(config=SERVER, scope="module")
async def client(lsp_client: LanguageClient, tmp_path_factory: Any):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("hostile-ws")
    home = root / "store"
    home.mkdir()
    (home / "config.toml").write_text('[embeddings]\nprovider = "hashing"\ndims = 256\n', encoding="utf-8")

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams) -> None:
        return None

    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("neovim@v0.11.0"), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
        initialization_options={"home": str(home), "user": "fuzz", "profile": "auto"}))
    lsp_client.root = root  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def points(text: str) -> list[types.Position]:
    """A few places in a text, in UTF-16 units as the client counts them (any position must be safe)."""
    lines = text.splitlines() or [""]
    out = [types.Position(line=0, character=0), types.Position(line=1, character=3),
           types.Position(line=len(lines) + 3, character=0)]
    for i in (0, 1, 2, len(lines) // 2, len(lines) - 1):
        if 0 <= i < len(lines):
            width = len(lines[i].encode("utf-16-le", "surrogatepass")) // 2
            out += [types.Position(line=i, character=width), types.Position(line=i, character=width // 2)]
    return out


async def exercise(client: LanguageClient, uri: str, text: str) -> None:
    doc = types.TextDocumentIdentifier(uri=uri)
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=doc))
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=10_000, character=0))
    await client.text_document_code_action_async(types.CodeActionParams(
        text_document=doc, range=whole, context=types.CodeActionContext(diagnostics=list(report.items))))
    for diag in list(report.items)[:5]:
        await client.text_document_code_action_async(types.CodeActionParams(
            text_document=doc, range=diag.range, context=types.CodeActionContext(diagnostics=[diag])))
    for at in points(text):
        await client.text_document_hover_async(types.HoverParams(text_document=doc, position=at))
        await client.text_document_completion_async(types.CompletionParams(text_document=doc, position=at))
    await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc))


async def test_hostile_documents_get_answers_to_every_request(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    for seed in range(DOCUMENTS):
        rng = random.Random(seed)
        data = hostile.skill_md_bytes(rng)
        path = hostile.skill_folder(rng, root / f"skill-{seed}", data)
        uri = path.as_uri()
        text = data.decode("utf-8", "replace") if seed % 2 else hostile.skill_md(random.Random(seed))
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="markdown", version=1, text=text)))
        await exercise(client, uri, text)
        edited = hostile.skill_md(random.Random(seed + DOCUMENTS))
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)]))
        await exercise(client, uri, edited)
        client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
    search = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="autoskill.searchSkills", arguments=["é技能 [[[[ \u2028 --- !!timestamp"]))
    assert search is not None
    assert not [m for m in client.messages if m.type == types.MessageType.Error]
