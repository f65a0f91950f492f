"""The outline: frontmatter keys with nested metadata, and the heading tree without fenced code."""

from __future__ import annotations

from autoskill_mcp.skillmd import parse
from autoskill_mcp.skillmd.outline import outline

TEXT = "---\nname: x\nmetadata:\n  a: b\n---\n# One\ntext\n## Two\n```\n# code\n```\n### Three\n# Four\n"


def test_keys_and_heading_tree() -> None:
    fm, one, four = outline(parse(TEXT))
    assert [c.name for c in fm.children] == ["name", "metadata"]
    assert [c.name for c in fm.children[1].children] == ["a"]
    assert (fm.range.start.line, fm.range.end.line) == (0, 4)
    assert [c.name for c in one.children] == ["Two"]
    assert [c.name for c in one.children[0].children] == ["Three"]
    assert (one.range.start.line, one.range.end.line) == (5, 11)
    assert four.name == "Four" and four.children == []


def test_no_frontmatter_gives_headings_only() -> None:
    symbols = outline(parse("# Title\n\n## Sub\n"))
    assert [s.name for s in symbols] == ["Title"]
    assert symbols[0].selection_range.start.character == 2


def test_unparseable_yaml_keeps_the_frontmatter_node() -> None:
    symbols = outline(parse("---\nname: [x\n---\n# H\n"))
    assert symbols[0].name == "frontmatter" and symbols[0].children == []
    assert symbols[1].name == "H"
