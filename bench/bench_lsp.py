"""Language-server latency on a 500-line SKILL.md, through a real session over stdio.

    python bench/bench_lsp.py                 # 200 edits, 200 completions of each kind
    python bench/bench_lsp.py --runs 50       # quicker
    python -m bench lsp [--quick]             # the same section inside the full bench (bench.md/json)

Rows show p50 and p95 of:
- diagnostics after an edit: a one-line incremental `didChange` in the body or the frontmatter,
  then the diagnostics for that version, pulled (`textDocument/diagnostic`, as VS Code does) and
  pushed (`publishDiagnostics`, for clients without pull);
- completion: frontmatter keys, a `license` value, and a relative path in a body link;
- the baseline: the same round trip for a request that does no work (hover on a blank line).
The ratio is p50 against the baseline's p50; the note checks p95 against the issue's budget
(diagnostics <= 20 ms, completion <= 10 ms).
The store holds 200 skills (hashing embedder), so every diagnostics pass includes the near-duplicate check.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autoskill_mcp import LocalSkillStore, Skill  # noqa: E402
from bench.report import Row, markdown, median, pct, ratio  # noqa: E402

DIAGNOSTICS_BUDGET_MS = 20.0
COMPLETION_BUDGET_MS = 10.0
USER = "bench"


def skill_md(lines: int = 500) -> str:
    """A realistic long skill: rich frontmatter, headings, lists, code, links, non-ASCII prose."""
    head = [
        "---",
        "name: data-pipeline",
        "description: Builds and debugs ETL pipelines over CSV, Parquet and SQL sources. "
        "Use when the user asks to load, clean, join or validate tabular data.",
        "license: Apache-2.0",
        "compatibility: Requires Python 3.11 and network access to the warehouse",
        "allowed-tools: Read Grep Bash(python:*)",
        "metadata:",
        "  author: data-team",
        "  version: \"2.4\"",
        "  short-description: ETL pipelines",
        "---",
        "# Data pipeline",
        "",
    ]
    body: list[str] = []
    section = 0
    while len(head) + len(body) < lines - 1:
        section += 1
        body += [f"## Step {section}: stage the data (étape {section}, 步骤 {section})", ""]
        body += [f"{i}. Check the schema of table_{section}_{i} before loading; see "
                 f"[the reference](references/step{section % 5}.md)." for i in range(1, 6)]
        body += ["", "```python", f"df = load('table_{section}')", "df = clean(df)", "```", ""]
    text = "\n".join((head + body)[: lines - 1] + ["See [guide](references/"]) + "\n"
    return text


def seed_store(home: Path, n: int) -> None:
    (home / "config.toml").write_text('[embeddings]\nprovider = "hashing"\ndims = 256\n', encoding="utf-8")
    topics = ["csv", "git", "docker", "sql", "pdf", "kubernetes", "react", "terraform", "rust", "excel"]
    with LocalSkillStore(home, embeddings={"provider": "hashing", "dims": 256}, background=False) as store:
        store.save_many([Skill(name=f"{topics[i % 10]}-helper-{i}", user_id=USER,
                               description=f"Helps with {topics[i % 10]} task number {i}. "
                                           f"Use when working on {topics[i % 10]}.",
                               instructions=f"1. Do {topics[i % 10]} step {i}.") for i in range(n)])


async def timed(fn: Callable[[], Awaitable[Any]], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        await fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


async def session(capabilities: types.ClientCapabilities, folder: Path, home: Path, text: str, runs: int,
                  pull: bool) -> dict[str, list[float]]:
    client = LanguageClient("bench", "1")
    published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _published(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams) -> None:
        return None

    @client.feature(types.WORKSPACE_DIAGNOSTIC_REFRESH)
    def _refresh(params: None) -> None:
        return None

    await client.start_io(sys.executable, "-m", "autoskill_mcp", "lsp")
    await client.initialize_async(types.InitializeParams(
        capabilities=capabilities, root_uri=folder.parent.as_uri(),
        initialization_options={"home": str(home), "user": USER, "profile": "auto"}))
    client.initialized(types.InitializedParams())
    uri = (folder / "SKILL.md").as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="markdown", version=1, text=text)))
    doc = types.TextDocumentIdentifier(uri=uri)
    version = 1
    lines = text.split("\n")

    async def diagnostics_after_edit() -> None:
        nonlocal version
        version += 1
        # Alternate a body edit and a frontmatter (description) edit: both paths are exercised.
        if version % 2:
            line, col = 2, len(lines[2])
        else:
            line, col = 200, len(lines[200])
        change = types.TextDocumentContentChangePartial(
            range=types.Range(
                start=types.Position(line=line, character=col), end=types.Position(line=line, character=col)
            ),
            text="x",
        )
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]))
        if pull:
            await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=doc))
            return
        while True:
            params = await published.get()
            if params.uri == uri and params.version == version:
                return

    def completion_at(line: int, character: int) -> Callable[[], Awaitable[Any]]:
        async def run() -> None:
            await client.text_document_completion_async(types.CompletionParams(
                text_document=doc, position=types.Position(line=line, character=character)))
        return run

    async def baseline() -> None:
        await client.text_document_hover_async(types.HoverParams(text_document=doc,
                                                                 position=types.Position(line=12, character=0)))

    # Let the store open and the first diagnostics settle before measuring.
    await asyncio.sleep(1.5)
    while not published.empty():
        published.get_nowait()
    await timed(diagnostics_after_edit, 10)  # warm-up
    results = {"diagnostics": await timed(diagnostics_after_edit, runs)}
    if pull:
        last = len(lines) - 2
        results["completion: keys"] = await timed(completion_at(3, 0), runs)
        results["completion: license value"] = await timed(completion_at(3, 11), runs)
        results["completion: link path"] = await timed(completion_at(last, len(lines[last])), runs)
        results["baseline: empty round trip"] = await timed(baseline, runs)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return results


def capabilities(pull: bool) -> types.ClientCapabilities:
    text_document = types.TextDocumentClientCapabilities(
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
        completion=types.CompletionClientCapabilities(),
        diagnostic=types.DiagnosticClientCapabilities() if pull else None)
    return types.ClientCapabilities(text_document=text_document)


def measure(runs: int, skills: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """(pull session timings, push session timings) in milliseconds."""

    async def both() -> tuple[dict[str, list[float]], dict[str, list[float]]]:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            home = root / "store"
            home.mkdir()
            seed_store(home, skills)
            folder = root / "ws" / "data-pipeline"
            (folder / "references").mkdir(parents=True)
            for i in range(5):
                (folder / "references" / f"step{i}.md").write_text(f"# Step {i}\n", encoding="utf-8")
            text = skill_md(500)
            (folder / "SKILL.md").write_text(text, encoding="utf-8")
            pulled = await session(capabilities(True), folder, home, text, runs, pull=True)
            pushed = await session(capabilities(False), folder, home, text, runs, pull=False)
        return pulled, pushed

    return asyncio.run(both())


def sections(quick: bool, *, runs: int | None = None, skills: int = 200) -> list[tuple[str, list[Row]]]:
    """The `python -m bench` section: p50/p95 per measure against an empty request in the same session."""
    n = runs or (50 if quick else 200)
    pulled, pushed = measure(n, skills)
    base = pulled["baseline: empty round trip"]
    base_s = f"empty request: p50 {median(base):.1f} ms, p95 {pct(base, 95):.1f} ms"
    measures = [("diagnostics after an edit (pull)", pulled["diagnostics"], DIAGNOSTICS_BUDGET_MS),
                ("diagnostics after an edit (push)", pushed["diagnostics"], DIAGNOSTICS_BUDGET_MS),
                ("completion: frontmatter keys", pulled["completion: keys"], COMPLETION_BUDGET_MS),
                ("completion: license value", pulled["completion: license value"], COMPLETION_BUDGET_MS),
                ("completion: link path", pulled["completion: link path"], COMPLETION_BUDGET_MS)]
    rows = []
    for name, values, budget in measures:
        p95 = pct(values, 95)
        verdict = "within" if p95 <= budget else "OVER"
        rows.append(Row(name, f"p50 {median(values):.1f} ms, p95 {p95:.1f} ms", base_s,
                        ratio(median(values), median(base)), f"budget {budget:.0f} ms: p95 {verdict}"))
    title = f"lsp: 500-line SKILL.md through a real session ({n} runs each, store of {skills} skills)"
    return [(title, rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--skills", type=int, default=200)
    args = parser.parse_args()
    for title, rows in sections(False, runs=args.runs, skills=args.skills):
        print(markdown(title, rows) + "\n", flush=True)


if __name__ == "__main__":
    main()
