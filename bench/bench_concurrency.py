"""Races and exits: many real processes on one store, `kill -9` at random points, concurrent HTTP calls.

    python -m bench concurrency            # full counts (5 x 1,000 skills, 100 kills of each kind, 200 calls)
    python -m bench concurrency --quick    # the same scenarios with small counts

Every process is real (the `autoskill` CLI, an SDK script, the MCP server over stdio and HTTP),
every kill is SIGKILL, every store is real SQLite and folders. Each row prints its figure beside
a baseline measured in the same run: the same imports one after another, a clean run without
kills, the bare `mcp` SDK server. `store_problems` is what "integrity ok, no duplicate, no
orphan, nothing half-written" means, checked after every restart (tests/reliability uses it too).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import Row, pct, ratio  # noqa: E402

PY = sys.executable
HASHING = {"provider": "hashing", "dims": 256}
SKILL = "---\nname: {name}\ndescription: {desc}\n---\n# {name}\n\n{body}\n"


# -- shared: environments, folders, and what a whole store is ---------------------------------------------


def env_for(home: Path, user: str = "alice") -> dict[str, str]:
    """An `autoskill` subprocess on `home` as `user` (the working copy, hashing embeddings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOSKILL_")}
    env.update(AUTOSKILL_HOME=str(home), AUTOSKILL_USER=user, PYTHONPATH=str(ROOT))
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('[embeddings]\nprovider = "hashing"\ndims = 256\n')
    return env


def autoskill(*args: str) -> list[str]:
    return [PY, "-m", "autoskill_mcp", *args]


def write_folders(root: Path, names: list[str], tag: str, *, resources_every: int = 0) -> Path:
    """One skill folder per name (a reference file in every `resources_every`-th one)."""
    for i, name in enumerate(names):
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "SKILL.md").write_text(SKILL.format(
            name=name, desc=f"Does {name.replace('-', ' ')}. Use when working on {name}.", body=f"from {tag}"))
        if resources_every and i % resources_every == 0:
            (folder / "references").mkdir(exist_ok=True)
            (folder / "references" / "notes.md").write_text(f"# notes of {name}\n" * 300)
    return root


#: interrupted writes found by `store_problems` before its restart undid them (journals and trash left)
INTERRUPTED = [0]


def store_problems(home: Path) -> list[str]:
    """Open the store (a restart: it recovers what a kill cut short) and list what is not whole.

    Whole means: catalog integrity ok; no name twice; every folder on disk has its catalog row and
    every row its folder; each SKILL.md is the one the catalog committed and each folder's
    resources are those of its last version (nothing half-written served); every skill reads;
    no orphan folder, temp file, journal or trash left.
    """
    from autoskill_mcp import LocalSkillStore
    from autoskill_mcp.store.recovery import leftovers

    logging.getLogger("autoskill_mcp.store.recovery").setLevel(logging.ERROR)  # what it undid is expected here
    journals = home / ".journal"
    INTERRUPTED[0] += (len(list(journals.glob("*.jsonl"))) if journals.is_dir() else 0) + len(
        list(home.glob(".deleting-*"))
    )
    problems: list[str] = []
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store:
        rows = store.catalog.live_rows()
        keys = [(r.owner, r.name) for r in rows]
        if len(keys) != len(set(keys)):
            problems.append(f"{len(keys) - len(set(keys))} name(s) stored twice")
        folders = {r.folder for r in rows}
        for top in ("Users", "Common"):
            base = home / top
            dirs = ([d for u in base.iterdir() if u.is_dir() for d in u.iterdir()] if top == "Users"
                    else list(base.iterdir())) if base.is_dir() else []
            for d in dirs:
                if not d.is_dir() or d.name.startswith("."):
                    continue
                if not (d / "SKILL.md").is_file():
                    problems.append(f"orphan folder {d.relative_to(home)}")
                elif d.relative_to(home).as_posix() not in folders:
                    problems.append(f"{d.relative_to(home)} is on disk but not in the catalog")
        for row in rows:
            folder = home / row.folder
            md = folder / "SKILL.md"
            if not md.is_file():
                problems.append(f"{row.folder}: no SKILL.md")
                continue
            if hashlib.sha256(md.read_bytes()).hexdigest() != row.content_hash:
                problems.append(f"{row.folder}: SKILL.md is not what the catalog committed")
            history = store.catalog.versions(row.id)
            manifest = history[-1].files if history else {}
            on_disk = {
                p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in folder.rglob("*")
                if p.is_file() and p.name != "SKILL.md" and not p.name.startswith(".")
            }
            if on_disk != manifest:
                problems.append(f"{row.folder}: resources are not those of its last version")
            if store.get(row.id) is None:
                problems.append(f"{row.folder}: cannot be read")
        problems += [f"left over: {p}" for p in leftovers(home)]
    with sqlite3.connect(home / "catalog.sqlite3") as conn:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        problems.append(f"catalog integrity: {verdict}")
    return problems


def live_names(home: Path, owner: str = "alice") -> list[str]:
    with sqlite3.connect(home / "catalog.sqlite3") as conn:
        return sorted(r[0] for r in conn.execute("SELECT name FROM skills WHERE deleted = 0 AND owner = ?", (owner,)))


# -- (a) writers with clashing names while others search ---------------------------------------------------

SEARCHER = textwrap.dedent(
    """
    import json, sys, threading
    from autoskill_mcp import AutoSkill, AutoSkillConfig
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    searches = errors = 0
    last = ""
    with AutoSkill(AutoSkillConfig(embeddings={"provider": "hashing", "dims": 256})) as sdk:
        queries = ["shared skill", "does w1", "working on w3", "use when working", "from w0"]
        while not done.is_set() or searches == 0:
            try:
                sdk.search(queries[searches % len(queries)], limit=5)
                sdk.store.summaries(user_id="alice")
            except Exception as exc:
                errors += 1
                last = f"{type(exc).__name__}: {exc}"
            searches += 1
    print(json.dumps({"searches": searches, "errors": errors, "last_error": last}))
    """
)


def writer_names(writer: int, skills_each: int, shared_every: int) -> list[str]:
    """A writer's skill names; every `shared_every`-th one is taken by every writer (the clashes)."""
    return [f"shared-{i:05d}" if i % shared_every == 0 else f"w{writer}-{i:05d}" for i in range(skills_each)]


def writers_and_searchers(tmp: Path, *, writers: int, skills_each: int, searchers: int,
                          shared_every: int = 10, concurrent: bool = True) -> dict[str, Any]:
    """`writers` `autoskill import` processes (clashing names) at once, `searchers` SDK processes searching."""
    home = tmp / ("concurrent" if concurrent else "sequential")
    env = env_for(home)
    sources = [write_folders(tmp / f"src{w}", writer_names(w, skills_each, shared_every), tag=f"w{w}")
               for w in range(writers)]
    search_procs = [subprocess.Popen([PY, "-c", SEARCHER], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True) for _ in range(searchers if concurrent else 0)]
    started = time.perf_counter()
    results: list[tuple[int, str, str]] = []
    if concurrent:
        procs = [subprocess.Popen(autoskill("import", str(src), "--json"), env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for src in sources]
        for p in procs:
            out, err = p.communicate(timeout=1800)
            results.append((p.returncode, out, err))
    else:
        for src in sources:
            done = subprocess.run(autoskill("import", str(src), "--json"), env=env, capture_output=True, text=True,
                                  timeout=1800)
            results.append((done.returncode, done.stdout, done.stderr))
    seconds = time.perf_counter() - started
    search_results = []
    for p in search_procs:
        out, err = p.communicate("", timeout=600)
        search_results.append((p.returncode, out, err))
    expected = {n for w in range(writers) for n in writer_names(w, skills_each, shared_every)}
    names = live_names(home)
    imported = skipped = 0
    errors: list[str] = []
    for code, out, err in results:
        if code != 0:
            errors.append(f"import exit {code}: {err.strip()[-300:]}")
            continue
        report = json.loads(out)
        imported += len(report["imported"])
        skipped += len(report["skipped"])
        errors += [s["reason"] for s in report["skipped"] if "already exists" not in s["reason"]]
    searches = 0
    for code, out, err in search_results:
        if code != 0:
            errors.append(f"searcher exit {code}: {err.strip()[-300:]}")
            continue
        data = json.loads(out)
        searches += data["searches"]
        if data["errors"]:
            errors.append(f"{data['errors']} search errors, last: {data['last_error']}")
    return {
        "seconds": seconds, "expected": len(expected), "stored": len(names),
        "lost": len(expected - set(names)), "duplicated": len(names) - len(set(names)),
        "imported": imported, "clashes_reported": skipped, "errors": errors, "searches": searches,
        "exits": [c for c, _, _ in results] + [c for c, _, _ in search_results],
        "problems": store_problems(home),
    }


# -- (b) kill -9 at random points ------------------------------------------------------------------------


def _kill_after(proc: subprocess.Popen[Any], seconds: float) -> None:
    """SIGKILL `proc` at the chosen random point (a moment in its run, not a wait for anything)."""
    threading.Event().wait(seconds)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=120)


def _writing(home: Path, proc: subprocess.Popen[Any], within: float) -> bool:
    """Wait until a write transaction's journal appears under `home` (the save phase began); False if none did."""
    journals = home / ".journal"
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and proc.poll() is None:
        if journals.is_dir() and any(journals.iterdir()):
            return True
        threading.Event().wait(0.001)
    return False


def kill_imports(tmp: Path, *, kills: int, skills: int, seed: int = 13) -> dict[str, Any]:
    """`autoskill import` of `skills` folders killed `kills` times at random points, then run to the end."""
    rng = random.Random(seed)
    names = [f"imported-{i:05d}" for i in range(skills)]
    src = write_folders(tmp / "import-src", names, tag="import", resources_every=3)
    clean_home = tmp / "import-clean"
    t = time.perf_counter()
    clean = subprocess.run(autoskill("import", str(src), "--json"), env=env_for(clean_home), capture_output=True,
                           text=True, timeout=1800)
    clean_seconds = time.perf_counter() - t
    home = tmp / "import-killed"
    env = env_for(home)
    problems: list[str] = []
    before = INTERRUPTED[0]
    for k in range(kills):
        proc = subprocess.Popen(autoskill("import", str(src), "--json"), env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        if k % 2 and _writing(home, proc, clean_seconds * 3):  # every other kill: while a batch is being written
            _kill_after(proc, rng.uniform(0, 0.05))
        else:  # the others anywhere in the run (reading folders, opening the store, writing)
            _kill_after(proc, rng.uniform(0.2, max(0.3, clean_seconds)))
        problems += store_problems(home)
    final = subprocess.run(autoskill("import", str(src), "--json"), env=env, capture_output=True, text=True,
                           timeout=1800)
    stored = live_names(home)
    problems += store_problems(home)
    return {"kills": kills, "clean_seconds": clean_seconds, "clean_exit": clean.returncode,
            "interrupted": INTERRUPTED[0] - before, "final_exit": final.returncode,
            "lost": len(set(names) - set(stored)), "duplicated": len(stored) - len(set(stored)), "problems": problems}


def _transcript(i: int) -> dict[str, Any]:
    topics = ["a config loader", "a Dockerfile", "a SQL migration", "a bash script", "a pytest fixture",
              "a changelog entry", "a REST endpoint", "a commit message", "a README", "a CI pipeline"]
    topic = topics[i % len(topics)]
    return {"messages": [
        {"role": "user", "content": f"Write {topic} for project {i}"},
        {"role": "assistant", "content": "Here it is."},
        {"role": "user", "content": f"No: for {topic} never use tabs, always four spaces; project {i}."},
    ] + [{"role": "assistant" if k % 2 else "user", "content": f"step {k} of project {i}"} for k in range(200)]}


def kill_workers(tmp: Path, *, kills: int, jobs: int, seed: int = 17) -> dict[str, Any]:
    """`autoskill worker` killed `kills` times at random points over a queue of `jobs`, then run until idle."""
    from autoskill_mcp.learning.queue import JobQueue

    rng = random.Random(seed)

    def fill(home: Path) -> list[str]:
        with JobQueue(home) as q:
            return [q.enqueue_content(json.dumps(_transcript(i)), user_id=f"user{i % 7}", format="openai-chat",
                                      label=f"t{i}")[0] for i in range(jobs)]

    clean_home = tmp / "worker-clean"
    env_for(clean_home)
    fill(clean_home)
    t = time.perf_counter()
    clean = subprocess.run(autoskill("worker", "--idle-exit", "0"), env=env_for(clean_home), capture_output=True,
                           text=True, timeout=1800)
    clean_seconds = time.perf_counter() - t
    home = tmp / "worker-killed"
    env = env_for(home)
    ids = fill(home)
    problems: list[str] = []
    for _ in range(kills):
        proc = subprocess.Popen(autoskill("worker", "--idle-exit", "0", "--lease", "30"), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _kill_after(proc, rng.uniform(0.3, max(0.4, min(3.0, clean_seconds))))
        with sqlite3.connect(home / "catalog.sqlite3") as conn:  # time passes: the dead worker's lease runs out
            conn.execute("UPDATE jobs SET lease_until = 0 WHERE state = 'running'")
    problems += store_problems(home)
    final = subprocess.run(autoskill("worker", "--idle-exit", "0"), env=env, capture_output=True, text=True,
                           timeout=1800)
    with JobQueue(home) as q:
        jobs_after = [q.get(i) for i in ids]
    states = [j.state for j in jobs_after if j is not None]
    rerun = sum(j.attempts - 1 for j in jobs_after if j is not None)
    problems += store_problems(home)
    clean_names, names = _all_names(clean_home), _all_names(home)
    return {"kills": kills, "jobs": jobs, "clean_seconds": clean_seconds, "clean_exit": clean.returncode,
            "final_exit": final.returncode, "rerun": rerun, "done": states.count("done"),
            "failed": states.count("failed"), "unfinished": sum(s in ("queued", "running") for s in states),
            "skills": len(names), "clean_skills": len(clean_names),
            "duplicated": len(names) - len(set(names)), "problems": problems}


def _all_names(home: Path) -> list[str]:
    with sqlite3.connect(home / "catalog.sqlite3") as conn:
        return sorted(f"{o}/{n}" for o, n in conn.execute("SELECT owner, name FROM skills WHERE deleted = 0"))


def kill_mcp_servers(tmp: Path, *, kills: int, seed: int = 19) -> dict[str, Any]:
    """`autoskill mcp` over stdio killed `kills` times at random points while a client saves skills through it."""
    rng = random.Random(seed)
    home = tmp / "mcp-killed"
    env = env_for(home)
    problems: list[str] = []
    answered: set[str] = set()
    before = INTERRUPTED[0]
    for k in range(kills):
        proc = subprocess.Popen(autoskill("mcp", "--no-worker"), env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        assert proc.stdin is not None and proc.stdout is not None
        calls = [{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}},
                 {"jsonrpc": "2.0", "method": "notifications/initialized"}]
        for j in range(40):
            name = f"mcp-{k}-{j}" if j % 4 else f"mcp-hot-{j % 8}"  # some new skills, some updates of hot ones
            calls.append({"jsonrpc": "2.0", "id": 10 + j, "method": "tools/call", "params": {
                "name": "save_skill", "arguments": {
                    "name": name, "description": f"Saved through MCP, round {k}. Use in the bench.",
                    "instructions": f"# {name}\n\nround {k}, call {j}\n" + "detail line\n" * 50}}})
        proc.stdin.write("".join(json.dumps(c) + "\n" for c in calls).encode())
        proc.stdin.flush()
        wanted = rng.randint(0, 30)  # the random point: after this many answered saves, within 30 ms
        got = 0
        while got < wanted:
            line = proc.stdout.readline()
            if not line:
                break
            got += _answered(line, answered)
        threading.Event().wait(rng.uniform(0, 0.03))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=120)
        for line in proc.stdout.read().splitlines():  # answers written before the kill count too
            _answered(line, answered)
        problems += store_problems(home)
    stored = set(_all_names(home))
    lost = [n for n in answered if f"alice/{n}" not in stored]
    return {"kills": kills, "answered_saves": len(answered), "lost": len(lost), "problems": problems,
            "interrupted": INTERRUPTED[0] - before}


def _answered(line: bytes, answered: set[str]) -> int:
    """1 when `line` is the answer to a save (its name noted: a save answered must survive a kill)."""
    try:
        msg = json.loads(line)
    except ValueError:
        return 0
    result = msg.get("result") or {}
    content = result.get("structuredContent") or {}
    if content.get("name") and not result.get("isError"):
        answered.add(str(content["name"]))
        return 1
    return 0


# -- (c) concurrent HTTP calls ---------------------------------------------------------------------------

BARE_HTTP = textwrap.dedent(
    """
    import sys, uvicorn
    from mcp.server.mcpserver import MCPServer
    mcp = MCPServer("bare")
    @mcp.tool()
    def search_skills(query: str, top_k: int = 5) -> str:
        '''Echo the query.'''
        return query
    print("serving", flush=True, file=sys.stderr)
    uvicorn.run(mcp.streamable_http_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(proc: subprocess.Popen[Any], port: int) -> None:
    assert proc.stderr is not None
    line = proc.stderr.readline().decode()  # both servers say so on stderr once they listen (or are about to)
    if not line:
        raise RuntimeError("the server exited before serving")
    for _ in range(600):  # uvicorn binds right after the line: connect until it accepts
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            threading.Event().wait(0.05)
    raise RuntimeError("the server never accepted a connection")


def http_calls(tmp: Path, *, calls: int, sessions: int, bare: bool) -> dict[str, Any]:
    """`calls` tools/call requests at once over `sessions` streamable-HTTP sessions; latencies and errors."""
    import anyio
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    port = _free_port()
    if bare:
        tmp.mkdir(parents=True, exist_ok=True)
        (tmp / "bare_http.py").write_text(BARE_HTTP)
        cmd, env = [PY, str(tmp / "bare_http.py"), str(port)], None
    else:
        home = tmp / "http"
        env = env_for(home)
        from autoskill_mcp import AutoSkill, AutoSkillConfig

        with AutoSkill(AutoSkillConfig(store={"provider": "local", "path": str(home)}, embeddings=HASHING,
                                       default_user="alice")) as sdk:
            for i in range(50):
                sdk.upsert(name=f"http-skill-{i}", description=f"Skill {i} for the HTTP bench. Use when testing.",
                           instructions=f"# Skill {i}\n\nStep {i}.")
        cmd = autoskill("mcp", "--http", "--port", str(port), "--no-worker")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    latencies: list[float] = []
    errors: list[str] = []
    try:
        _wait_listening(proc, port)
        url = f"http://127.0.0.1:{port}/mcp"

        async def one(c: Any, i: int) -> None:
            t = time.perf_counter()
            try:
                res = await c.call_tool("search_skills", {"query": f"skill {i} for testing", "top_k": 3})
                if res.is_error:
                    errors.append(str(res.content)[:200])
            except Exception as exc:  # noqa: BLE001 - counted, not raised
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
            latencies.append(time.perf_counter() - t)

        async def session(n: int) -> None:
            http = httpx2.AsyncClient(timeout=httpx2.Timeout(60.0, read=300.0))
            async with Client(streamable_http_client(url, http_client=http), mode="legacy") as c:
                await c.list_tools()
                await c.call_tool("search_skills", {"query": "warm up", "top_k": 3})  # the store is open: not timed
                ready.append(n)
                await all_ready.wait()
                async with anyio.create_task_group() as tg:
                    for i in range(n):
                        tg.start_soon(one, c, i)

        ready: list[int] = []
        all_ready = anyio.Event()
        started = [0.0]

        async def run_all() -> float:
            per = [calls // sessions + (1 if s < calls % sessions else 0) for s in range(sessions)]
            async with anyio.create_task_group() as tg:
                for n in per:
                    tg.start_soon(session, n)
                while len(ready) < sessions:  # every session connected and warm: then all calls at once
                    await anyio.sleep(0.01)
                started[0] = time.perf_counter()
                all_ready.set()
            return time.perf_counter() - started[0]

        wall = anyio.run(run_all)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
    return {"calls": calls, "errors": errors, "p50": pct(latencies, 50), "p99": pct(latencies, 99),
            "wall": wall, "exit": code}


# -- (d) exits -------------------------------------------------------------------------------------------


def command_exits(tmp: Path) -> list[tuple[str, int, int]]:
    """(command, exit code, documented code) for each command and server, ended the way it normally ends."""
    home = tmp / "exits"
    env = env_for(home)
    out: list[tuple[str, int, int]] = []

    def run(label: str, args: list[str], expected: int, stdin: str | None = None) -> None:
        done = subprocess.run(autoskill(*args), env=env, input=stdin, capture_output=True, text=True, timeout=600)
        out.append((label, done.returncode, expected))

    src = write_folders(tmp / "exit-src", ["exit-skill-a", "exit-skill-b"], tag="exits")
    run("import", ["import", str(src)], 0)
    run("search (found)", ["search", "exit skill"], 0)
    run("search (empty query)", ["search", " "], 2)
    run("show (missing)", ["show", "no-such-skill"], 3)
    run("list", ["list"], 0)
    run("export", ["export", "--all", "--dest", str(tmp / "exported")], 0)
    run("validate", ["validate", str(src)], 0)
    run("doctor", ["doctor"], 0)
    run("jobs", ["jobs"], 0)
    run("worker (idle)", ["worker", "--idle-exit", "0"], 0)
    run("mcp (stdio, stdin closed)", ["mcp", "--no-worker"], 0, stdin="")
    run("lsp (stdio, shutdown + exit)", ["lsp"], 0, stdin=_lsp_shutdown())
    port = _free_port()
    proc = subprocess.Popen(autoskill("mcp", "--http", "--port", str(port)), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _wait_listening(proc, port)
    _ping(port)  # it answers: its signal handlers are in place
    busy = subprocess.run(autoskill("mcp", "--http", "--port", str(port)), env=env, capture_output=True,
                          text=True, timeout=120)
    out.append(("mcp --http (port in use)", busy.returncode, 1))
    proc.send_signal(signal.SIGTERM)
    out.append(("mcp --http (SIGTERM)", proc.wait(60), 0))
    return out


def _ping(port: int) -> None:
    import httpx2

    httpx2.post(f"http://127.0.0.1:{port}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                headers={"Accept": "application/json, text/event-stream"}, timeout=60)


def _lsp_shutdown() -> str:
    def frame(msg: dict[str, Any]) -> str:
        body = json.dumps(msg)
        return f"Content-Length: {len(body.encode())}\r\n\r\n{body}"

    return "".join(frame(m) for m in (
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "processId": None,
                                                                       "rootUri": None}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ))


# -- the section -----------------------------------------------------------------------------------------


def _problems_note(problems: list[str]) -> str:
    return "none" if not problems else f"{len(problems)}: " + "; ".join(problems[:3])


def sections(quick: bool) -> list[tuple[str, list[Row]]]:
    writers, skills_each, searchers = (5, 40, 2) if quick else (5, 1000, 2)
    kills = 3 if quick else 100
    tmp = Path(tempfile.mkdtemp(prefix="autoskill-bench-races-"))
    tables: list[tuple[str, list[Row]]] = []

    seq = writers_and_searchers(tmp / "a", writers=writers, skills_each=skills_each, searchers=0, concurrent=False)
    con = writers_and_searchers(tmp / "a", writers=writers, skills_each=skills_each, searchers=searchers)
    base = f"one after another: {seq['imported']} imported, {seq['clashes_reported']} clashes, {seq['seconds']:.1f} s"
    tables.append((f"(a) {writers} processes importing {skills_each:,} skills each (every 10th name shared) "
                   f"while {searchers} processes search", [
        Row("lost / duplicated / errors", f"{con['lost']} / {con['duplicated']} / {len(con['errors'])}",
            f"one after another: {seq['lost']} / {seq['duplicated']} / {len(seq['errors'])}", "",
            "; ".join(con["errors"][:2])),
        Row("skills stored (expected)", f"{con['stored']:,} ({con['expected']:,})", f"{seq['stored']:,}"),
        Row("imported / clashes reported per skill", f"{con['imported']:,} / {con['clashes_reported']:,}", base),
        Row("wall time, all imports", f"{con['seconds']:.1f} s", f"{seq['seconds']:.1f} s",
            ratio(con["seconds"], seq["seconds"]), f"{con['searches']:,} searches meanwhile"),
        Row("every process exited 0", f"{sum(c == 0 for c in con['exits'])} of {len(con['exits'])}",
            f"{sum(c == 0 for c in seq['exits'])} of {len(seq['exits'])}"),
        Row("store whole after (integrity, orphans, half-written)", _problems_note(con["problems"]),
            _problems_note(seq["problems"])),
    ]))

    imp = kill_imports(tmp / "b", kills=kills, skills=200 if quick else 1000)
    wrk = kill_workers(tmp / "b", kills=kills, jobs=20 if quick else 200)
    mcp = kill_mcp_servers(tmp / "b", kills=kills)
    tables.append((f"(b) kill -9 at random points, {kills} of each kind, the store checked after every restart", [
        Row("import: problems after restarts (integrity, duplicate, orphan, half-written)",
            _problems_note(imp["problems"]), f"a clean import: exit {imp['clean_exit']}, {imp['clean_seconds']:.1f} s",
            note=f"{imp['interrupted']} kills cut a write short (undone at restart); then run to the end: "
                 f"exit {imp['final_exit']}, {imp['lost']} lost, {imp['duplicated']} duplicated"),
        Row("worker: problems after restarts", _problems_note(wrk["problems"]),
            f"a clean run: exit {wrk['clean_exit']}, {wrk['clean_skills']} skills",
            note=f"{wrk['skills']} skills, {wrk['duplicated']} duplicated"),
        Row("worker: jobs finished after restart (done / failed / unfinished)",
            f"{wrk['done']} / {wrk['failed']} / {wrk['unfinished']} of {wrk['jobs']}",
            f"a clean run: {wrk['jobs']} done",
            note=f"{wrk['rerun']} job runs cut short by a kill and run again; final worker exit {wrk['final_exit']}"),
        Row("mcp server: problems after restarts", _problems_note(mcp["problems"]), "none",
            note=f"{mcp['interrupted']} kills cut a write short (undone at restart); "
                 f"{mcp['answered_saves']} saves answered before the kills, {mcp['lost']} of them lost"),
    ]))

    ours = http_calls(tmp / "c", calls=40 if quick else 200, sessions=4 if quick else 10, bare=False)
    bare = http_calls(tmp / "c", calls=40 if quick else 200, sessions=4 if quick else 10, bare=True)
    tables.append((f"(c) {ours['calls']} concurrent tools/call (search_skills) over streamable HTTP", [
        Row("errors", str(len(ours["errors"])), f"bare mcp server {len(bare['errors'])}", "",
            "; ".join(ours["errors"][:2])),
        Row("latency p50", f"{ours['p50'] * 1000:.0f} ms", f"bare mcp server {bare['p50'] * 1000:.0f} ms",
            ratio(ours["p50"], bare["p50"])),
        Row("latency p99", f"{ours['p99'] * 1000:.0f} ms", f"bare mcp server {bare['p99'] * 1000:.0f} ms",
            ratio(ours["p99"], bare["p99"])),
        Row("all calls answered in", f"{ours['wall']:.2f} s", f"bare mcp server {bare['wall']:.2f} s",
            ratio(ours["wall"], bare["wall"]), f"server exit on SIGTERM: {ours['exit']} (bare {bare['exit']})"),
    ]))

    from bench.bench_mcp_startup import BARE_LABEL, measure_exits

    exits = command_exits(tmp / "d")
    wrong = [f"{label}: {code} (documented {want})" for label, code, want in exits if code != want]
    latency = measure_exits(3 if quick else 7)
    base_exit = latency[BARE_LABEL]
    rows = [Row("commands and servers with their documented exit code", f"{len(exits) - len(wrong)} of {len(exits)}",
                f"{len(exits)} of {len(exits)}", note="; ".join(wrong) or ", ".join(label for label, _, _ in exits))]
    rows += [Row(f"{label}: stdin closed -> exit 0", f"{latency[label]:.3f} s", f"bare mcp server {base_exit:.3f} s",
                 ratio(latency[label], base_exit), f"{latency[label] - base_exit:+.3f} s; budget +0.2 s")
             for label in latency if label != BARE_LABEL]
    tables.append(("(d) exits", rows))
    return tables


if __name__ == "__main__":
    from bench.report import markdown

    for title, rows in sections("--quick" in sys.argv):
        print(markdown(title, rows) + "\n")
