"""`python -m eval`: every quality table in one run, as markdown on stdout and in `--out`.

    python -m eval                  # retrieval on every labelled set (2000 sampled queries) + learning scenarios
    python -m eval --quick          # 300 queries per set (about a minute)
    python -m eval --out results/   # where eval.md and eval.json go (default: results/)

Retrieval runs every mode the product offers (keyword, each embedder, both fused
hybrids) on every `*.json` set in tests/fixtures/retrieval (or `--sets`), then through the
stores' own search, the local store beside the team store on PostgreSQL (eval/store_retrieval.py);
learning runs the offline extractor over the dev set, the held-out set and the first scenarios
(eval/scenarios/; `--scenarios` replaces the last), each beside the previous rules; the precision
review labels every skill the offline rules make from the transcript fixtures (eval/precision.py).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from . import learning, precision, retrieval, store_retrieval

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="300 sampled queries per set instead of 2000")
    ap.add_argument("--sets", type=Path, nargs="*", default=[retrieval.DEFAULT_SETS],
                    help="labelled retrieval sets (files or folders)")
    ap.add_argument("--scenarios", type=Path, default=HERE / "scenarios" / "learning.jsonl")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("results"), help="folder for eval.md and eval.json")
    args = ap.parse_args(argv)

    started = time.perf_counter()
    sample = 300 if args.quick else 2000
    sections: list[str] = []
    reports = []
    for path in retrieval.set_files(args.sets):
        report = retrieval.evaluate_set(path, sample=sample, seed=args.seed)
        reports.append(report)
        sections.append(retrieval.markdown(report))
        print(sections[-1] + "\n", flush=True)
    through_stores = []
    for path in retrieval.set_files(args.sets):  # the team store must rank as the local one does
        through_stores.append(store_retrieval.evaluate_stores(path, sample=sample, seed=args.seed))
        sections.append(store_retrieval.markdown(through_stores[-1]))
        print(sections[-1] + "\n", flush=True)
    learned = {}
    for name, paths in (("dev set (labelled before the rules were reworked)", [learning.SETS["dev"]]),
                        ("held-out set (never tuned on)", [learning.SETS["holdout"]]),
                        ("scenarios the first rules were written with", [args.scenarios])):
        learned[name] = learning.evaluate(paths, title=f"Learning, {name}")
        sections.append(learned[name]["markdown"])
        print(sections[-1] + "\n", flush=True)
    review = precision.evaluate()
    sections.append(review["markdown"])
    print(sections[-1])
    seconds = time.perf_counter() - started
    head = (
        f"# autoskill-mcp eval ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"Python {platform.python_version()}, {seconds:.0f} s)\n\n`python -m eval{' --quick' if args.quick else ''}`\n"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "eval.md").write_text(head + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    (args.out / "eval.json").write_text(json.dumps({
        "quick": args.quick, "seconds": seconds, "retrieval": reports, "retrieval_through_stores": through_stores,
        "learning": {name: {k: r[k] for k in ("files", "extractor", "summary", "previous", "outcomes")}
                     for name, r in learned.items()},
        "precision_review": {k: {"skills": v["skills"], "keep": v["keep"], "junk": v["junk"],
                                 "unreviewed": [u["name"] for u in v["unreviewed"]]}
                             for k, v in review.items() if k != "markdown"},
    }, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\n({seconds:.0f} s; wrote {args.out / 'eval.md'} and {args.out / 'eval.json'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
