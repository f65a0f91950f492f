"""Completion contexts from raw lines: they must hold while the YAML is half typed."""

from __future__ import annotations

import pytest

from autoskill_mcp.skillmd.cursor import context_at


def test_key_prefix_on_a_top_level_line() -> None:
    ctx = context_at("---\nname: x\nde\n---\n", 2, 2)
    assert (ctx.kind, ctx.start, ctx.end, ctx.prefix) == ("key", 0, 2, "de")
    assert ctx.present == frozenset({"name"})


def test_value_after_the_colon_skips_quotes() -> None:
    ctx = context_at('---\nlicense: "Ap"\n---\n', 1, 12)
    # inside the quotes
    assert (ctx.kind, ctx.key, ctx.start, ctx.end, ctx.prefix) == ("value", "license", 10, 12, "Ap")


@pytest.mark.parametrize("text", [
    "---\nname: \"unclosed\ndescription: [oops\nlic",  # no closing ---, broken scalars
    "---\n\tname: x\nlic",  # a tab YAML rejects
    "---\nname: x\nmetadata: {a: \nlic",
])
def test_half_typed_frontmatter_still_has_a_key_context(text: str) -> None:
    lines = text.split("\n")
    ctx = context_at(text, len(lines) - 1, 3)
    assert (ctx.kind, ctx.prefix) == ("key", "lic")


def test_allowed_tools_completes_only_the_last_word() -> None:
    ctx = context_at("---\nallowed-tools: Read, Gr\n---\n", 1, 23)
    assert (ctx.kind, ctx.key, ctx.start, ctx.end, ctx.prefix) == ("value", "allowed-tools", 21, 23, "Gr")


def test_list_items_and_metadata_children() -> None:
    text = "---\nallowed-tools:\n  - Re\nmetadata:\n  author: me\n  ve\n---\n"
    item = context_at(text, 2, 6)
    assert (item.kind, item.key, item.start, item.prefix) == ("list-item", "allowed-tools", 4, "Re")
    meta = context_at(text, 5, 4)
    assert (meta.kind, meta.start, meta.prefix, meta.present) == ("metadata-key", 2, "ve", frozenset({"author"}))


def test_links_in_the_body_but_not_in_code() -> None:
    text = "---\nname: x\n---\nSee [a](references/gu) and\n```\n[b](scr\n```\n"
    link = context_at(text, 3, 21)  # just before the closing parenthesis
    assert (link.kind, link.start, link.end, link.prefix) == ("link", 8, 21, "references/gu")
    assert context_at(text, 3, 22).kind == "none"  # after it
    assert context_at(text, 5, 7).kind == "none"


def test_nothing_on_the_delimiters_or_in_prose() -> None:
    text = "---\nname: x\n---\nplain words\n"
    assert context_at(text, 0, 2).kind == "none"
    assert context_at(text, 3, 4).kind == "none"
    assert context_at(text, 99, 0).kind == "none"


def test_a_key_line_with_a_colon_says_so() -> None:
    assert context_at("---\ndesc: x\n---\n", 1, 2).has_colon
    assert not context_at("---\ndesc\n---\n", 1, 2).has_colon
