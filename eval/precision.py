"""Precision review: every skill the offline rules make from every transcript fixture, against labels.

`eval/review/fixture-skills.jsonl` holds one reviewed skill per line: where it came from (the fixture;
the session id is shown for reading), its name, a digest of the text that was reviewed, `label` keep | junk and
`why`. A skill whose text changed since it was reviewed counts as unreviewed, so a rule change cannot pass on an
old verdict.

    python -m eval.precision               # the table: keep rate now and with the previous rules
    python -m eval.precision --pending     # also print every unreviewed skill in the label file's format
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from autoskill_mcp import LocalSkillStore  # noqa: E402
from autoskill_mcp.learning.maintenance import WROTE  # noqa: E402
from autoskill_mcp.learning.pipeline import Learner  # noqa: E402
from autoskill_mcp.learning.transcripts import detect_format, read_transcript  # noqa: E402
from autoskill_mcp.learning.transcripts.discover import entry_points  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "transcripts"
LABELS = ROOT / "eval" / "review" / "fixture-skills.jsonl"


def digest(instructions: str) -> str:
    return hashlib.sha256(" ".join(instructions.split()).encode()).hexdigest()[:16]


def learned(make_learner: Callable[[Any], Any]) -> list[dict[str, Any]]:
    """Every skill learned from the fixtures, one user per fixture file (so nothing merges across files)."""
    out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="autoskill-review-") as home:
        store = LocalSkillStore(home, embeddings={"provider": "hashing"}, background=False)
        learner = make_learner(store)
        for path in entry_points(FIXTURES, lambda p: detect_format(p) is not None):
            rel = path.relative_to(FIXTURES).as_posix()
            for session in read_transcript(path):
                result = learner.learn(session, user_id=re.sub(r"[^A-Za-z0-9._@+-]", "-", f"r-{rel}")[:128])
                for d in result.decisions:
                    skill = store.get(d.skill_id) if d.skill_id and d.action in WROTE else None
                    if skill is not None:
                        out.append({"fixture": rel, "session": session.session_id, "name": skill.name,
                                    "digest": digest(skill.instructions), "description": skill.description,
                                    "instructions": skill.instructions})
        store.close()
    return out


def review(skills: list[dict[str, Any]], labels: list[dict[str, Any]]) -> dict[str, Any]:
    """Keep / junk / unreviewed counts for `skills` under `labels`."""
    # Some readers derive a session's id from the file's absolute path: the fixture names the session here.
    by_key = {(x["fixture"], x["name"], x["digest"]): x for x in labels}
    keep = junk = 0
    unreviewed: list[dict[str, Any]] = []
    for s in skills:
        label = by_key.get((s["fixture"], s["name"], s["digest"]))
        if label is None:
            unreviewed.append(s)
        elif label["label"] == "keep":
            keep += 1
        else:
            junk += 1
    return {"skills": len(skills), "keep": keep, "junk": junk, "unreviewed": unreviewed,
            "keep_rate": keep / len(skills) if skills else float("nan")}


def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()] if path.is_file() else []


def evaluate() -> dict[str, Any]:
    from .previous.learner import NAME, PreviousLearner

    labels = load_labels()
    now, before = review(learned(Learner), labels), review(learned(PreviousLearner), labels)
    rate = (lambda r: "–" if r["skills"] == 0 else f"{r['keep_rate']:.2f}")  # noqa: E731
    lines = ["### Precision review: every skill the offline rules make from the transcript fixtures", "",
             f"| measure | now (offline rules) | {NAME} |", "|---|---|---|",
             f"| skills made | {now['skills']} | {before['skills']} |",
             f"| a person would keep them (labelled keep) | {rate(now)} ({now['keep']}) | {rate(before)} "
             f"({before['keep']}) |",
             f"| junk | {now['junk']} | {before['junk']} |",
             f"| not reviewed yet | {len(now['unreviewed'])} | {len(before['unreviewed'])} |", "",
             f"Labels: `{LABELS.relative_to(ROOT)}` (keep / junk and why, per skill)."]
    return {"now": now, "previous": before, "markdown": "\n".join(lines)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.precision", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pending", action="store_true", help="print unreviewed skills as label lines to fill in")
    args = ap.parse_args(argv)
    report = evaluate()
    print(report["markdown"])
    if args.pending:
        for which in ("now", "previous"):
            for s in report[which]["unreviewed"]:
                print(json.dumps({**{k: s[k] for k in ("fixture", "session", "name", "digest")},
                                  "label": "?", "why": "", "text": s["instructions"]}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
