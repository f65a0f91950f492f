"""Ingest speed: every transcript fixture through the whole pipeline, and the hook's latency.

    python bench/bench_ingest.py            # offline extractor, hook latency
    python bench/bench_ingest.py --llm      # also LLM calls per session against a fake OpenAI-compatible server

Rows show the figure, the baseline measured in the same run, and the ratio:
- ingest: read + redact + gate + extract + maintain, against reading (parsing) alone;
- hook: `autoskill hook claude-code` (enqueue one transcript, exit 0) against a bare `python -c pass`.
"""

from __future__ import annotations

import argparse
import json
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
from autoskill_mcp.learning.transcripts import read_transcript  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "transcripts"


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.name != "SOURCES.md")


def bench_ingest(repeats: int, learner_for: object = None) -> list[tuple[str, str, str]]:
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
    rows.append(("fixtures", f"{len(files)} files, {n} sessions, {size / 1e6:.2f} MB", ""))
    rows.append(("ingest, whole pipeline", f"{n / total_s:,.0f} sessions/s ({size / 1e6 / total_s:.2f} MB/s)",
                 f"parse alone {n / parse_s:,.0f} sessions/s; pipeline/parse = {total_s / parse_s:.1f}x time"))
    rows.append(("sessions through the gate", f"{gated:.0%}", learner.extractor.name))
    rows.append(("LLM calls per session", f"{calls:.2f}", "target <= 1.2"))
    return rows


def bench_hook(runs: int) -> list[tuple[str, str, str]]:
    transcript = FIXTURES / "claude-code" / "spotter__short.jsonl"
    with tempfile.TemporaryDirectory() as home:
        env = {"AUTOSKILL_HOME": home, "PATH": "/usr/bin:/bin"}
        payload = json.dumps({"hook_event_name": "SessionEnd", "transcript_path": str(transcript), "session_id": "s"})

        def timed(cmd: list[str]) -> float:
            t = time.perf_counter()
            subprocess.run(cmd, input=payload, text=True, env=env, check=True, capture_output=True)
            return (time.perf_counter() - t) * 1000

        base = [timed([sys.executable, "-c", "pass"]) for _ in range(runs)]
        hook = [timed([sys.executable, "-m", "autoskill_mcp", "hook", "claude-code", "--no-worker"]) for _ in range(runs)]
    b, h = statistics.median(base), statistics.median(hook)
    return [("hook: spawn -> enqueued -> exit 0 (median)", f"{h:.0f} ms (p95 {sorted(hook)[int(0.95 * runs) - 1]:.0f})",
             f"bare `python -c pass` {b:.0f} ms; hook adds {h - b:.0f} ms; target <= 100 ms")]


def table(title: str, rows: list[tuple[str, str, str]]) -> None:
    print(f"\n## {title}")
    print(f"| {'measure':<44} | {'value':<40} | baseline and ratio |")
    print(f"|{'-' * 46}|{'-' * 42}|---|")
    for a, b, c in rows:
        print(f"| {a:<44} | {b:<40} | {c} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hook-runs", type=int, default=20)
    parser.add_argument("--llm", action="store_true", help="also measure LLM calls against a fake local server")
    args = parser.parse_args()
    table("ingest (offline extractor)", bench_ingest(args.repeats))
    if args.llm:
        from fake_llm import FakeLLM  # bench/fake_llm.py

        with FakeLLM() as fake:
            llm = {"provider": "openai", "base_url": fake.base_url, "api_key": "bench", "model": "fake"}
            table("ingest (LLM extractor, fake OpenAI-compatible server on 127.0.0.1)",
                  bench_ingest(1, lambda store: build_learner(store, llm)))
            print(f"\n(fake server answered {fake.requests} requests)")
    table("hook", bench_hook(args.hook_runs))


if __name__ == "__main__":
    main()
