"""Learning quality on labelled scenarios, for the current learner and the previous rules in one run.

Scenario files are JSONL in the format of `eval/scenarios/README.md`: one conversation
(`messages`) or several of one user (`sessions`), or a fixture transcript (`transcript`,
relative to tests/fixtures/transcripts), labelled `should_extract` with what a good skill
contains and `later_queries` that should find it again.

    python -m eval.learning                                   # dev set, offline rules, against the previous rules
    python -m eval.learning --set holdout -v                  # the held-out set, one line per scenario
    python -m eval.learning --scenarios my.jsonl --json out.json

Each scenario is learned for its own user in one store that also holds the 14 bundled example
skills as distractors; retrieval is top-3 over everything that user can see.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from autoskill_mcp import AutoSkill, AutoSkillConfig  # noqa: E402
from autoskill_mcp.learning.maintenance import WROTE  # noqa: E402
from autoskill_mcp.learning.session import Session  # noqa: E402
from autoskill_mcp.learning.transcripts import read_transcript, session_from_messages  # noqa: E402

SCENARIOS = ROOT / "eval" / "scenarios"
FIXTURES = ROOT / "tests" / "fixtures" / "transcripts"
#: named sets: `--set dev` etc.
SETS = {"dev": SCENARIOS / "dev", "holdout": SCENARIOS / "holdout", "seen": SCENARIOS / "learning.jsonl"}
POSITIVE_PATTERNS = ("requirements", "correction", "directive", "procedure", "recurrence")


@dataclass
class Outcome:
    id: str
    lang: str
    domain: str
    pattern: str
    should: bool
    gate: bool = False              # extraction ran on the (last) session
    reach_llm: bool = False         # with an LLM configured, the (last) session would get a call
    skills: list[str] = field(default_factory=list)
    good: bool = False
    junk: list[str] = field(default_factory=list)
    ranks: list[int | None] = field(default_factory=list)
    first: str = ""                 # recurrence: what the first session alone gave (skill | pending | none)
    calls: int = 0
    texts: list[str] = field(default_factory=list)


Learner = Any  # anything with .learn(session, user_id=...) -> LearnResult


def load(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Every scenario in these files or folders (folders: their *.jsonl, sorted)."""
    out: list[dict[str, Any]] = []
    for path in paths:
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        for f in files:
            for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
                if line.strip():
                    sc = json.loads(line)
                    sc.setdefault("pattern", "directive" if sc.get("should_extract") else "one-off")
                    sc.setdefault("domain", "?")
                    sc["_file"] = f"{f.name}:{n}"
                    out.append(sc)
    return out


def sessions_of(sc: dict[str, Any]) -> list[Session]:
    if "transcript" in sc:
        return read_transcript(FIXTURES / sc["transcript"])[:1]
    convs = sc["sessions"] if "sessions" in sc else [sc["messages"]]
    return [
        session_from_messages(m, agent="openai-chat", session_id=f"{sc['id']}#{i + 1}") for i, m in enumerate(convs)
    ]


def run(scenarios: list[dict[str, Any]], make_learner: Callable[[Any], Learner], *,
        embeddings: str = "auto") -> list[Outcome]:
    """Learn every scenario with the learner `make_learner(store)` builds; one Outcome each."""
    out: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="autoskill-eval-") as home:
        sdk = AutoSkill(AutoSkillConfig(store={"provider": "local", "path": home}, embeddings={"provider": embeddings},
                                        llm={"provider": "none"}, default_user="eval"))
        sdk.import_skills(ROOT / "autoskill_mcp" / "examples" / "skills", scope="shared")
        learner = make_learner(sdk.store)
        for sc in scenarios:
            user = f"eval-{sc['id']}"  # one user per scenario: a skill is judged alone
            o = Outcome(sc["id"], sc.get("lang", "en"), sc["domain"], sc["pattern"], bool(sc["should_extract"]))
            ids: list[str] = []
            sessions = sessions_of(sc)
            for i, session in enumerate(sessions):
                result = learner.learn(session, user_id=user)
                o.calls += result.llm_calls
                made = [d.skill_id for d in result.decisions if d.action in WROTE and d.skill_id]
                ids += [x for x in made if x not in ids]
                if i == 0 and len(sessions) > 1:
                    o.first = "skill" if made else ("pending" if getattr(result, "pending", None) else "none")
                if i == len(sessions) - 1:
                    o.gate = bool(result.gate and result.gate.passed)
                    o.reach_llm = bool(result.gate and getattr(result.gate, "verdict", "reject") != "reject")
            skills = [s for s in (sdk.store.get(i) for i in ids) if s is not None]
            o.skills = [s.name for s in skills]
            o.texts = [f"{s.name}\n{s.description}\n{s.instructions}" for s in skills]
            o.junk = [f"{s.name}: {why}" for s in skills for why in junk_reasons(s.name, s.instructions)]
            expect = sc.get("expect") or {}
            o.good = any(matches(s, expect) for s in skills) if o.should else not skills
            for q in sc.get("later_queries", []) if o.should else []:
                hits = sdk.search(q, user_id=user, limit=3, scope="all")
                o.ranks.append(next((i + 1 for i, h in enumerate(hits) if h.skill.id in ids), None))
            out.append(o)
        sdk.close()
    return out


def matches(skill: Any, expect: dict[str, Any]) -> bool:
    name = skill.name.lower()
    text = f"{skill.name}\n{skill.description}\n{skill.instructions}".lower()
    flat = _flat(text)
    names = [n.lower() for n in expect.get("name_any", [])]
    return ((not names or any(n in name or n.replace(" ", "-") in name for n in names))
            and all(t.lower() in text or _flat(t.lower()) in flat for t in expect.get("text_all", []))
            and not any(t.lower() in text for t in expect.get("text_none", [])))


def _flat(text: str) -> str:
    # "4,000" and "4000", "dry-run" and "dry run" are the same constraint
    return re.sub(r"(?<=\d)[,\s](?=\d{3}\b)|[-_]", lambda m: "" if m.group(0) in ", " else " ", text)


# -- what a person would not keep: checked independently of the product's own filters ------------------

_BULLET = re.compile(r"^\s*(?:[-*]|\d+[.)])\s+(.*)$")
_JUNK_LINE = [
    ("a question", re.compile(r"[?？]\s*$")),
    ("a file:line reference or lint line", re.compile(r"\b[\w./-]+\.\w{1,5}:\d+(:\d+)?\b|\b[A-Z]{1,3}\d{3,4}\b")),
    ("a stack trace", re.compile(r"Traceback|^\s*File \"|\bat [\w.$]+\(|Error:|Exception\b")),
    ("a log line", re.compile(r"^\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\b(DEBUG|INFO|WARN(ING)?|ERROR)\b[:\]]")),
    ("a shell prompt or output", re.compile(r"^\s*(\$|>>>|#)\s")),
    ("a complaint or bug report", re.compile(
        r"\b(still (fails?|broken|shows|doesn'?t|not)|doesn'?t work|not working|same (problem|error|issue)|"
        r"it (fails|crashes|broke))\b|ne marche|toujours pas|échec|还是不|还是没|没反应", re.I)),
]


def junk_reasons(name: str, instructions: str) -> list[str]:
    """Why a learned skill holds something a person would not keep (empty: nothing found)."""
    out = []
    if re.search(r"(^|-)(conventions|preferences|约定)$", name) and len(name.split("-")) <= 3:
        out.append(f"generic name {name!r}")
    for line in instructions.splitlines():
        m = _BULLET.match(line)
        if not m:
            continue
        for why, pattern in _JUNK_LINE:
            if pattern.search(m.group(1)):
                out.append(f"constraint is {why}: {m.group(1)[:80]!r}")
                break
    return out


# -- figures ------------------------------------------------------------------------------------------


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    def prf(pred: list[bool], gold: list[bool]) -> dict[str, float]:
        tp = sum(p and g for p, g in zip(pred, gold, strict=True))
        fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
        fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
        return {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
                "tp": tp, "fp": fp, "fn": fn}

    pos = [o for o in outcomes if o.should]
    neg = [o for o in outcomes if not o.should]
    gold = [o.should for o in outcomes]
    ranks = [r for o in pos for r in o.ranks]
    recur = [o for o in outcomes if o.first]
    return {
        "scenarios": len(outcomes), "should_extract": len(pos),
        "gate": prf([o.gate for o in outcomes], gold),
        "extraction": prf([bool(o.skills) for o in outcomes], gold),
        "expected_skill_rate": _rate(o.good for o in pos),
        "one_off_clean_rate": _rate(o.good for o in neg),
        "llm_reach_positive": _rate(o.reach_llm for o in pos),
        "llm_reach_requirements": _rate(o.reach_llm for o in pos if o.pattern == "requirements"),
        "llm_spared_negative": _rate(not o.reach_llm for o in neg),
        "junk_skills": sum(1 for o in outcomes for s in o.skills if any(j.startswith(f"{s}:") for j in o.junk)),
        "skills": sum(len(o.skills) for o in outcomes),
        "premature_first": sum(o.first == "skill" for o in recur), "recurrence": len(recur),
        "later_queries": len(ranks),
        "retrieved_at_3": _rate(r is not None for r in ranks),
        "mrr_at_3": sum(1 / r for r in ranks if r) / max(1, len(ranks)),
        "llm_calls_per_session": sum(o.calls for o in outcomes) / max(1, len(outcomes)),
        "by_pattern": {p: _rate(o.good for o in outcomes if o.pattern == p)
                       for p in dict.fromkeys(o.pattern for o in outcomes)},
        "by_pattern_n": {p: sum(o.pattern == p for o in outcomes) for p in dict.fromkeys(o.pattern for o in outcomes)},
        "by_lang": {lang: _rate(o.good for o in outcomes if o.lang == lang)
                    for lang in dict.fromkeys(o.lang for o in outcomes)},
        "by_lang_n": {lang: sum(o.lang == lang for o in outcomes) for lang in dict.fromkeys(o.lang for o in outcomes)},
    }


def _rate(flags: Iterable[bool]) -> float:
    items = list(flags)
    return sum(items) / len(items) if items else float("nan")


def markdown(title: str, new: dict[str, Any], old: dict[str, Any], names: tuple[str, str]) -> str:
    def pr(s: dict[str, Any], key: str) -> str:
        return f"{s[key]['precision']:.2f} / {s[key]['recall']:.2f}"

    def f(x: float) -> str:
        return "–" if x != x else f"{x:.2f}"

    rows = [
        ("gate precision / recall", pr(new, "gate"), pr(old, "gate"), "extraction ran on the session"),
        ("extraction precision / recall (any skill)", pr(new, "extraction"), pr(old, "extraction"), ""),
        ("expected skill learned (positives)", f(new["expected_skill_rate"]), f(old["expected_skill_rate"]),
         "name and content as labelled"),
        ("one-off sessions left alone (negatives)", f(new["one_off_clean_rate"]), f(old["one_off_clean_rate"]), ""),
        ("skills a person would not keep", f"{new['junk_skills']} of {new['skills']}",
         f"{old['junk_skills']} of {old['skills']}", "tool output, questions, complaints, generic names"),
        ("with an LLM: positives that reach it", f(new["llm_reach_positive"]), f(old["llm_reach_positive"]),
         "not dropped by the offline gate first"),
        ("with an LLM: requirement-building sessions that reach it", f(new["llm_reach_requirements"]),
         f(old["llm_reach_requirements"]), "target >= 0.90"),
        ("with an LLM: negatives dropped without a call", f(new["llm_spared_negative"]),
         f(old["llm_spared_negative"]), ""),
        ("recurrence: a skill after the first session already", f"{new['premature_first']} of {new['recurrence']}",
         f"{old['premature_first']} of {old['recurrence']}", "should be 0: kept aside until it recurs"),
        ("later request finds the skill in the top 3", f(new["retrieved_at_3"]), f(old["retrieved_at_3"]),
         f"{new['later_queries']} requests; MRR@3 {new['mrr_at_3']:.2f} vs {old['mrr_at_3']:.2f}"),
    ]
    lines = [f"### {title}: {new['scenarios']} scenarios ({new['should_extract']} should extract)", "",
             f"| measure | {names[0]} | {names[1]} | detail |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines += ["", f"| pattern (n) | {names[0]} | {names[1]} |", "|---|---|---|"]
    lines += [f"| {p} ({new['by_pattern_n'][p]}) | {f(v)} | {f(old['by_pattern'][p])} |"
              for p, v in new["by_pattern"].items()]
    lines += ["", f"| language (n) | {names[0]} | {names[1]} |", "|---|---|---|"]
    lines += [f"| {lang} ({new['by_lang_n'][lang]}) | {f(v)} | {f(old['by_lang'][lang])} |"
              for lang, v in new["by_lang"].items()]
    return "\n".join(lines)


def evaluate(paths: list[Path], *, title: str, embeddings: str = "auto", llm: str = "none") -> dict[str, Any]:
    """Both learners on the scenarios of `paths`: {summary, previous, outcomes, markdown}."""
    from autoskill_mcp.learning.pipeline import build_learner

    from .previous.learner import NAME, PreviousLearner

    scenarios = load(paths)
    current = run(scenarios, lambda store: build_learner(store, {"provider": llm}), embeddings=embeddings)
    previous = run(scenarios, PreviousLearner, embeddings=embeddings)
    new, old = summarize(current), summarize(previous)
    label = "offline rules" if llm == "none" else f"llm ({llm})"
    return {"title": title, "files": [str(p) for p in paths], "extractor": label, "summary": new, "previous": old,
            "outcomes": [asdict(o) for o in current], "previous_outcomes": [asdict(o) for o in previous],
            "markdown": markdown(title, new, old, (f"now ({label})", NAME))}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=sorted(SETS), default="dev")
    parser.add_argument("--scenarios", type=Path, nargs="*", help="scenario files or folders instead of --set")
    parser.add_argument("--embeddings", default="auto", choices=["auto", "minilm", "hashing"])
    parser.add_argument("--llm", default="none", help="'none' (offline rules) or 'auto' (the configured provider)")
    parser.add_argument("--json", type=Path, help="also write the summaries and per-scenario outcomes here")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per scenario (BAD first)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = args.scenarios or [SETS[args.set]]
    report = evaluate(paths, title=args.set if not args.scenarios else "scenarios", embeddings=args.embeddings,
                      llm=args.llm)
    if args.verbose:
        prev = {o["id"]: o for o in report["previous_outcomes"]}
        for o in sorted(report["outcomes"], key=lambda o: o["good"]):
            mark = "ok " if o["good"] else "BAD"
            was = "ok" if prev[o["id"]]["good"] else "bad"
            print(f"{mark} (was {was}) {o['id']:<44} {o['pattern']:<12} should={o['should']!s:<5} "
                  f"gate={o['gate']!s:<5} llm={o['reach_llm']!s:<5} skills={o['skills']} ranks={o['ranks']}"
                  + (f" first={o['first']}" if o["first"] else "") + (f" junk={o['junk']}" if o["junk"] else ""))
        print()
    print(report["markdown"])
    print(f"\n({time.perf_counter() - started:.1f} s)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
