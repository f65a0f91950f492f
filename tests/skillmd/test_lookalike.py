"""Look-alike skeletons: names a reader cannot tell apart share one skeleton; different names do not."""

from __future__ import annotations

import pytest

from autoskill_mcp.skillmd.lookalike import skeleton
from autoskill_mcp.skillmd.names import canonical_name, name_input_problem

PLAIN = "git-commit-messages"


@pytest.mark.parametrize("twin", [
    "ｇｉｔ-commit-messages",            # fullwidth
    "g\u0456t-commit-messages",          # Cyrillic і
    "git-c\u043emmit-m\u0435ss\u0430g\u0435s",  # Cyrillic о, е, а
    "git-\u03f2\u03bfmmit-messages",     # Greek lunate sigma, omicron
    "g\u0131t-commit-messages",          # Latin dotless i
    "GIT-COMMIT-MESSAGES",
])
def test_look_alikes_share_the_plain_skeleton(twin: str) -> None:
    assert twin != PLAIN
    assert skeleton(twin) == skeleton(PLAIN) == PLAIN


@pytest.mark.parametrize("other", ["git-commit-message", "git-comit-messages", "données", "技能", "навык"])
def test_different_names_keep_different_skeletons(other: str) -> None:
    assert skeleton(other) != skeleton(PLAIN)
    assert skeleton("données") != skeleton("donnees")


def test_canonical_names_are_nfkc_and_valid() -> None:
    assert canonical_name("ｇｉｔ-commit-messages") == PLAIN
    assert canonical_name("Commit Style") == "commit-style"
    assert canonical_name("  pdf-tools ") == "pdf-tools"


@pytest.mark.parametrize(("name", "says"), [
    ("evil\u202egnp.exe", "U+202E"),
    ("git\u200bcommit", "U+200B"),
    ("a\x00b", "U+0000"),
    ("line\nbreak", "U+000A"),
    ("../../x", "path separator"),
    ("a\\b", "path separator"),
    ("x" * 10_000, "10000 characters"),
    ("x" * 65, "65 characters"),
    ("..", "no letters or digits"),
    ("!!!", "no letters or digits"),
])
def test_unusable_name_input_is_named(name: str, says: str) -> None:
    problem = name_input_problem(name)
    assert problem is not None and says in problem


@pytest.mark.parametrize("name", ["git-commit-messages", "Commit Style", "données", "技能 测试", "x" * 64,
                                  "ｐｄｆ Tools", "skill"])
def test_usable_name_input_passes(name: str) -> None:
    assert name_input_problem(name) is None
