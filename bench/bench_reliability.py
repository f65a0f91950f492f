"""Reliability: hostile inputs by the ten thousand, each timed, beside as many valid ones.

    python bench/bench_reliability.py            # 10,000 SKILL.md files and 10,000 transcripts
    python bench/bench_reliability.py --count 500

What the tests in tests/reliability do with a few hundred inputs, at full count: every
SKILL.md of bench/hostile.py (seeds 0..n-1) through validate (with its folder), fix_all,
to_skill and render; every transcript (a fixture copy with one mutation) through detection,
read_transcript and the offline Learner. The baseline is the same count of valid inputs
through the same steps: generated valid SKILL.md files, unmodified fixture copies. A row
gives the count, the uncaught exceptions (a transcript's TranscriptError is the documented
answer, not one; an offline extraction error is), the slowest input and the share over 2 s.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autoskill_mcp import LocalSkillStore, skillmd  # noqa: E402
from autoskill_mcp.learning.pipeline import Learner  # noqa: E402
from autoskill_mcp.learning.transcripts import TranscriptError, detect_format, read_transcript  # noqa: E402
from autoskill_mcp.skillmd.fixall import fix_all  # noqa: E402
from bench import hostile  # noqa: E402
from bench.report import Row, markdown, ratio  # noqa: E402

SLOW_S = 2.0
FULL, QUICK = 10_000, 300


@dataclass
class Tally:
    """Per-input times and the inputs that raised, for one kind of input."""

    times: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    slowest: str = ""

    def run(self, label: str, work: Callable[[], None]) -> None:
        t = time.perf_counter()
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - counting them is the point
            self.failures.append(f"{label}: {type(exc).__name__}: {exc}"[:300])
        seconds = time.perf_counter() - t
        if not self.times or seconds > max(self.times):
            self.slowest = label
        self.times.append(seconds)

    @property
    def worst_ms(self) -> float:
        return max(self.times, default=0.0) * 1000

    @property
    def over(self) -> float:
        return sum(t > SLOW_S for t in self.times) / max(1, len(self.times))


def skill_md_work(data: bytes, folder: Path) -> Callable[[], None]:
    def work() -> None:
        path = str(folder / "SKILL.md")
        parsed = skillmd.parse(data, path)
        skillmd.validate(parsed, skill_dir=folder)
        fix_all(parsed.text, path=path, skill_dir=folder)
        converted = skillmd.to_skill(parsed, dir_name=folder.name)
        if converted.skill is not None:
            skillmd.render(converted.skill)
    return work


def bench_skill_md(count: int) -> tuple[Tally, Tally]:
    hostile_tally, valid_tally = Tally(), Tally()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(count):
            for tally, make in ((hostile_tally, hostile.skill_md_bytes),
                                (valid_tally, lambda r: hostile.valid_skill_md(r).encode())):
                rng = random.Random(seed)
                folder = Path(tmp) / f"s{seed}"
                data = make(rng)
                hostile.skill_folder(rng, folder, data)
                tally.run(f"seed {seed}", skill_md_work(data, folder))
                shutil.rmtree(folder)
    return hostile_tally, valid_tally


def transcript_work(path: Path, learner: Learner, user: str) -> Callable[[], None]:
    def work() -> None:
        detect_format(path)
        try:
            sessions = read_transcript(path)
        except TranscriptError:
            return  # the documented answer to a file that cannot be read
        for session in sessions:
            result = learner.learn(session, user_id=user)
            if result.error:
                raise RuntimeError(f"extraction failed: {result.error}")
    return work


def bench_transcripts(count: int) -> tuple[Tally, Tally]:
    entries = hostile.fixture_entries()
    hostile_tally, valid_tally = Tally(), Tally()
    with tempfile.TemporaryDirectory() as tmp:
        stores = [LocalSkillStore(Path(tmp) / name, embeddings={"provider": "hashing"}, background=False)
                  for name in ("hostile-home", "valid-home")]
        learners = [Learner(s) for s in stores]
        try:
            for seed in range(count):
                root = Path(tmp) / f"t{seed}"
                path, what = hostile.transcript(random.Random(seed), entries, root)
                hostile_tally.run(f"seed {seed} ({what})", transcript_work(path, learners[0], f"u{seed % 20}"))
                shutil.rmtree(root)
                entry = entries[seed % len(entries)]
                path = hostile.copy_entry(entry, root)
                valid_tally.run(f"{entry.rel}", transcript_work(path, learners[1], f"u{seed % 20}"))
                shutil.rmtree(root)
        finally:
            for learner in learners:
                learner.close()
            for store in stores:
                store.close()
    return hostile_tally, valid_tally


def rows(kind: str, bad: Tally, good: Tally, baseline: str) -> list[Row]:
    n = len(bad.times)
    return [
        Row(f"{kind}: inputs", f"{n:,} hostile", f"{len(good.times):,} {baseline}"),
        Row(f"{kind}: uncaught exceptions", f"{len(bad.failures)}", f"{len(good.failures)}",
            note="; ".join(bad.failures[:3])),
        Row(f"{kind}: slowest input", f"{bad.worst_ms:,.0f} ms", f"{good.worst_ms:,.0f} ms",
            ratio(bad.worst_ms, good.worst_ms), bad.slowest),
        Row(f"{kind}: inputs over {SLOW_S:.0f} s", f"{bad.over:.2%}", f"{good.over:.2%}"),
    ]


def sections(quick: bool, *, count: int | None = None) -> list[tuple[str, list[Row]]]:
    n = count or (QUICK if quick else FULL)
    skill_rows = rows("SKILL.md", *bench_skill_md(n), "valid generated")
    skill_rows[0].note = "validate with folder + fix_all + to_skill + render, per input"
    transcript_rows = rows("transcripts", *bench_transcripts(n), "unmodified fixture copies")
    transcript_rows[0].note = "detect + read_transcript + offline Learner.learn, per input"
    return [(f"reliability: hostile SKILL.md files (bench/hostile.py, seeds 0..{n - 1})", skill_rows),
            (f"reliability: mutated transcripts (fixture copies, seeds 0..{n - 1})", transcript_rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=FULL)
    args = parser.parse_args()
    for title, table in sections(False, count=args.count):
        print(markdown(title, table) + "\n", flush=True)


if __name__ == "__main__":
    main()
