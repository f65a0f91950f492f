"""The leak figure: planted secrets through every path that stores, logs or sends text, then a search
of every byte the store keeps, every log line and every request the (fake) model received.

Carriers are copies of the fixture transcripts, one per format the readers support, whose user
prompts are replaced by planted lines (`bench/secret_corpus.py`): every kind, in prose and in an
assignment, followed by every punctuation mark. The stages:

- ingest, offline: each copy queued by path and worked (`AutoSkill.ingest_transcript`); the bulk
  copies carry every (kind, carrier, mark), the learnable ones a few directive lines a prompt, so
  the gate passes and skills are learned from them;
- ingest with the fake LLM: the learnable copies again, through the OpenAI-compatible client;
- failed jobs: planted text queued inline (with a planted hint) while the model refuses every call,
  until each job fails for good;
- writes: SDK `upsert` of every planted line, `import` of a skill folder holding them;
- the MCP server over stdio, logging at INFO: `save_skill` (fields, a whole SKILL.md, merge mode)
  and `ingest_transcript` of planted content, worked by the server's own worker.

`run(root)` returns a Figure; the test (tests/learning/test_secret_leaks.py) asserts it has no
leak, and `python bench/bench_redaction.py --leaks` prints it. Runs on any version of the package
that has these entry points, so the same figure can be taken before a fix and after it.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .secret_corpus import PUNCTUATION, Plant, leaks, plants

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "transcripts"
HASHING = {"provider": "hashing", "dims": 256}

#: (format, fixture under tests/fixtures/transcripts): one carrier per format the readers support;
#: a folder is copied whole (Cline and Roo keep a task in one), a chatgpt-export is built (no fixture)
CARRIERS: list[tuple[str, str]] = [
    ("claude-code", "claude-code/fasthooks__sample_main_transcript.jsonl"),
    ("codex", "codex/agent-sessions__codex_small_schema_coverage.jsonl"),
    ("gemini", "gemini/yoavf__gemini_session.json"),
    ("gemini", "gemini/agent-sessions__jsonl_v040.jsonl"),
    ("cursor", "cursor/ide_state_vscdb/constructed/globalStorage/state.vscdb"),
    ("cursor-agent", "cursor/agent_cli/agent-sessions__large.jsonl"),
    ("cline", "cline-roo/roo__bc93a6f7-cd2e-4686-a832-46e3cd14d338/api_conversation_history.json"),
    ("roo", "cline-roo/roo__bc93a6f7-cd2e-4686-a832-46e3cd14d338/api_conversation_history.json"),
    ("aider", "aider/aider__chat-history_session079.aider.chat.history.md"),
    ("copilot-vscode", "copilot/vscode_chat_export/copilot-chat-analyzer__chat.json"),
    ("copilot-cli", "copilot/cli/agent-sessions__copilot_small.jsonl"),
    ("openai-chat", "openai-chat/constructed__fasthooks_claude_session_as_openai_chat.json"),
    ("openai-chat", "openai-chat/ms-foundry__stock_toolcall_validation.jsonl"),
    ("chatgpt-export", ""),
]
#: characters of planted lines per prompt in a bulk copy (readers keep 100,000 of a text)
BULK_CHARS = 95_000
#: planted lines per prompt in a learnable copy (the gate reads a long paste as a paste, not a request)
LEARNABLE_LINES = 10


# -- carriers ---------------------------------------------------------------------------------------------


def _prompts(path: Path, fmt: str) -> list[str]:
    """The user prompts the reader finds in a carrier, in order, each once."""
    from autoskill_mcp.learning.session import Kind
    from autoskill_mcp.learning.transcripts import read_transcript

    seen: dict[str, None] = {}
    for session in read_transcript(path, format=fmt):
        for event in session.user_events():
            if event.kind is Kind.PROMPT and len(event.text.strip()) >= 4:
                seen.setdefault(event.text, None)
    return list(seen)


def _forms(fmt: str, prompt: str) -> list[str]:
    """How a prompt's text is written in its file: JSON-escaped (with or without \\u escapes), or Aider's
    `#### ` lines."""
    if fmt == "aider":
        return [prompt.replace("\n", "\n#### ")]
    return list(dict.fromkeys([json.dumps(prompt, ensure_ascii=False)[1:-1], json.dumps(prompt)[1:-1]]))


def _raw(path: Path, fmt: str) -> str:
    files = sorted(p for p in path.parent.rglob("*") if p.is_file()) if fmt in ("cline", "roo") else [path]
    return "".join(f.read_bytes().decode("utf-8", "replace") for f in files)


def slots(path: Path, fmt: str) -> list[str]:
    """The prompts a planted chunk can replace: written in the file, and not so often that their text
    is something else too (a synthetic fixture repeats one prompt thousands of times)."""
    raw = _raw(path, fmt)
    return [p for p in _prompts(path, fmt) if 0 < sum(raw.count(f) for f in _forms(fmt, p)) <= 6]


def _chatgpt_export(path: Path, prompts: int) -> Path:
    """A ChatGPT `conversations.json` with `prompts` user turns (the repository holds no such export)."""
    mapping: dict[str, Any] = {"root": {"id": "root", "parent": None, "children": ["u0"], "message": None}}
    for i in range(prompts):
        for node, role, text, child in ((f"u{i}", "user", f"placeholder prompt {i}", f"a{i}"),
                                        (f"a{i}", "assistant", "Done.", f"u{i + 1}" if i + 1 < prompts else None)):
            parent = "root" if node == "u0" else (f"a{i - 1}" if role == "user" else f"u{i}")
            mapping[node] = {"id": node, "parent": parent, "children": [child] if child else [],
                             "message": {"id": node, "author": {"role": role}, "create_time": 1767225600.0 + i,
                                         "content": {"content_type": "text", "parts": [text]}}}
    path.write_text(json.dumps([{"title": "Deploy", "create_time": 1767225600.0, "update_time": 1767229200.0,
                                 "conversation_id": "conv-planted", "current_node": f"a{prompts - 1}",
                                 "mapping": mapping}]), encoding="utf-8")
    return path


def _replace_in_sqlite(db: Path, pairs: list[tuple[str, str]]) -> int:
    """Replace each old string by its new one in every text value of every table; how many were found."""
    found = 0
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            rows = conn.execute(f'SELECT rowid, * FROM "{table}"').fetchall()
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            for row in rows:
                for col, value in zip(cols, row[1:], strict=True):
                    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
                    if not isinstance(text, str):
                        continue
                    new = text
                    for old, replacement in pairs:
                        if old in new:
                            new = new.replace(old, replacement)
                    if new != text:
                        found += 1
                        conn.execute(f'UPDATE "{table}" SET "{col}" = ? WHERE rowid = ?',
                                     (new.encode() if isinstance(value, bytes) else new, row[0]))
        conn.commit()
    finally:
        conn.close()
    return found


def plant_copy(fmt: str, rel: str, dest: Path, chunks: list[str]) -> tuple[Path, int]:
    """A copy of carrier `rel` under `dest` whose user prompts are `chunks` (one each, as many as it has);
    the transcript's path and how many chunks it carries."""
    dest.mkdir(parents=True, exist_ok=True)
    if not rel:
        path = _chatgpt_export(dest / "conversations.json", len(chunks))
    else:
        src = FIXTURES / rel
        if fmt in ("cline", "roo"):  # a task folder: its files name the task
            shutil.copytree(src.parent, dest / src.parent.name)
            path = dest / src.parent.name / src.name
        else:
            path = dest / src.name
            shutil.copy2(src, path)
    prompts = slots(path, fmt)[:len(chunks)]
    pairs: list[tuple[str, str]] = []
    for old, new in zip(prompts, chunks, strict=False):  # a carrier may have fewer prompts than chunks
        # one form each when both texts' JSON escapes agree, two for a non-ASCII one: pair what both have
        pairs += list(zip(_forms(fmt, old), _forms(fmt, new), strict=False))
    files = sorted(p for p in path.parent.rglob("*") if p.is_file()) if fmt in ("cline", "roo") else [path]
    for file in files:  # a task folder's files all hold the prompts (the reader takes them from one or another)
        if file.suffix in (".vscdb", ".db"):
            _replace_in_sqlite(file, pairs)
        else:
            text = file.read_text(encoding="utf-8")
            for old, new in pairs:
                text = text.replace(old, new)
            file.write_text(text, encoding="utf-8")
    carried = sum(1 for chunk in chunks[:len(prompts)] if any(chunk in p for p in _prompts(path, fmt)))
    return path, carried


def bulk_lines(items: list[Plant]) -> list[str]:
    """Every plant, in prose and in an assignment, followed by every mark."""
    lines: list[str] = []
    for plant in items:
        for mark in PUNCTUATION:
            lines += plant.texts(mark)
    return lines


def learnable_lines(items: list[Plant], offset: int) -> list[str]:
    """Every plant once, in prose (a directive: "Always …") or in an assignment, before one mark; which
    carrier and which mark rotate with `offset`, so the formats between them use every one."""
    lines: list[str] = []
    for i, plant in enumerate(items):
        texts = plant.texts(PUNCTUATION[(i + offset) % len(PUNCTUATION)])
        lines.append(texts[(i + offset) % 2])
    return lines


def chunked(lines: list[str], *, max_chars: int = 0, max_lines: int = 0) -> list[str]:
    """Lines joined into prompts of at most `max_chars` characters or `max_lines` lines."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and ((max_chars and size + len(line) + 1 > max_chars) or (max_lines and len(current) >= max_lines)):
            out.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        out.append("\n".join(current))
    return out


# -- the figure ---------------------------------------------------------------------------------------------


@dataclass
class Stage:
    """One path secrets were sent down, and what survived of them."""

    name: str
    plants: int = 0                 # planted lines sent
    carried: int = 0                # prompts that carried planted lines, as the readers read them back
    store_leaks: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0
    llm_requests: int = 0           # requests the fake model received while it ran


@dataclass
class Figure:
    kinds: int
    formats: list[str]
    stages: list[Stage]
    log_leaks: dict[str, list[str]] = field(default_factory=dict)
    llm_leaks: dict[str, list[str]] = field(default_factory=dict)
    llm_requests: int = 0
    llm_markers: int = 0

    @property
    def leaked_kinds(self) -> set[str]:
        out = set(self.log_leaks) | set(self.llm_leaks)
        for stage in self.stages:
            out |= set(stage.store_leaks)
        return out


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - a log line that cannot be formatted is no leak
            pass


@contextmanager
def captured_logs() -> Iterator[_Capture]:
    """Every log record of the process, formatted with its traceback, while the block runs."""
    handler = _Capture()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def store_bytes(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file() and p.name != "config.toml")


def _sdk(home: Path, llm: dict[str, Any] | None) -> Any:
    from autoskill_mcp import AutoSkill, AutoSkillConfig

    return AutoSkill(AutoSkillConfig(store={"provider": "local", "path": str(home)}, embeddings=HASHING,
                                     llm=llm or {"provider": "offline"}, default_user="alice"))


def _ingest(home: Path, copies: list[tuple[Path, str]], llm: dict[str, Any] | None) -> None:
    """Queue each copy by path and work it, each for its own user: copies of one fixture share its
    session id, and a user's second ingest of a session learns only what is new in it."""
    with _sdk(home, llm) as sdk:
        for i, (path, fmt) in enumerate(copies):
            sdk.ingest_transcript(path, format=fmt, user_id=f"user-{i}")


def _copies(root: Path, kind: str, items: list[Plant], formats: list[tuple[str, str]]) -> tuple[list[tuple[Path, str]],
                                                                                                 Stage]:
    """Carrier copies for every format: `bulk` (every kind, carrier and mark) or `learnable`."""
    stage = Stage(kind)
    out: list[tuple[Path, str]] = []
    for n, (fmt, rel) in enumerate(formats):
        if kind == "bulk":
            chunks = chunked(bulk_lines(items), max_chars=BULK_CHARS)
        else:
            chunks = chunked(learnable_lines(items, n), max_lines=LEARNABLE_LINES)
        stage.plants += sum(c.count("\n") + 1 for c in chunks)
        room = len(slots(FIXTURES / rel, fmt)) if rel else len(chunks)
        for copy in range(math.ceil(len(chunks) / room)):
            path, carried = plant_copy(fmt, rel, root / kind / f"{n:02d}-{fmt}" / str(copy),
                                       chunks[copy * room:(copy + 1) * room])
            stage.carried += carried
            out.append((path, fmt))
    return out, stage


def run(root: Path, *, fake: Any = None, formats: list[tuple[str, str]] | None = None,
        items: list[Plant] | None = None) -> Figure:
    """Send the plants down every path under `root` (a fresh folder); what leaked where.

    `fake` is a running bench.fake_llm.FakeLLM: without one the LLM stages are left out.
    """
    formats = formats or CARRIERS
    items = items or plants()
    figure = Figure(kinds=len({p.kind for p in items}), formats=sorted({f for f, _ in formats}), stages=[])
    llm = None if fake is None else {"provider": "openai", "base_url": fake.base_url, "api_key": "test",
                                     "model": "fake-model", "requests_per_minute": 0}
    with captured_logs() as logs:
        bulk, bulk_stage = _copies(root / "carriers", "bulk", items, formats)
        learnable, learn_stage = _copies(root / "carriers", "learnable", items, formats)
        for stage, copies, home, model in ((bulk_stage, bulk, root / "home-offline", None),
                                           (learn_stage, learnable, root / "home-offline", None),
                                           (Stage("learnable, fake LLM", learn_stage.plants, learn_stage.carried),
                                            learnable, root / "home-llm", llm)):
            if stage.name.endswith("LLM") and model is None:
                continue
            started, asked = time.perf_counter(), 0 if fake is None else fake.requests
            _ingest(home, copies, model)
            stage.seconds = time.perf_counter() - started
            stage.llm_requests = 0 if fake is None else fake.requests - asked
            stage.store_leaks = leaks(store_bytes(home), items)
            figure.stages.append(stage)
        if fake is not None:
            asked = fake.requests
            figure.stages.append(_failed_jobs(root / "home-failed", items, fake, llm))
            figure.stages[-1].llm_requests = fake.requests - asked
        figure.stages.append(_writes(root / "home-writes", root / "import-src", items))
        asked = 0 if fake is None else fake.requests
        mcp_stage, server_log = _mcp(root / "home-mcp", items, fake)
        mcp_stage.llm_requests = 0 if fake is None else fake.requests - asked
        figure.stages.append(mcp_stage)
    figure.log_leaks = leaks("\n".join(logs.lines).encode() + server_log, items)
    if fake is not None:
        sent = json.dumps(fake.bodies, ensure_ascii=False).encode()
        figure.llm_requests = len(fake.bodies)
        figure.llm_markers = sent.count(b"[REDACTED:")
        figure.llm_leaks = leaks(sent, items) | leaks(json.dumps(fake.bodies).encode(), items)
    return figure


def _failed_jobs(home: Path, items: list[Plant], fake: Any, llm: dict[str, Any] | None) -> Stage:
    """Inline transcripts (JSONL and chat JSON) whose extraction fails every attempt: jobs left failed."""
    from autoskill_mcp.learning.queue import MAX_ATTEMPTS

    stage = Stage("failed jobs (model refuses)")
    started = time.perf_counter()
    chunks = chunked(bulk_lines(items)[::5], max_lines=60)
    stage.plants = sum(c.count("\n") + 1 for c in chunks)
    with _sdk(home, llm) as sdk:
        ids = []
        for i, chunk in enumerate(chunks):
            chat = {"id": f"failing-{i}", "messages": [{"role": "user", "content": "Set up the deploy."},
                                 {"role": "assistant", "content": "Which settings?"},
                                 {"role": "user", "content": chunk}, {"role": "assistant", "content": "Done."}]}
            # with a hint the model is asked whatever the gate thinks; the hint holds a secret too
            ids.append(sdk.queue.enqueue_content(json.dumps(chat), user_id="alice", hint=chunk.splitlines()[0])[0])
        fake.script += ["401"] * (len(ids) * MAX_ATTEMPTS * 2)  # every attempt of every job
        worker = sdk.worker()
        for _ in range(MAX_ATTEMPTS):
            sdk.queue._conn.execute("UPDATE jobs SET not_before = 0")  # the backoff is not what is measured
            while worker.run_once() is not None:
                pass
        fake.script.clear()
        stage.carried = sum(1 for i in ids if (job := sdk.queue.get(i)) is not None and job.state == "failed")
    stage.seconds = time.perf_counter() - started
    stage.store_leaks = leaks(store_bytes(home), items)
    return stage


def _writes(home: Path, src: Path, items: list[Plant]) -> Stage:
    """Every planted line in skill bodies: SDK upserts, and an import of a skill folder with a file."""
    from autoskill_mcp.store import import_skill_dirs

    stage = Stage("writes (SDK upsert, import)")
    started = time.perf_counter()
    lines = bulk_lines(items)
    stage.plants = len(lines) * 2
    with _sdk(home, None) as sdk:
        for i, chunk in enumerate(chunked(lines, max_chars=200_000)):
            first = chunk.splitlines()[0]
            sdk.upsert(name=f"planted-{i}", description=f"Deploys. {first}", instructions=chunk,
                       tags=["deploy"], triggers=[first[:120]], files={"references/notes.md": chunk})
            stage.carried += 1
        folder = src / "imported-deploy"
        (folder / "references").mkdir(parents=True, exist_ok=True)
        head = "\n".join(lines[:200])
        (folder / "SKILL.md").write_text(f"---\nname: imported-deploy\ndescription: Deploys. {lines[0]}\n---\n{head}\n",
                                         encoding="utf-8")
        (folder / "references" / "env.md").write_text("\n".join(lines), encoding="utf-8")
        import_skill_dirs(sdk.store, src, user_id="alice")
        stage.carried += 1
    stage.seconds = time.perf_counter() - started
    stage.store_leaks = leaks(store_bytes(home), items)
    return stage


def _mcp(home: Path, items: list[Plant], fake: Any) -> tuple[Stage, bytes]:
    """The MCP server as a client runs it (stdio, its own process, logging at INFO): `save_skill` of
    planted bodies (fields, a whole SKILL.md, merge mode) and `ingest_transcript` of planted content,
    worked by the server's own worker (with the fake LLM when there is one). What it logged, too."""
    import os
    import sys

    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    stage = Stage("MCP save_skill, ingest_transcript")
    started = time.perf_counter()
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('[embeddings]\nprovider = "hashing"\ndims = 256\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOSKILL_", "OPENAI_", "ANTHROPIC_"))}
    env.update(AUTOSKILL_HOME=str(home), AUTOSKILL_USER="alice", PYTHONPATH=str(REPO))
    if fake is not None:
        env.update(AUTOSKILL_LLM_PROVIDER="openai", AUTOSKILL_LLM_BASE_URL=fake.base_url,
                   AUTOSKILL_LLM_API_KEY="test", AUTOSKILL_LLM_MODEL="fake-model")
    params = StdioServerParameters(command=sys.executable, args=["-m", "autoskill_mcp", "mcp", "-v"], env=env,
                                   cwd=str(REPO))
    bodies = chunked(bulk_lines(items), max_chars=1_000_000)
    learnable = chunked(learnable_lines(items, 3), max_lines=LEARNABLE_LINES)[:4]
    stage.plants = 2 * sum(c.count("\n") + 1 for c in bodies) + len(items) + sum(c.count("\n") + 1 for c in learnable)
    log = home.parent / "mcp-server.stderr"

    async def session() -> None:
        with log.open("w", encoding="utf-8") as errlog:
            async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as client:
                await client.initialize()
                calls: list[dict[str, Any]] = []
                for i, body in enumerate(bodies):
                    first = body.splitlines()[0]
                    calls += [{"name": f"mcp-planted-{i}", "description": f"Deploys. {first}", "instructions": body},
                              {"skill_md": f"---\nname: mcp-whole-{i}\ndescription: Deploys. {first}\n---\n{body}\n"}]
                for part in chunked(learnable_lines(items, 5), max_lines=40):  # merged into one small skill
                    calls.append({"name": "mcp-merged", "description": "Deploys the service.", "mode": "merge",
                                  "instructions": "\n".join(f"- {line}" for line in part.splitlines())})
                for args in calls:
                    r = await client.call_tool("save_skill", args)
                    stage.carried += 0 if r.is_error else 1
                for i, chunk in enumerate(learnable):  # each its own session: an inline chat is named by its id
                    chat = {"id": f"mcp-planted-{i}", "messages": [{"role": "user", "content": "Set up the deploy."},
                                         {"role": "assistant", "content": "Which settings?"},
                                         {"role": "user", "content": chunk}, {"role": "assistant", "content": "ok"}]}
                    r = await client.call_tool("ingest_transcript", {"content": chat, "wait_seconds": 60})
                    stage.carried += 0 if r.is_error else 1

    anyio.run(session)
    stage.seconds = time.perf_counter() - started
    stage.store_leaks = leaks(store_bytes(home), items)
    return stage, log.read_bytes()


def table(figure: Figure) -> str:
    """The figure as a text table: per stage, lines planted and kinds of secret found afterwards."""
    rows = [f"{figure.kinds} kinds planted, in prose and in assignments, before each of {len(PUNCTUATION)} marks; "
            f"formats: {', '.join(figure.formats)}",
            f"{'stage':34} {'planted lines':>13} {'carried':>8} {'LLM calls':>9} {'kinds leaked':>12} {'s':>6}"]
    for stage in figure.stages:
        rows.append(f"{stage.name:34} {stage.plants:13d} {stage.carried:8d} {stage.llm_requests:9d} "
                    f"{len(stage.store_leaks):12d} {stage.seconds:6.1f}")
    rows.append(f"{'logs (this process and the server)':34} {'':13} {'':8} {'':9} {len(figure.log_leaks):12d}")
    if figure.llm_requests:
        rows.append(f"{'requests to the fake LLM':34} {'':13} {figure.llm_markers:8d} {figure.llm_requests:9d} "
                    f"{len(figure.llm_leaks):12d}   ('carried': markers in them)")
    leaked = sorted(figure.leaked_kinds)
    rows.append(f"kinds leaked anywhere: {len(leaked)}" + (f" ({', '.join(leaked)})" if leaked else ""))
    return "\n".join(rows)
