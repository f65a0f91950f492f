"""MCP start-up: time from spawn to the first `tools/list` answer, ours beside a bare SDK server and peers.

    python bench/bench_mcp_startup.py                # 5 interleaved rounds, legacy (initialize) handshake
    python bench/bench_mcp_startup.py --rounds 9 --mode auto --large 5000

Every server is a real stdio subprocess; each round starts every server once,
so background load spreads evenly. Two figures per server:
- raw: JSON-RPC lines written to the process (initialize, initialized,
  tools/list) and the time the tools/list answer line arrives: the server's
  start-up alone;
- sdk: the mcp SDK's `Client` (`--mode`), until `list_tools()` returns: what a
  Python host sees, including the client's own processing of the tool schemas.
Rows:
- bare: an `MCPServer` with one tool (the floor: interpreter + mcp import);
- autoskill (4 skills) and autoskill (N skills): `python -m autoskill_mcp mcp` on
  the demo folder and on a store of N skills (start-up must not grow with N);
- skillz and agentskills-mcp-server on the same demo folder, installed into
  throwaway venvs by bench/peer_servers.py (skipped with a note if impossible).
The figure is the median; the baseline is bare; the ratio and the difference
are against it. A second table times the exit: stdin closed (the client ended
the session) to exit 0, after one search, ours beside the bare server.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import anyio  # noqa: E402
from mcp import Client, StdioServerParameters  # noqa: E402

from bench import peer_servers  # noqa: E402
from bench.report import Row, markdown, ratio  # noqa: E402

BARE_LABEL = "bare mcp server"

BARE = """
from mcp.server.mcpserver import MCPServer
mcp = MCPServer("bare")
@mcp.tool()
def echo(text: str) -> str:
    '''Echo the text.'''
    return text
mcp.run()
"""

DEMO = {
    "pdf-tools/SKILL.md": "---\nname: pdf-tools\ndescription: Extract text and tables from PDF files.\n---\n# PDF\n",
    "pdf-tools/scripts/extract.py": "print('x')\n",
    "code-review/SKILL.md": "---\nname: code-review\ndescription: Review a pull request.\n---\n# Review\n",
    "git-workflow/SKILL.md": "---\nname: git-workflow\ndescription: Branch and rebase.\n---\n# Git\n",
    "docker-debugging/SKILL.md": "---\nname: docker-debugging\ndescription: Debug containers.\n---\n# Docker\n",
}


def make_demo(root: Path) -> Path:
    for rel, text in DEMO.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def make_large_store(home: Path, n: int) -> None:
    from autoskill_mcp import LocalSkillStore, Skill

    with LocalSkillStore(home, embeddings={"provider": "hashing", "dims": 256}, background=False) as store:
        store.save_many([Skill(name=f"skill-{i:05d}", user_id="default",
                               description=f"Procedure number {i} for task family {i % 97}.",
                               instructions=f"# Skill {i}\n\n1. Step one.\n2. Step two.") for i in range(n)])


def ours_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOSKILL_")}
    env.update({"AUTOSKILL_HOME": str(home), "AUTOSKILL_USER": "default", "PYTHONPATH": str(ROOT)})
    (home / "config.toml").write_text('[embeddings]\nprovider = "hashing"\ndims = 256\n')
    return env


HANDSHAKE = [
    {"jsonrpc": "2.0", "id": 1, "method": "initialize",
     "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}},
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
]


def raw_first_tools_list(params: StdioServerParameters) -> float:
    """Spawn, send the legacy handshake and tools/list at once, and time the tools/list answer."""
    import json
    import subprocess

    started = time.perf_counter()
    proc = subprocess.Popen([params.command, *params.args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=params.env, cwd=params.cwd)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("".join(json.dumps(m) + "\n" for m in HANDSHAKE).encode())
    proc.stdin.flush()
    elapsed = float("nan")
    for line in proc.stdout:
        if json.loads(line).get("id") == 2:
            elapsed = time.perf_counter() - started
            break
    proc.stdin.close()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return elapsed


def exit_latency(params: StdioServerParameters, call: dict | None = None) -> float:
    """Spawn, answer the handshake, tools/list and `call` (a tools/call), then close stdin: seconds to exit.

    What a client waits for when it ends a session (Claude Code closing the server's stdin).
    A server that does not exit 0 raises.
    """
    import json
    import subprocess

    messages = HANDSHAKE + ([{"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": call}] if call else [])
    last = 3 if call else 2
    proc = subprocess.Popen([params.command, *params.args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=params.env, cwd=params.cwd)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("".join(json.dumps(m) + "\n" for m in messages).encode())
    proc.stdin.flush()
    for line in proc.stdout:
        if json.loads(line).get("id") == last:
            break
    started = time.perf_counter()
    proc.stdin.close()
    try:
        code = proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise RuntimeError("the server did not exit within 60 s of its stdin closing") from None
    elapsed = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"the server exited with code {code} when its stdin closed")
    return elapsed


def measure_exits(rounds: int) -> dict[str, float]:
    """Median seconds from stdin closed to exit: the bare server, ours on hashing and on the default embedder."""
    tmp = Path(tempfile.mkdtemp(prefix="autoskill-bench-exit-"))
    (tmp / "bare.py").write_text(BARE)
    demo = make_demo(tmp / "skills")
    hashing_home, default_home = tmp / "hashing", tmp / "default"
    hashing_home.mkdir()
    default_home.mkdir()
    py = sys.executable
    default_env = ours_env(default_home)
    (default_home / "config.toml").unlink()  # the default embedder (MiniLM via onnxruntime)
    search = {"name": "search_skills", "arguments": {"query": "extract tables from a pdf"}}
    runs: dict[str, tuple[StdioServerParameters, dict | None]] = {
        BARE_LABEL: (StdioServerParameters(command=py, args=[str(tmp / "bare.py")], cwd=str(tmp)),
                     {"name": "echo", "arguments": {"text": "x"}}),
        "autoskill (hashing embedder)": (StdioServerParameters(
            command=py, args=["-m", "autoskill_mcp", "mcp", "--library", str(demo)], env=ours_env(hashing_home),
            cwd=str(tmp)), search),
        "autoskill (default embedder, model loading)": (StdioServerParameters(
            command=py, args=["-m", "autoskill_mcp", "mcp", "--library", str(demo)], env=default_env,
            cwd=str(tmp)), search),
    }
    times: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(rounds):
        for label, (params, call) in runs.items():
            times[label].append(exit_latency(params, call))
    return {k: statistics.median(v) for k, v in times.items()}


async def first_tools_list(params: StdioServerParameters, mode: str) -> float:
    started = time.perf_counter()
    async with Client(params, mode=mode) as c:
        tools = await c.list_tools()
        elapsed = time.perf_counter() - started
    assert tools.tools is not None
    return elapsed


PEER_LABELS = frozenset({"skillz 0.1.14", "agentskills-mcp-server 0.7.0"})


def measure(rounds: int, mode: str, large: int, peers: bool
            ) -> tuple[dict[str, float], dict[str, float], dict[str, str]]:
    """Median seconds per server (raw handshake, SDK client), and why each peer not measured was not."""
    tmp = Path(tempfile.mkdtemp(prefix="autoskill-bench-mcp-"))
    demo = make_demo(tmp / "skills")
    (tmp / "bare.py").write_text(BARE)
    small_home, large_home = tmp / "small", tmp / "large"
    small_home.mkdir()
    large_home.mkdir()
    t = time.perf_counter()
    make_large_store(large_home, large)
    print(f"seeded a store of {large} skills in {time.perf_counter() - t:.1f} s", file=sys.stderr)

    py = sys.executable
    servers: dict[str, StdioServerParameters] = {
        BARE_LABEL: StdioServerParameters(command=py, args=[str(tmp / "bare.py")], cwd=str(tmp)),
        "autoskill (4 skills)": StdioServerParameters(
            command=py, args=["-m", "autoskill_mcp", "mcp", "--library", str(demo)], env=ours_env(small_home),
            cwd=str(tmp)),
        f"autoskill ({large} skills)": StdioServerParameters(
            command=py, args=["-m", "autoskill_mcp", "mcp"], env=ours_env(large_home), cwd=str(tmp)),
    }
    notes: dict[str, str] = {}
    if peers:
        for name, label, argv in (("skillz", "skillz 0.1.14", ["skillz", str(demo)]),
                                  ("agentskills", "agentskills-mcp-server 0.7.0", ["agentskills", "serve", str(demo)])):
            try:
                venv = peer_servers.ensure_peer(name)
            except RuntimeError as exc:
                notes[label] = str(exc)
                continue
            servers[label] = StdioServerParameters(command=str(venv / "bin" / argv[0]), args=argv[1:], cwd=str(tmp))

    raw: dict[str, list[float]] = {k: [] for k in servers}
    sdk: dict[str, list[float]] = {k: [] for k in servers}

    async def run_all() -> None:
        for _ in range(rounds):
            for label, params in list(servers.items()):
                if label in notes:
                    continue
                try:
                    raw_s = await anyio.to_thread.run_sync(raw_first_tools_list, params)
                    if math.isnan(raw_s):  # the process ended without answering tools/list
                        raise RuntimeError("it exited without answering tools/list")
                    sdk_s = await first_tools_list(params, mode)
                except Exception as exc:  # noqa: BLE001 - a peer that fails is reported, ours must not
                    if label not in PEER_LABELS:
                        raise
                    notes[label] = f"it did not start: {type(exc).__name__}: {exc}"[:300]
                    continue
                raw[label].append(raw_s)
                sdk[label].append(sdk_s)

    anyio.run(run_all)
    measured = [k for k in servers if k not in notes]
    return ({k: statistics.median(raw[k]) for k in measured}, {k: statistics.median(sdk[k]) for k in measured},
            notes)


def sections(quick: bool, *, rounds: int | None = None, mode: str = "legacy", large: int | None = None,
             peers: bool = True) -> list[tuple[str, list[Row]]]:
    rounds = rounds or (3 if quick else 9)
    large = large or (1000 if quick else 5000)
    raw, sdk, notes = measure(rounds, mode, large, peers)
    base_raw, base_sdk = raw[BARE_LABEL], sdk[BARE_LABEL]
    rows = [Row(f"{label}: spawn -> first tools/list (raw / SDK client)", f"{raw[label]:.3f} / {sdk[label]:.3f} s",
                f"bare mcp server {base_raw:.3f} / {base_sdk:.3f} s", ratio(raw[label], base_raw),
                f"{raw[label] - base_raw:+.3f} s raw" + ("; budget +0.15 s" if label.startswith("autoskill") else ""))
            for label in raw if label != BARE_LABEL]
    rows += [Row(f"{label}: spawn -> first tools/list (raw / SDK client)", "not measured",
                 note=f"peer not measured: {why}") for label, why in notes.items()]
    exits = measure_exits(rounds)
    base_exit = exits[BARE_LABEL]
    exit_rows = [Row(f"{label}: stdin closed -> exit 0 (after a search)", f"{exits[label]:.3f} s",
                     f"bare mcp server {base_exit:.3f} s", ratio(exits[label], base_exit),
                     f"{exits[label] - base_exit:+.3f} s; budget +0.2 s")
                 for label in exits if label != BARE_LABEL]
    return [(f"MCP start-up over stdio (median of {rounds} interleaved rounds, {os.cpu_count()} CPUs, "
             f"{mode} handshake)", rows),
            (f"MCP shutdown over stdio (median of {rounds} interleaved rounds)", exit_rows)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--mode", choices=["legacy", "auto"], default="legacy",
                    help="legacy: initialize (what Claude Code does over stdio); auto: 2026-07-28 discover")
    ap.add_argument("--large", type=int, default=2000, help="skills in the large store")
    ap.add_argument("--no-peers", action="store_true", help="skip skillz and agentskills-mcp-server")
    args = ap.parse_args()
    for title, rows in sections(False, rounds=args.rounds, mode=args.mode, large=args.large, peers=not args.no_peers):
        print(markdown(title, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
