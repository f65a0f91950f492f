"""The labelled learning scenarios: well-formed, as broad as the dev set promises, and frozen."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from eval.labels import LOCKED_SETS, problems
from eval.learning import POSITIVE_PATTERNS, SETS, load

PATTERNS = {*POSITIVE_PATTERNS, "one-off", "near-miss"}
CODING = {"python", "web-frontend", "backend", "devops", "data-sql", "git-review", "testing", "docs", "mobile",
          "security"}
EVERYDAY = {"travel", "writing", "email", "research", "cooking", "finance", "study", "data-report", "scheduling",
            "health", "shopping"}
ROLES = {"user", "assistant", "tool", "system"}


def _conversations(sc: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return sc["sessions"] if "sessions" in sc else [sc["messages"]]


@pytest.mark.parametrize("name", LOCKED_SETS)
def test_labels_are_frozen(name: str) -> None:
    assert problems(SETS[name]) == [], "a labelled scenario changed: labels stay as written (eval/labels.py)"


@pytest.mark.parametrize("name", LOCKED_SETS)
def test_every_scenario_is_well_formed(name: str) -> None:
    scenarios = load([SETS[name]])
    assert len({sc["id"] for sc in scenarios}) == len(scenarios), "ids are unique"
    for sc in scenarios:
        where = f"{sc['_file']} ({sc['id']})"
        assert sc["pattern"] in PATTERNS, where
        assert sc["domain"] in CODING | EVERYDAY, where
        assert sc["lang"] in {"en", "zh", "fr", "es", "de", "ja", "pt"}, where
        assert isinstance(sc["should_extract"], bool) and sc.get("why"), where
        assert ("sessions" in sc) == (sc["pattern"] == "recurrence"), where
        if sc["should_extract"]:
            assert sc["pattern"] in POSITIVE_PATTERNS, where
            assert sc["expect"].get("name_any") or sc["expect"].get("text_all"), where
            assert len(sc["later_queries"]) >= 1, where
        else:
            assert sc["later_queries"] == [], where
        for messages in _conversations(sc):
            assert any(m["role"] == "user" for m in messages), where
            calls: set[str] = set()
            for m in messages:
                assert m["role"] in ROLES, where
                calls |= {c["id"] for c in m.get("tool_calls") or []}
                if m["role"] == "tool":
                    assert m["tool_call_id"] in calls, f"{where}: tool result without its call"


def test_the_dev_set_is_as_broad_as_promised() -> None:
    dev = load([SETS["dev"]])
    patterns = Counter(sc["pattern"] for sc in dev)
    langs = Counter(sc["lang"] for sc in dev)
    assert len(dev) >= 150
    assert sum(not sc["should_extract"] for sc in dev) >= 40
    assert len({sc["domain"] for sc in dev}) >= 6
    assert sum(sc["domain"] in CODING for sc in dev) * 2 >= len(dev), "at least half coding work"
    assert {"en", "zh", "fr"} <= set(langs) and min(langs[lang] for lang in ("en", "zh", "fr")) >= 10
    assert patterns["near-miss"] >= 15 and patterns["requirements"] >= 30
    assert {sc["lang"] for sc in dev if sc["pattern"] == "requirements"} >= {"en", "zh", "fr"}
