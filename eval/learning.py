"""Learning quality on labelled scenarios: the gate, the extracted skills, and their retrieval later.

Each line of a scenario file (default `eval/scenarios/learning.jsonl`) is one
conversation (`messages`, OpenAI format) or one real fixture transcript
(`transcript`, relative to tests/fixtures/transcripts), labelled
`should_extract`, with what a good skill contains (`expect.name_any`: one of
these in its name; `expect.text_all`: all of these in its text) and
`later_queries` that should find it again. Any file in this format can be
passed with --scenarios.

    python eval/learning.py                       # offline rules (no LLM)
    python eval/learning.py --json eval/results/learning.json -v

Every scenario is learned into one store that also holds the 14 bundled example
skills as distractors; retrieval is top-3 over everything the user can see.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autoskill_mcp import AutoSkill, AutoSkillConfig  # noqa: E402
from autoskill_mcp.learning.transcripts import read_transcript, session_from_messages  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "transcripts"


@dataclass
class Outcome:
    id: str
    lang: str
    should: bool
    gate: bool
    skills: list[str] = field(default_factory=list)
    good: bool = False
    ranks: list[int | None] = field(default_factory=list)
    calls: int = 0


def run(scenarios: list[dict[str, Any]], *, embeddings: str, llm: dict[str, Any]) -> list[Outcome]:
    import tempfile

    out: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="autoskill-eval-") as home:
        sdk = AutoSkill(AutoSkillConfig(store={"provider": "local", "path": home}, embeddings={"provider": embeddings},
                                        llm=llm, default_user="eval"))
        sdk.import_skills(ROOT / "autoskill_mcp" / "examples" / "skills", scope="shared")
        for sc in scenarios:
            user = f"eval-{sc['id']}"  # one user per scenario: a skill is judged alone
            if "transcript" in sc:
                session = read_transcript(FIXTURES / sc["transcript"])[0]
            else:
                session = session_from_messages(sc["messages"], agent="openai-chat", session_id=sc["id"])
            result = sdk.learner.learn(session, user_id=user)
            o = Outcome(sc["id"], sc["lang"], bool(sc["should_extract"]), bool(result.gate and result.gate.passed),
                        calls=result.llm_calls)
            ids = [d.skill_id for d in result.decisions if d.action in ("add", "merge") and d.skill_id]
            skills = [s for s in (sdk.store.get(i) for i in ids) if s is not None]
            o.skills = [s.name for s in skills]
            expect = sc.get("expect") or {}
            o.good = any(_matches(s, expect) for s in skills) if o.should else not skills
            for q in sc.get("later_queries", []):
                hits = sdk.search(q, user_id=user, limit=3, scope="all")
                rank = next((i + 1 for i, h in enumerate(hits) if h.skill.id in ids), None)
                o.ranks.append(rank)
            out.append(o)
        sdk.close()
    return out


def _matches(skill: Any, expect: dict[str, list[str]]) -> bool:
    name = skill.name.lower()
    text = f"{skill.name}\n{skill.description}\n{skill.instructions}".lower()
    names = [n.lower() for n in expect.get("name_any", [])]
    return (not names or any(n in name for n in names)) and all(t.lower() in text for t in expect.get("text_all", []))


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    def prf(pred: list[bool], gold: list[bool]) -> dict[str, float]:
        tp = sum(p and g for p, g in zip(pred, gold))
        fp = sum(p and not g for p, g in zip(pred, gold))
        fn = sum(g and not p for p, g in zip(pred, gold))
        return {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
                "tp": tp, "fp": fp, "fn": fn}

    gold = [o.should for o in outcomes]
    gate = prf([o.gate for o in outcomes], gold)
    extracted = prf([bool(o.skills) for o in outcomes], gold)
    good = sum(o.good for o in outcomes if o.should)
    ranks = [r for o in outcomes if o.should for r in o.ranks]
    return {
        "scenarios": len(outcomes), "should_extract": sum(gold),
        "gate": gate, "extraction": extracted,
        "expected_skill_rate": good / max(1, sum(gold)),
        "one_off_clean_rate": sum(o.good for o in outcomes if not o.should) / max(1, len(outcomes) - sum(gold)),
        "later_queries": len(ranks),
        "retrieved_at_3": sum(r is not None for r in ranks) / max(1, len(ranks)),
        "mrr_at_3": sum(1 / r for r in ranks if r) / max(1, len(ranks)),
        "llm_calls_per_session": sum(o.calls for o in outcomes) / max(1, len(outcomes)),
    }


def markdown(summary: dict[str, Any], extractor: str) -> str:
    g, e = summary["gate"], summary["extraction"]
    rows = [
        ("gate precision / recall", f"{g['precision']:.2f} / {g['recall']:.2f}", f"tp {g['tp']}, fp {g['fp']}, fn {g['fn']}"),
        ("extraction precision / recall (any skill)", f"{e['precision']:.2f} / {e['recall']:.2f}",
         f"tp {e['tp']}, fp {e['fp']}, fn {e['fn']}"),
        ("expected skill extracted (positives)", f"{summary['expected_skill_rate']:.2f}", "name and content as labelled"),
        ("no skill from one-off sessions (negatives)", f"{summary['one_off_clean_rate']:.2f}", ""),
        ("later query finds the skill in top 3", f"{summary['retrieved_at_3']:.2f}",
         f"{summary['later_queries']} queries, MRR@3 {summary['mrr_at_3']:.2f}"),
        ("LLM calls per session", f"{summary['llm_calls_per_session']:.2f}", "target <= 1.2"),
    ]
    lines = [f"Learning eval: {summary['scenarios']} scenarios ({summary['should_extract']} should extract), "
             f"extractor: {extractor}", "", "| measure | value | detail |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def evaluate_file(path: Path, *, embeddings: str = "auto", llm: str = "none") -> dict[str, Any]:
    """Learn every scenario of `path`; {summary, outcomes, extractor, markdown}."""
    scenarios = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    outcomes = run(scenarios, embeddings=embeddings, llm={"provider": llm})
    summary = summarize(outcomes)
    extractor = "offline rules" if llm == "none" else f"llm ({llm})"
    return {"scenarios": str(path), "extractor": extractor, "summary": summary,
            "outcomes": [o.__dict__ for o in outcomes], "markdown": markdown(summary, extractor)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", type=Path, default=ROOT / "eval" / "scenarios" / "learning.jsonl")
    parser.add_argument("--embeddings", default="auto", choices=["auto", "minilm", "hashing"])
    parser.add_argument("--llm", default="none", help="'none' (offline rules) or 'auto' (the configured provider)")
    parser.add_argument("--json", type=Path, help="also write the summary and per-scenario outcomes here")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per scenario")
    args = parser.parse_args()
    started = time.perf_counter()
    report = evaluate_file(args.scenarios, embeddings=args.embeddings, llm=args.llm)
    if args.verbose:
        for o in report["outcomes"]:
            mark = "ok " if o["good"] else "BAD"
            print(f"{mark} {o['id']:<28} should={o['should']!s:<5} gate={o['gate']!s:<5} skills={o['skills']} "
                  f"ranks={o['ranks']}")
        print()
    print(report["markdown"])
    print(f"\n({time.perf_counter() - started:.1f} s)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({k: report[k] for k in ("summary", "outcomes")}, indent=2, ensure_ascii=False))

if __name__ == "__main__":
    main()
