"""parse(): exact LSP positions, raw scalar text, and no crash on any input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoskill_mcp.skillmd import Position, Range, parse
from autoskill_mcp.skillmd.parser import MAX_FRONTMATTER_CHARS

SAMPLE = (
    "---\n"
    "name: pdf-tools\n"
    "description: 'Extracts text'\n"
    "version: 1.10\n"
    "metadata:\n"
    "  author: me\n"
    "  count: 3\n"
    "---\n"
    "# Body\n"
)


def test_key_and_value_positions_are_exact() -> None:
    p = parse(SAMPLE)
    name = p.fields["name"]
    assert name.key_range == Range.of(1, 0, 1, 4)
    assert name.value_range == Range.of(1, 6, 1, 15)
    desc = p.fields["description"]
    assert desc.value_range == Range.of(2, 13, 2, 28)  # quotes included
    assert desc.value == "Extracts text" and desc.source == "'Extracts text'" and desc.style == "'"


def test_nested_metadata_keys_have_positions() -> None:
    p = parse(SAMPLE)
    meta = p.fields["metadata"]
    assert meta.kind == "mapping"
    assert meta.children["author"].key_range == Range.of(5, 2, 5, 8)
    assert meta.children["count"].value_range == Range.of(6, 9, 6, 10)
    assert meta.children["count"].path == ("metadata",)
    assert meta.value_range.end == Position(6, 10)  # tight: not the start of the next line


def test_implicit_typing_keeps_raw_scalar_text() -> None:
    p = parse(SAMPLE)
    version = p.fields["version"]
    assert version.value == 1.1
    assert version.scalar_text == "1.10"
    assert version.implicitly_typed
    assert not p.fields["name"].implicitly_typed


def test_body_and_frontmatter_span() -> None:
    p = parse(SAMPLE)
    assert p.has_frontmatter and p.frontmatter_closed
    assert p.frontmatter_lines == (1, 7)
    assert p.body == "# Body\n" and p.body_start_line == 8
    assert p.frontmatter_text is not None and p.frontmatter_text.startswith("name: pdf-tools\n")


def test_crlf_positions_match_lsp_lines() -> None:
    p = parse(SAMPLE.replace("\n", "\r\n"))
    assert p.data["name"] == "pdf-tools"
    assert p.fields["version"].value_range == Range.of(3, 9, 3, 13)
    assert p.body == "# Body\r\n"


def test_bom_is_tolerated_and_counted_as_a_character() -> None:
    p = parse("\ufeff" + SAMPLE)
    assert p.bom and p.frontmatter_closed
    assert p.data["name"] == "pdf-tools"
    assert p.fields["name"].key_range == Range.of(1, 0, 1, 4)


def test_bytes_with_bom_and_invalid_utf8_are_decoded_and_reported() -> None:
    p = parse(b"\xef\xbb\xbf" + SAMPLE.encode())
    assert p.bom and p.data["name"] == "pdf-tools"
    bad = parse(b"---\nname: \xff\xfe\ndescription: x\n---\n")
    assert bad.encoding_error and "byte 10" in bad.encoding_error
    assert bad.data["description"] == "x"


def test_dashes_inside_a_value_do_not_close_the_frontmatter() -> None:
    p = parse("---\nname: a\ndescription: Use a --- separator\n---\nbody\n")
    assert p.data["description"] == "Use a --- separator"
    assert p.close_line == 3


def test_delimiter_lines_tolerate_trailing_blanks_but_not_more_dashes() -> None:
    assert parse("---  \nname: a\n--- \t\nbody").data == {"name": "a"}
    p = parse("----\nname: a\n----\n")
    assert not p.has_frontmatter
    p = parse("---\nname: a\n----\nmore: x\n")
    assert p.has_frontmatter and not p.frontmatter_closed


def test_no_frontmatter_and_unclosed_frontmatter() -> None:
    p = parse("# Title\n\ntext\n")
    assert not p.has_frontmatter and p.body == "# Title\n\ntext\n" and p.data is None
    q = parse("---\nname: a\n")
    assert q.has_frontmatter and not q.frontmatter_closed and q.body == ""


def test_duplicate_keys_keep_both_ranges_and_last_value() -> None:
    p = parse("---\nname: a\nname: b\nmetadata:\n  k: 1\n  k: 2\n---\n")
    assert p.data["name"] == "b"
    top = [d for d in p.duplicates if d.path == ()][0]
    assert top.first == Range.of(1, 0, 1, 4) and top.second == Range.of(2, 0, 2, 4)
    nested = [d for d in p.duplicates if d.path == ("metadata",)][0]
    assert nested.key == "k" and nested.second.start == Position(5, 2)


def test_yaml_error_has_message_and_range() -> None:
    p = parse("---\nname: a\ndescription: Use when: asked\n---\n")
    assert p.data is None and len(p.yaml_errors) == 1
    err = p.yaml_errors[0]
    assert "mapping values are not allowed" in err.problem
    assert err.range.start == Position(2, 21)


def test_yaml_features_that_strictyaml_rejects_are_found() -> None:
    p = parse("---\nname: &n a\ndescription: *n\ntags: !!str x\nmetadata: {a: b}\nl: [1, [2]]\n---\n")
    kinds = sorted(f.kind for f in p.yaml_features)
    assert kinds == ["alias", "anchor", "flow", "flow", "tag"]
    flow = [f for f in p.yaml_features if f.kind == "flow"][0]
    assert flow.range == Range.of(4, 10, 4, 16)


def test_nul_bytes_and_control_characters_become_yaml_errors() -> None:
    p = parse("---\nname: a\x00b\n---\nbody \x00 ok\n")
    assert p.yaml_errors and p.yaml_errors[0].range.start == Position(1, 7)
    assert p.body == "body \x00 ok\n"


def test_non_mapping_and_empty_frontmatter() -> None:
    assert parse("---\n- a\n- b\n---\n").data == ["a", "b"]
    assert parse("---\n---\n").data is None
    assert parse("---\njust text\n---\n").data == "just text"


def test_keys_are_strings_even_when_yaml_would_type_them() -> None:
    p = parse("---\n1: a\nyes: b\n---\n")
    assert p.data == {"1": "a", "yes": "b"}


def test_bad_values_do_not_hide_other_keys() -> None:
    p = parse("---\nname: a\nwhen: 2024-13-45\n---\n")
    assert p.data["name"] == "a"
    assert p.fields["when"].value == "2024-13-45" and p.fields["when"].construct_error


def test_field_at_finds_the_innermost_field() -> None:
    p = parse(SAMPLE)
    assert p.field_at(Position(1, 8)).key == "name"
    assert p.field_at(Position(6, 4)).key == "count"
    assert p.field_at(Position(8, 1)) is None


def test_ten_megabyte_file_parses() -> None:
    big = "---\nname: a\ndescription: b\n---\n" + ("line of body text\n" * 600_000)
    assert len(big) > 10_000_000
    p = parse(big)
    assert p.data == {"name": "a", "description": "b"}
    assert p.body.count("line of body text") == 600_000


def test_huge_frontmatter_is_reported_not_parsed() -> None:
    text = "---\n" + "k: v\n" * (MAX_FRONTMATTER_CHARS // 4) + "---\n"
    p = parse(text)
    assert p.yaml_errors and "too large" in p.yaml_errors[0].problem
    unclosed = parse("---\n" + "x" * 10_000_000)
    assert unclosed.has_frontmatter and not unclosed.frontmatter_closed


def test_deep_nesting_does_not_crash() -> None:
    p = parse("---\nk: " + "[" * 5000 + "]" * 5000 + "\n---\n")
    assert p.yaml_errors or isinstance(p.data, dict)


_FRONTMATTERISH = st.lists(
    st.one_of(
        st.sampled_from(["---", "name: a", "description: b: c", "  - x", "metadata:", "  k: v", "{", "&a", "*a", "\t",
                         "\ufeff", "\x00", "\r\n", "\n"]),
        st.text(max_size=10),
    ),
    max_size=20,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), _FRONTMATTERISH, st.just("---\n").flatmap(lambda s: _FRONTMATTERISH.map(lambda t: s + t))))
def test_parse_never_raises_on_text(text: str) -> None:
    p = parse(text)
    assert p.text == text
    for node in p.fields.values():
        assert node.key_range.start <= node.value_range.end or node.value_range.start == node.value_range.end
        assert 0 <= node.key_range.start.line < p.index.line_count


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300).map(lambda b: b"---\n" + b))
def test_parse_never_raises_on_bytes(data: bytes) -> None:
    parse(data)


def test_alias_bombs_are_reported_not_expanded() -> None:
    lines = ["---", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    lines.append("metadata:\n  nested: *a8\n---\n")
    p = parse("\n".join(lines))
    assert p.yaml_errors and "aliases" in p.yaml_errors[0].message
