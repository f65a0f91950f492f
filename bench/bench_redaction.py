"""Redaction speed: MB/s on the fixture transcripts and on a 5 MB adversarial input.

Prints one row per input with the time of `redact()`, the time of a trivial one-regex pass
over the same text (`re.compile("x").sub`) as the baseline, and the ratio. The adversarial
input repeats near misses for every rule (tests/learning/data/redaction_near_misses.txt),
the kind of text that makes a backtracking pattern quadratic; the test suite runs the
same input (without timing it).

    python bench/bench_redaction.py              # transcripts + 5 MB adversarial
    python bench/bench_redaction.py --rules      # also the 8 slowest rules per input
    python bench/bench_redaction.py --leaks      # also the leak figure (bench/leak_figure.py, ~1 minute)

The leak figure plants every kind of secret (bench/secret_corpus.py) in every transcript format,
in prose and in assignments, before every punctuation mark, sends them down every path that
stores, logs or sends text (ingest offline and with the fake LLM, failed jobs, SDK upsert, import,
the MCP server), and counts the kinds of which any piece survived anywhere.
"""

from __future__ import annotations

import argparse
import codecs
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from autoskill_mcp.learning import redaction

REPO = Path(__file__).resolve().parents[1]
NEAR_MISSES = REPO / "tests" / "learning" / "data" / "redaction_near_misses.txt"
TRANSCRIPTS = REPO / "tests" / "fixtures" / "transcripts"


def adversarial_text(size: int = 5_000_000) -> str:
    """`size` characters: each near-miss line repeated into an equal share, in file order."""
    lines = [codecs.decode(line, "unicode_escape") for line in NEAR_MISSES.read_text("utf-8").splitlines()
             if line and not line.startswith("# ")]
    share = size // len(lines)
    text = "".join((line * (share // len(line) + 1))[:share] for line in lines)
    return text + "a" * (size - len(text))


def transcript_text() -> tuple[str, int]:
    """All text fixture transcripts concatenated (SQLite fixtures skipped), and the file count."""
    parts = []
    for path in sorted(TRANSCRIPTS.rglob("*")):
        if path.is_file():
            try:
                parts.append(path.read_text("utf-8"))
            except UnicodeDecodeError:
                continue
    if not parts:
        raise SystemExit(f"no fixture transcripts under {TRANSCRIPTS}")
    return "\n".join(parts), len(parts)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def slowest_rules(text: str, n: int = 8) -> list[tuple[str, float]]:
    scan = redaction._Text(text)
    scan.lower  # noqa: B018 - computed once, as redact() does
    times = []
    for rule in redaction._RULES:
        start = time.perf_counter()
        for _ in rule.find(scan):
            pass
        times.append(("/".join(rule.kinds[:2]), time.perf_counter() - start))
    return sorted(times, key=lambda t: -t[1])[:n]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=5.0, help="adversarial input size (default 5)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--rules", action="store_true", help="print the slowest rules per input")
    parser.add_argument("--leaks", action="store_true", help="also print the leak figure")
    args = parser.parse_args()

    transcripts, n_files = transcript_text()
    inputs = [
        (f"fixture transcripts ({n_files} files)", transcripts),
        ("adversarial near misses", adversarial_text(int(args.size_mb * 1_000_000))),
    ]
    baseline_rx = re.compile("x")
    print(f"{'input':34} {'MB':>6} {'redact s':>9} {'MB/s':>7} "
          f"{'baseline s':>11} {'MB/s':>7} {'ratio':>6} {'findings':>8}")
    for name, text in inputs:
        mb = len(text) / 1e6
        t_redact = best_of(lambda text=text: redaction.redact(text), args.repeat)
        t_base = best_of(lambda text=text: baseline_rx.sub("x", text), args.repeat)
        found = redaction.redact(text).count
        print(f"{name:34} {mb:6.2f} {t_redact:9.3f} {mb / t_redact:7.1f} {t_base:11.4f} {mb / t_base:7.0f} "
              f"{t_redact / t_base:5.0f}x {found:8d}")
        if args.rules:
            for rule, seconds in slowest_rules(text):
                print(f"    {rule:40} {seconds * 1000:8.1f} ms")
    if args.leaks:
        print()
        print(leak_table())
    return 0


def leak_table() -> str:
    """The leak figure, taken in a temporary folder with the fake LLM."""
    import tempfile

    sys.path.insert(0, str(REPO))
    from bench.fake_llm import FakeLLM
    from bench.leak_figure import run, table

    with tempfile.TemporaryDirectory() as tmp, FakeLLM() as fake:
        return table(run(Path(tmp), fake=fake))


if __name__ == "__main__":
    sys.exit(main())
