"""`autoskill.saveToStore` from a real language-server session: the editor's file may hold a secret,
the store never does, and the result says what was left out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from bench.secret_corpus import leaks, plants

from .conftest import SERVER, open_doc, start, write_skill

pytestmark = pytest.mark.asyncio(loop_scope="module")


def secret(kind: str) -> str:
    return next(p.secret for p in plants() if p.kind == kind)


@pytest_lsp.fixture(config=SERVER, scope="module")
async def client(lsp_client: LanguageClient, tmp_path_factory: Any):  # type: ignore[no-untyped-def]
    await start(lsp_client, tmp_path_factory.mktemp("secrets-ws"), "visual-studio-code")
    yield
    await lsp_client.shutdown_session()


async def test_saving_an_editor_document_stores_no_secret(client: LanguageClient) -> None:
    text = ("---\nname: release-notes\ndescription: Writes release notes. Use when a release is cut.\n---\n"
            f"# Notes\n\n1. Post them with SLACK_BOT_TOKEN={secret('slack_token')}\n"
            f"2. The signing passphrase is '{secret('secret_assignment')}x' for now.\n")
    path = write_skill(client.root, "release-notes", text)  # type: ignore[attr-defined]
    uri = open_doc(client, path)
    saved = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="autoskill.saveToStore", arguments=[uri]))
    assert saved["action"] == "created" and saved["redacted"] == {"slack_token": 1, "password_in_prose": 1}
    stored = Path(saved["path"]).read_text(encoding="utf-8")
    assert "[REDACTED:slack_token]" in stored
    home: Path = client.home  # type: ignore[attr-defined]
    assert leaks(b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())) == {}
    assert secret("slack_token") in path.read_text(encoding="utf-8")  # the user's own file is theirs to keep
