"""Names: slugify always yields a spec-valid name; is_valid_name agrees with skills-ref."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skills_ref.validator import _validate_name

from autoskill_mcp.skillmd import is_valid_name, slugify
from autoskill_mcp.skillmd.names import is_ascii_name, name_problems


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Hello World!", "hello-world"),
        ("  --a__b--  ", "a-b"),
        ("PDF_Tools v2", "pdf-tools-v2"),
        ("ｐｄｆ Tools", "pdf-tools"),
        ("技能 测试", "技能-测试"),
        ("données", "données"),
        ("", "skill"),
        ("!!!", "skill"),
    ],
)
def test_slugify_examples(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_truncates_without_trailing_hyphen() -> None:
    slug = slugify("a" * 63 + " b")
    assert slug == "a" * 63
    assert len(slugify("x" * 200)) == 64
    assert slugify("abc def", max_len=4) == "abc"


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(1, 80))
def test_slugify_is_always_valid_and_bounded(text: str, max_len: int) -> None:
    slug = slugify(text, max_len)
    assert is_valid_name(slug)
    assert _validate_name(slug, None) == []
    assert 1 <= len(slug) <= min(max_len, 64) or slug == "skill"


@pytest.mark.parametrize(
    ("name", "valid"),
    [("pdf-tools", True), ("技能", True), ("мой-навык", True), ("НАВЫК", False), ("Bad-Case", False),
     ("-a", False), ("a--b", False), ("my skill", False), ("under_score", False), ("a" * 65, False), ("", False)],
)
def test_is_valid_name_examples(name: str, valid: bool) -> None:
    assert is_valid_name(name) is valid


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=70), st.from_regex(r"[a-zA-Z0-9_ -]{0,70}", fullmatch=True)))
def test_is_valid_name_agrees_with_skills_ref(name: str) -> None:
    assert is_valid_name(name) == (_validate_name(name, None) == [])


def test_problem_kinds_follow_skills_ref_order() -> None:
    assert [p.kind for p in name_problems("-Double--Hyphen-")] == ["case", "hyphen-edge", "hyphen-double"]
    assert [p.kind for p in name_problems("   ")] == ["empty"]


def test_ascii_name_check() -> None:
    assert is_ascii_name("pdf-2")
    assert not is_ascii_name("données")
