"""A realistic, deterministic skill corpus of any size, for the store benchmarks.

How it is made (seeded, so two runs build the same corpus): each skill takes one of
the 199 real tool descriptions of the MetaTool set (MIT, tests/fixtures/retrieval)
as the core of its description, a real user request that the set labels as served by
that tool as its "Use when" clause and trigger, a verb and a topic from the word lists below (everyday software
words, public domain) for its name, and six instruction lines built from the same
lists. Search is timed with MetaTool requests that no skill was built from.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from autoskill_mcp import Skill

RETRIEVAL = Path(os.environ.get("AUTOSKILL_RETRIEVAL_FIXTURES",
                                Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "retrieval"))
VERBS = ("build test deploy review debug format lint migrate document refactor profile package release monitor "
         "configure secure backup translate summarise validate").split()
TOPICS = ("python rust docker kubernetes postgres sql api http cli git commit branch changelog logging metrics "
          "tracing pytest fixture dockerfile terraform ansible react typescript css html markdown pdf csv json yaml "
          "toml schema migration index cache queue worker cron webhook oauth jwt secret env shell bash").split()
WORDS = ("always never prefer use avoid check run write read keep small clear fast safe explicit pinned versions "
         "tests errors retries timeouts names paths flags options defaults users teams reviews").split()
HELD_OUT = 200  # MetaTool requests kept out of the corpus, used as search queries


@lru_cache(maxsize=1)
def _metatool() -> tuple[list[tuple[str, list[str]]], list[str]]:
    """([(tool description, requests answered by that tool)], every request in order)."""
    data = json.loads((RETRIEVAL / "metatool.json").read_text(encoding="utf-8"))
    asked: dict[str, list[str]] = {}
    for q in data["queries"][HELD_OUT:]:
        for doc_id in q.get("rel", {}):
            asked.setdefault(doc_id, []).append(q["text"])
    docs = [(d["text"].split(": ", 1)[-1], asked.get(d["id"], [])) for d in data["docs"]]
    return [d for d in docs if d[1]], [q["text"] for q in data["queries"]]


def queries(n: int = HELD_OUT) -> list[str]:
    """Real user requests that no generated skill quotes."""
    return _metatool()[1][:min(n, HELD_OUT)]


def skills(n: int, *, seed: int = 0, user_id: str = "bench") -> Iterator[Skill]:
    """`n` skills, the same for the same seed."""
    docs, _ = _metatool()
    rng = random.Random(seed)
    for i in range(n):
        verb, topic = rng.choice(VERBS), rng.choice(TOPICS)
        description, asked = rng.choice(docs)
        request = rng.choice(asked).rstrip("?!. ")[:300]
        yield Skill(
            name=f"{verb}-{topic}-{i}",
            description=f"{description} Use when asked: {request}.",
            instructions="\n".join(f"{k + 1}. {rng.choice(WORDS).capitalize()} {rng.choice(TOPICS)} "
                                   f"{rng.choice(WORDS)} {rng.choice(WORDS)}." for k in range(6)),
            tags=[topic, verb],
            triggers=[request[:80]],
            user_id=user_id,
        )


def write_folders(root: Path, n: int, *, seed: int = 0) -> None:
    """The corpus as skill folders (one SKILL.md each) under `root`, as an import would find them."""
    from autoskill_mcp import skillmd

    for skill in skills(n, seed=seed):
        folder = root / skill.name
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(skillmd.render(skill), encoding="utf-8")
