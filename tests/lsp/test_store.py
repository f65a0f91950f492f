"""The shared store through a real session: near-duplicate diagnostic, the three editor commands
(shapes from editors/vscode/src/protocol.ts), and changes made by another process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from autoskill_mcp import LocalSkillStore, Skill

from .conftest import SERVER, USER, by_code, codes, eventually, open_doc, pushed, replace_text, start, write_skill

pytestmark = pytest.mark.asyncio(loop_scope="module")

HASHING = {"provider": "hashing", "dims": 256}
CSV = ("Cleans messy CSV files, trims whitespace, fixes encodings and removes duplicate rows. "
       "Use when importing spreadsheets.")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: Any) -> Iterator[Path]:
    """A workspace whose store already holds two skills, written by this (other) process."""
    root = tmp_path_factory.mktemp("store-ws")
    from .conftest import make_home

    home = make_home(root)
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store:
        store.save(Skill(name="csv-cleaner", description=CSV, instructions="1. Load the file.\n2. Clean it.",
                         user_id=USER))
        store.save(Skill(name="git-commit-messages", description="Writes conventional commit messages. "
                         "Use when committing.", instructions="1. Summarise the diff.", user_id=USER))
    yield root


@pytest_lsp.fixture(config=SERVER, scope="module")
async def store_client(lsp_client: LanguageClient, seeded: Path):  # type: ignore[no-untyped-def]
    await start(lsp_client, seeded, "visual-studio-code", home=seeded / "store")
    yield
    await lsp_client.shutdown_session()


async def run(client: LanguageClient, command: str, *args: Any) -> Any:
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(command=command,
                                                                                   arguments=list(args)))


def other_process_store(client: LanguageClient) -> LocalSkillStore:
    return LocalSkillStore(client.home, embeddings=HASHING, background=False)  # type: ignore[attr-defined]


async def test_server_advertises_the_contract_commands(store_client: LanguageClient) -> None:
    caps = store_client.init_result.capabilities  # type: ignore[attr-defined]
    assert caps is not None and caps.execute_command_provider is not None
    assert {"autoskill.searchSkills", "autoskill.saveToStore", "autoskill.showVersions"} <= set(
        caps.execute_command_provider.commands)


async def test_search_returns_search_hits(store_client: LanguageClient) -> None:
    hits = await run(store_client, "autoskill.searchSkills", "clean csv spreadsheet", 5)
    assert hits[0]["name"] == "csv-cleaner"
    assert set(hits[0]) == {"id", "name", "description", "score", "scope", "path"}
    assert hits[0]["scope"] == "user" and isinstance(hits[0]["score"], float)
    assert Path(hits[0]["path"]).name == "SKILL.md" and Path(hits[0]["path"]).is_file()
    assert await run(store_client, "autoskill.searchSkills", "clean csv spreadsheet") != []


async def test_search_rejects_an_empty_query(store_client: LanguageClient) -> None:
    with pytest.raises(JsonRpcException, match="non-empty query"):
        await run(store_client, "autoskill.searchSkills", "  ")


async def test_near_duplicate_is_an_information_diagnostic_with_a_link(store_client: LanguageClient) -> None:
    text = f"---\nname: csv-tidy\ndescription: {CSV}\n---\n# CSV tidy\n\n1. Tidy it.\n"
    uri = open_doc(store_client, write_skill(store_client.root, "csv-tidy", text))  # type: ignore[attr-defined]
    diags = await eventually(lambda: [d for d in store_client.diagnostics.get(uri, ()) if d.code == "SKL073"])
    diag = diags[0]
    assert diag.severity == types.DiagnosticSeverity.Information
    assert "'csv-cleaner'" in diag.message and "score" in diag.message
    assert diag.range.start.line == 1
    assert diag.related_information is not None
    stored = diag.related_information[0].location.uri
    assert stored.startswith("file://") and stored.endswith("/csv-cleaner/SKILL.md")
    result = await store_client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diag.range,
        context=types.CodeActionContext(diagnostics=[diag])))
    # pytest-lsp's decoder reads a command-only CodeAction as a Command (mangling its command), so the
    # test checks the title and runs the command with the path the diagnostic carries.
    assert any(a.title == "Open the stored skill 'csv-cleaner'" for a in result or [])
    assert await run(store_client, "autoskill.openStoredSkill", diag.data["similar"]["path"]) is True
    assert any(d.uri == stored for d in store_client.shown_documents)


async def test_unrelated_skill_gets_no_duplicate_diagnostic(store_client: LanguageClient) -> None:
    text = (
        "---\nname: pdf-reader\ndescription: Extracts text from PDF files. Use when reading PDFs.\n---\n# P\n\nRead.\n"
    )
    uri = open_doc(store_client, write_skill(store_client.root, "pdf-reader", text))  # type: ignore[attr-defined]
    assert "SKL073" not in codes(await pushed(store_client, uri))


async def test_save_adds_then_updates_with_a_version_bump_then_is_unchanged(store_client: LanguageClient) -> None:
    text = ("---\nname: sql-review\ndescription: Reviews SQL migrations for locks. Use when a migration changes.\n"
            "---\n# S\n\n1. Read it.\n")
    path = write_skill(store_client.root, "sql-review", text)  # type: ignore[attr-defined]
    uri = open_doc(store_client, path)
    first = await run(store_client, "autoskill.saveToStore", uri)
    assert first["action"] == "created" and first["name"] == "sql-review"
    assert set(first) == {"id", "name", "version", "action", "path"} and Path(first["path"]).is_file()
    replace_text(store_client, uri, text.replace("1. Read it.", "1. Read it.\n2. Check for table locks."), 2)
    second = await run(store_client, "autoskill.saveToStore", uri)
    assert second["action"] == "updated" and second["id"] == first["id"]
    assert second["version"] != first["version"]
    assert "Check for table locks" in Path(second["path"]).read_text(encoding="utf-8")
    third = await run(store_client, "autoskill.saveToStore", uri)
    assert third["action"] == "unchanged" and third["version"] == second["version"]
    versions = await run(store_client, "autoskill.showVersions", uri)
    assert [v["version"] for v in versions] == [second["version"], first["version"]]
    assert set(versions[0]) == {"version", "created_at", "reason", "content_hash"}
    assert len(versions[0]["content_hash"]) == 64 and versions[0]["content_hash"] != versions[1]["content_hash"]
    assert await run(store_client, "autoskill.showVersions", "sql-review") == versions
    assert await run(store_client, "autoskill.showVersions", first["id"]) == versions
    with other_process_store(store_client) as store:
        assert [v.version for v in store.versions(first["id"])] == [first["version"], second["version"]]


async def test_save_of_a_closed_file_reads_it_from_disk(store_client: LanguageClient) -> None:
    text = "---\nname: from-disk\ndescription: Formats Go code. Use when Go files change.\n---\n# G\n\ngofmt.\n"
    path = write_skill(store_client.root, "from-disk", text)  # type: ignore[attr-defined]
    assert (await run(store_client, "autoskill.saveToStore", path.as_uri()))["action"] == "created"


async def test_save_refuses_a_file_without_frontmatter(store_client: LanguageClient) -> None:
    path = write_skill(store_client.root, "bare", "just text\n")  # type: ignore[attr-defined]
    with pytest.raises(JsonRpcException, match="cannot be saved"):
        await run(store_client, "autoskill.saveToStore", open_doc(store_client, path))


async def test_versions_of_an_unknown_skill_is_empty(store_client: LanguageClient) -> None:
    assert await run(store_client, "autoskill.showVersions", "no-such-skill") == []


async def test_sees_skills_written_by_another_process(store_client: LanguageClient) -> None:
    desc = "Renders Mermaid diagrams to SVG with the mmdc tool. Use when a document has mermaid blocks."
    text = f"---\nname: mermaid-svg\ndescription: {desc}\n---\n# M\n\n1. Render.\n"
    uri = open_doc(store_client, write_skill(store_client.root, "mermaid-svg", text))  # type: ignore[attr-defined]
    assert "SKL073" not in codes(await pushed(store_client, uri))
    with other_process_store(store_client) as store:
        store.save(Skill(name="mermaid-render", description=desc, instructions="1. mmdc -i in.md", user_id=USER))
    diag = await eventually(lambda: [d for d in store_client.diagnostics.get(uri, ()) if d.code == "SKL073"])
    assert "'mermaid-render'" in diag[0].message
    hits = await run(store_client, "autoskill.searchSkills", "mermaid diagrams svg", 3)
    assert hits[0]["name"] == "mermaid-render"


@pytest_lsp.fixture(config=SERVER, scope="module")
async def refresh_client(lsp_client: LanguageClient, tmp_path_factory: Any):  # type: ignore[no-untyped-def]
    """A pull client that supports workspace/diagnostic/refresh (as VS Code does)."""
    from pytest_lsp import client_capabilities

    from .conftest import make_home

    root = tmp_path_factory.mktemp("refresh-ws")
    caps = client_capabilities("neovim@v0.11.0")
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)  # type: ignore[union-attr]
    lsp_client.root = root  # type: ignore[attr-defined]
    lsp_client.home = make_home(root)  # type: ignore[attr-defined]
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=caps, root_uri=root.as_uri(),
        initialization_options={"home": str(lsp_client.home), "user": USER, "profile": None}))  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def test_pull_clients_are_asked_to_refresh_when_the_store_changes(refresh_client: LanguageClient) -> None:
    from .conftest import pulled

    desc = "Converts Markdown tables to CSV files. Use when a document has tables to export."
    uri = open_doc(refresh_client, write_skill(refresh_client.root, "md-tables",  # type: ignore[attr-defined]
                                               f"---\nname: md-tables\ndescription: {desc}\n---\n# T\n\n1. Convert.\n"))
    assert "SKL073" not in codes(await pulled(refresh_client, uri))
    before = refresh_client.diagnostic_refresh_count
    with other_process_store(refresh_client) as store:
        store.save(Skill(name="table-export", description=desc, instructions="1. Export.", user_id=USER))
    # Each refresh request is answered by a pull; one asked before the save reached the server (the
    # store finishing its background open, say) pulls the old state, so follow refreshes until one shows it.
    for _ in range(20):
        await eventually(lambda seen=before: refresh_client.diagnostic_refresh_count > seen)
        before = refresh_client.diagnostic_refresh_count
        diags = await pulled(refresh_client, uri)
        if "SKL073" in codes(diags):
            break
    assert "'table-export'" in by_code(diags, "SKL073").message


@pytest_lsp.fixture(config=SERVER, scope="module")
async def queue_client(lsp_client: LanguageClient, tmp_path_factory: Any):  # type: ignore[no-untyped-def]
    """A session over a store whose ingestion queue already holds a job (as a hook would leave it)."""
    from autoskill_mcp.learning.queue import JobQueue

    from .conftest import make_home

    root = tmp_path_factory.mktemp("queue-ws")
    home = make_home(root)
    chat = root / "chat.json"
    chat.write_text('[{"messages": [{"role": "user", "content": "Tidy the imports"}, '
                    '{"role": "user", "content": "From now on, always sort imports with isort before committing."}]}]',
                    encoding="utf-8")
    queue = JobQueue(home)
    lsp_client.job_id, _ = queue.enqueue_path(chat, user_id=USER)  # type: ignore[attr-defined]
    queue.close()
    await start(lsp_client, root, "visual-studio-code", home=home)
    yield
    await lsp_client.shutdown_session()


async def test_the_language_server_works_the_ingestion_queue(queue_client: LanguageClient) -> None:
    from autoskill_mcp.learning.queue import JobQueue

    queue = JobQueue(queue_client.home)  # type: ignore[attr-defined]
    try:
        job = await eventually(lambda: (j := queue.get(queue_client.job_id)) and j.state == "done" and j,  # type: ignore[attr-defined]
                               timeout=30)
    finally:
        queue.close()
    assert job.result["skills"], job.result
    hits = await run(queue_client, "autoskill.searchSkills", "sort imports before commit", 3)
    assert any("import" in h["name"] for h in hits), hits
