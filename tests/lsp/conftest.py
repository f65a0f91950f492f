"""Real language-server sessions: `python -m autoskill_mcp lsp` started by pytest-lsp over stdio.

One server per test module (starting one costs ~0.5 s); each test works in its own
skill folders, so tests stay independent. The store is a fresh folder per module,
with the hashing embedder so nothing downloads or loads a model.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "autoskill_mcp", "lsp"])
USER = "tester"


def make_home(root: Path) -> Path:
    home = root / "store"
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('[embeddings]\nprovider = "hashing"\ndims = 256\n', encoding="utf-8")
    return home


async def start(client: LanguageClient, root: Path, capabilities: str, profile: str = "auto",
                home: Path | None = None) -> None:
    """Initialize a session the way the VS Code extension does (initializationOptions from settings.ts)."""

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams) -> None:
        return None

    client.root = root  # type: ignore[attr-defined]
    client.home = home or make_home(root)  # type: ignore[attr-defined]
    client.init_result = await client.initialize_session(types.InitializeParams(  # type: ignore[attr-defined]
        capabilities=client_capabilities(capabilities),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
        initialization_options={"home": str(client.home), "user": USER, "profile": profile},  # type: ignore[attr-defined]
    ))


@pytest_lsp.fixture(config=SERVER, scope="module")
async def client(lsp_client: LanguageClient, tmp_path_factory: Any):  # type: ignore[no-untyped-def]
    """VS Code 1.65: push diagnostics, UTF-16 positions, resource operations."""
    await start(lsp_client, tmp_path_factory.mktemp("ws"), "visual-studio-code")
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER, scope="module")
async def pull_client(lsp_client: LanguageClient, tmp_path_factory: Any):  # type: ignore[no-untyped-def]
    """Neovim 0.11: pull diagnostics, UTF-8 positions."""
    await start(lsp_client, tmp_path_factory.mktemp("ws"), "neovim@v0.11.0")
    yield
    await lsp_client.shutdown_session()


def write_skill(root: Path, folder: str, text: str, files: dict[str, str] | None = None) -> Path:
    """A skill folder on disk; returns the SKILL.md path."""
    d = root / folder
    d.mkdir(parents=True, exist_ok=True)
    for rel, content in (files or {}).items():
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_text(content, encoding="utf-8")
    path = d / "SKILL.md"
    path.write_text(text, encoding="utf-8")
    return path


def open_doc(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="markdown", version=version,
        text=path.read_text(encoding="utf-8") if text is None else text)))
    return uri


def replace_text(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def eventually(check: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Poll until ``check()`` returns something truthy (pushes arrive asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)


async def pushed(client: LanguageClient, uri: str, timeout: float = 15.0) -> list[types.Diagnostic]:
    """The diagnostics pushed for ``uri`` after the last open/change (see open_doc/replace_text)."""
    await eventually(lambda: uri in client.diagnostics, timeout)
    return list(client.diagnostics[uri])


async def settled(client: LanguageClient, uri: str, check: Callable[[list[types.Diagnostic]], bool],
                  timeout: float = 15.0) -> list[types.Diagnostic]:
    """The diagnostics of ``uri`` once a push satisfies ``check``.

    After a settings change or an edit, a push computed before it (a refresh when the store
    finished opening in the background, say) may still land first: wait for the push that
    reflects the change rather than taking whichever comes next.
    """
    try:
        await eventually(lambda: uri in client.diagnostics and check(list(client.diagnostics[uri])), timeout)
    except AssertionError:
        raise AssertionError(f"last push for {uri}: {codes(list(client.diagnostics.get(uri, [])))}") from None
    return list(client.diagnostics[uri])


async def pulled(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert report.kind == "full"
    return list(report.items)


def codes(diags: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diags)


def by_code(diags: list[types.Diagnostic], code: str) -> types.Diagnostic:
    found = [d for d in diags if d.code == code]
    assert found, f"no {code} in {codes(diags)}"
    return found[0]


Waiter = Callable[[], Awaitable[None]]
