"""Names given as input: what the store refuses outright, and the canonical form it keeps otherwise."""

from __future__ import annotations

import pytest

from autoskill_mcp.skillmd.names import canonical_name, name_input_problem, unsafe_name_problem

PLAIN = "git-commit-messages"


def test_canonical_names_are_nfkc_and_valid() -> None:
    assert canonical_name("ｇｉｔ-commit-messages") == PLAIN
    assert canonical_name("Commit Style") == "commit-style"
    assert canonical_name("  pdf-tools ") == "pdf-tools"


@pytest.mark.parametrize(("name", "says"), [
    ("evil\u202egnp.exe", "U+202E"),
    ("git\u200bcommit", "U+200B"),
    ("a\x00b", "U+0000"),
    ("line\nbreak", "U+000A"),
    ("../../x", "path"),
    ("a\\b", "path"),
    ("x" * 10_000, "10000 characters"),
    ("x" * 65, "65 characters"),
    ("..", "path"),
    ("!!!", "no letters or digits"),
])
def test_unusable_name_input_is_named(name: str, says: str) -> None:
    problem = name_input_problem(name)
    assert problem is not None and says in problem


@pytest.mark.parametrize("name", ["git-commit-messages", "Commit Style", "données", "技能 测试", "x" * 64,
                                  "ｐｄｆ Tools", "skill"])
def test_usable_name_input_passes(name: str) -> None:
    assert name_input_problem(name) is None


def test_long_titles_found_on_disk_are_shown_but_absurd_ones_are_not() -> None:
    assert unsafe_name_problem("x" * 65) is None and name_input_problem("x" * 65) is not None
    assert unsafe_name_problem("x" * 10_000) is not None
