"""Ingest speed: every transcript fixture through the whole pipeline, and the hook's latency.

    python bench/bench_ingest.py            # offline extractor, hook latency
    python bench/bench_ingest.py --llm      # also LLM calls per session against a fake OpenAI-compatible server

Rows show the figure, the baseline measured in the same run, and the ratio:
- ingest: read + redact + gate + extract + maintain, against reading (parsing) alone;
- hook: `autoskill hook AGENT` per agent with its payload (find the transcript, enqueue it, exit 0) against a bare
  `python -c pass`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autoskill_mcp import LocalSkillStore  # noqa: E402
from autoskill_mcp.learning.pipeline import Learner, build_learner  # noqa: E402
from autoskill_mcp.learning.transcripts import detect_format, read_transcript  # noqa: E402
from autoskill_mcp.learning.transcripts.discover import entry_points  # noqa: E402
from bench.report import Row, markdown, pct, ratio  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "transcripts"


def fixture_files() -> list[Path]:
    """Every fixture transcript once, as `autoskill ingest <folder>` would queue them."""
    return entry_points(FIXTURES, lambda p: detect_format(p) is not None)


def bench_ingest(repeats: int, learner_for: object = None) -> list[Row]:
    files = fixture_files()
    size = sum(p.stat().st_size for p in files)
    # Baseline: parsing alone.
    t = time.perf_counter()
    for _ in range(repeats):
        sessions = [s for p in files for s in read_transcript(p)]
    parse_s = (time.perf_counter() - t) / repeats
    rows = []
    with tempfile.TemporaryDirectory() as home:
        store = LocalSkillStore(home, embeddings={"provider": "hashing"}, background=False)
        learner = learner_for(store) if callable(learner_for) else Learner(store)
        t = time.perf_counter()
        results = []
        for i in range(repeats):
            for p in files:
                for s in read_transcript(p):
                    results.append(learner.learn(s, user_id=f"bench{i}"))
        total_s = (time.perf_counter() - t) / repeats
        calls = sum(r.llm_calls for r in results) / max(1, len(results))
        gated = sum(1 for r in results if r.gate and r.gate.passed) / max(1, len(results))
        store.close()
    n = len(sessions)
    rows.append(Row("fixtures", f"{len(files)} transcripts, {n} sessions, {size / 1e6:.2f} MB"))
    rows.append(Row("ingest, whole pipeline", f"{n / total_s:,.0f} sessions/s ({size / 1e6 / total_s:.2f} MB/s)",
                    f"parsing alone {n / parse_s:,.0f} sessions/s", ratio(total_s, parse_s) + " time",
                    "read + redact + gate + extract + maintain"))
    rows.append(Row("sessions through the gate", f"{gated:.0%}", note=learner.extractor.name))
    rows.append(Row("LLM calls per session", f"{calls:.2f}", note="target <= 1.2 (AutoSkill: 4-9 per chat turn)"))
    return rows


def bench_llm_routing(cfg: dict[str, object]) -> list[Row]:
    """With an LLM configured: which labelled dev-set sessions reach it, and the calls per ingested session.

    The previous rules ran their offline gate first and called the model only for what it passed;
    their figures are that gate's verdicts on the same sessions.
    """
    from autoskill_mcp.learning.redaction import redact_session
    from eval.learning import SETS, load, sessions_of
    from eval.previous import evidence as previous

    scenarios = load([SETS["dev"]])
    reached: dict[str, list[bool]] = {"requirements": [], "positive": [], "negative": []}
    before: dict[str, list[bool]] = {"requirements": [], "positive": [], "negative": []}
    calls = sessions = 0
    with tempfile.TemporaryDirectory() as home:
        store = LocalSkillStore(home, embeddings={"provider": "hashing"}, background=False)
        learner = build_learner(store, cfg)
        for sc in scenarios:
            last = sessions_of(sc)
            for session in last:
                result = learner.learn(session, user_id=f"bench-{sc['id']}")
                calls += result.llm_calls
                sessions += 1
            old = previous.gate(previous.gather(redact_session(last[-1]))).passed
            kinds = ["positive" if sc["should_extract"] else "negative"] + (
                ["requirements"] if sc["pattern"] == "requirements" else [])
            for kind in kinds:
                reached[kind].append(result.llm_calls > 0)
                before[kind].append(old)
        learner.close()
        store.close()

    def share(flags: list[bool]) -> str:
        return f"{sum(flags) / max(1, len(flags)):.0%} of {len(flags)}"

    return [
        Row("requirement-building sessions that reach the LLM", share(reached["requirements"]),
            f"previous gate: {share(before['requirements'])}", note="target >= 90%"),
        Row("should-extract sessions that reach the LLM", share(reached["positive"]),
            f"previous gate: {share(before['positive'])}"),
        Row("one-off sessions answered without a call", share([not x for x in reached["negative"]]),
            f"previous gate: {share([not x for x in before['negative']])}", note="surely one-offs only"),
        Row("LLM calls per ingested session", f"{calls / max(1, sessions):.2f}", note=f"{sessions} sessions, "
            "extraction and merge judge; target <= 1.2"),
    ]


def bench_hook(runs: int) -> list[Row]:
    """Each agent's hook with its documented payload, the transcript where that agent writes it."""
    thread, cid, sid = "11111111-1111-4111-8111-111111111111", "0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b", "s-1"
    places = {  # agent -> (fixture, where the agent keeps it under HOME)
        "claude-code": ("claude-code/spotter__short.jsonl", ".claude/projects/p/s.jsonl"),
        "codex": (f"codex/claude-code-log__rollout-2026-01-02T03-04-05-{thread}.jsonl",
                  f".codex/sessions/2026/01/02/rollout-2026-01-02T03-04-05-{thread}.jsonl"),
        "cursor": ("cursor/agent_cli/agent-sessions__small.jsonl",
                   f".cursor/projects/p/agent-transcripts/{cid}/{cid}.jsonl"),
        "copilot": ("copilot/cli/agent-sessions__copilot_small.jsonl", f".copilot/session-state/{sid}/events.jsonl"),
    }
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        for fixture, where in places.values():
            (home / where).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(FIXTURES / fixture, home / where)
        payloads = {
            "claude-code": ([], json.dumps({"hook_event_name": "SessionEnd", "session_id": "s",
                                            "transcript_path": str(home / places["claude-code"][1])})),
            "codex": ([json.dumps({"type": "agent-turn-complete", "thread-id": thread, "turn-id": "1"})], ""),
            "cursor": ([], json.dumps({"hook_event_name": "stop", "conversation_id": cid, "status": "completed"})),
            "copilot": ([], json.dumps({"sessionId": sid, "timestamp": 0, "cwd": "/w", "reason": "complete"})),
        }
        env = {"AUTOSKILL_HOME": str(Path(tmp) / "autoskill"), "HOME": str(home), "PATH": "/usr/bin:/bin",
               "PYTHONPATH": str(ROOT)}  # this working copy

        def timed(cmd: list[str], stdin: str) -> float:
            t = time.perf_counter()
            subprocess.run(cmd, input=stdin, text=True, env=env, check=True, capture_output=True)
            return (time.perf_counter() - t) * 1000

        base = [timed([sys.executable, "-c", "pass"], "") for _ in range(runs)]
        b = statistics.median(base)
        for agent, (args, stdin) in payloads.items():
            cmd = [sys.executable, "-m", "autoskill_mcp", "hook", agent, "--no-worker", *args]
            hook = [timed(cmd, stdin) for _ in range(runs)]
            h = statistics.median(hook)
            rows.append(Row(f"hook {agent}: spawn -> enqueued -> exit 0 (median)",
                            f"{h:.0f} ms (p95 {pct(hook, 95):.0f})", f"bare `python -c pass` {b:.0f} ms", ratio(h, b),
                            f"hook adds {h - b:.0f} ms; target <= 100 ms"))
    return rows


def sections(quick: bool, *, llm: bool = True, repeats: int | None = None,
             hook_runs: int | None = None) -> list[tuple[str, list[Row]]]:
    out = [("ingest: offline extractor", bench_ingest(repeats or (1 if quick else 3)))]
    if llm:
        from bench.fake_llm import FakeLLM

        with FakeLLM() as fake:
            # the fake answers at once: no rate limit, so the run measures the pipeline, not the limiter
            cfg = {"provider": "openai", "base_url": fake.base_url, "api_key": "bench", "model": "fake",
                   "requests_per_minute": 0}
            rows = bench_ingest(1, lambda store: build_learner(store, cfg))
            rows.append(Row("requests the fake model answered", str(fake.requests)))
            out.append(("ingest: LLM extractor (fake OpenAI-compatible server on 127.0.0.1)", rows))
            out.append(("ingest: with an LLM, on the labelled dev set (eval/scenarios/dev)", bench_llm_routing(cfg)))
    out.append(("ingest: agent hook", bench_hook(hook_runs or (10 if quick else 20))))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hook-runs", type=int, default=20)
    parser.add_argument("--llm", action="store_true", help="also measure LLM calls against a fake local server")
    args = parser.parse_args()
    for title, rows in sections(False, llm=args.llm, repeats=args.repeats, hook_runs=args.hook_runs):
        print(markdown(title, rows) + "\n", flush=True)

if __name__ == "__main__":
    main()
