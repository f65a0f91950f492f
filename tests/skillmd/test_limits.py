"""Hostile SKILL.md input found by fuzzing (issue 13): every case is a diagnostic, never an exception.

Work is bounded by construction (sizes, depths, counts), so these tests assert on behaviour only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from autoskill_mcp import skillmd
from autoskill_mcp.skillmd import yamlbounds
from autoskill_mcp.skillmd.fixall import fix_all

HEAD = "---\nname: s\ndescription: Does one thing well. Use when that thing is needed.\n"


def codes(diags: list[skillmd.Diagnostic]) -> list[str]:
    return sorted(d.rule_id for d in diags)


def test_a_link_target_longer_than_a_file_name_may_be_is_a_missing_file(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    long_name = "a" * 300  # NAME_MAX is 255: stat() fails with ENAMETOOLONG
    deep = "/".join(["b" * 200] * 30)  # PATH_MAX is 4096
    text = HEAD + f"---\n\nSee [one]({long_name}) and [two]({deep}.md) and `scripts/{long_name}`.\n"
    (folder / "SKILL.md").write_text(text, encoding="utf-8")
    for diags in (skillmd.validate(text, skill_dir=folder), skillmd.validate_dir(folder)):
        missing = [d for d in diags if d.rule_id == "SKL063"]
        assert len(missing) == 3, codes(diags)
        assert long_name in missing[0].message


def test_a_license_naming_an_overlong_file_is_a_missing_license_file(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    text = HEAD + "license: see " + "L" * 300 + ".txt\n---\n\nBody.\n"
    assert "SKL051" in codes(skillmd.validate(text, skill_dir=folder))


def bomb(levels: int = 9, item: str = "a{i}: ") -> str:
    """A "billion laughs": each level names the previous one nine times (9^levels values)."""
    lines = [item.format(i=0) + "&a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [item.format(i=i) + f"&a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


# Non-ASCII text takes PyYAML's pure-Python path, whose scanner and composer had no bound at all.
NESTED = {
    "flow sequences": "x: é\ny: " + "[" * 100_000 + "\n",
    "flow mappings": "x: é\ny: " + "{a: " * 5_000 + "}" * 5_000 + "\n",
    "block sequences": "x: é\ny:\n" + "- " * 20_000 + "1\n",
    "block mappings": "x: é\n" + "".join(" " * i + f"k{i}:\n" for i in range(100)) + " " * 100 + "v: 1\n",
}


@pytest.mark.parametrize("nested", NESTED.values(), ids=list(NESTED))
def test_nesting_deeper_than_the_bound_is_one_yaml_error_on_the_line_it_happens(nested: str) -> None:
    text = HEAD + nested + "---\n\nBody.\n"
    diags = skillmd.validate(text)
    assert codes(diags) == ["SKL003"] or codes(diags) == ["SKL003", "SKL061"]
    error = diags[0]
    assert f"nests deeper than {yamlbounds.MAX_DEPTH} levels" in error.message
    assert error.range.start.line >= 3
    assert fix_all(text).text == text


def test_more_keys_than_the_bound_is_one_yaml_error_and_fix_all_has_nothing_to_do() -> None:
    text = HEAD + "".join(f"k{i}: v\n" for i in range(20_000)) + "---\n\nBody.\n"
    diags = [d for d in skillmd.validate(text) if d.rule_id != "SKL061"]
    assert [d.rule_id for d in diags] == ["SKL003"]
    assert f"more than {yamlbounds.MAX_KEYS} keys" in diags[0].message
    assert fix_all(text).applied == []


def test_a_frontmatter_at_the_key_bound_still_gets_every_fix() -> None:
    keys = yamlbounds.MAX_KEYS - 3  # name, description and metadata are keys too
    text = HEAD + "metadata:\n" + "".join(f"  k{i}: {i}\n" for i in range(keys)) + "---\n\nBody.\n"
    assert [d for d in codes(skillmd.validate(text)) if d != "SKL061"] == ["SKL041"] * keys
    assert [d.rule_id for d in skillmd.validate(fix_all(text).text) if d.rule_id != "SKL061"] == []


def test_an_alias_bomb_in_the_managed_examples_block_is_a_warning_on_import() -> None:
    body = "Do it.\n\n## Examples\n<!-- autoskill:examples -->\n```yaml\n" + bomb(item="- ") + "```\n"
    result = skillmd.to_skill(skillmd.parse(HEAD + "---\n\n" + body))
    assert result.skill is not None
    assert any("aliases" in w for w in result.warnings), result.warnings


def test_an_alias_bomb_in_a_stored_extension_value_stays_text() -> None:
    text = HEAD + 'metadata:\n  x-x: "' + bomb().replace("\n", "\\n") + '"\n---\n\nBody.\n'
    result = skillmd.to_skill(skillmd.parse(text))
    assert result.skill is not None and result.skill.extensions["x"] == bomb()


@pytest.mark.parametrize("text", [
    bomb(), "x: " + "[" * 100_000, "- " * 20_000 + "1", "".join(f"k{i}: v\n" for i in range(20_000)),
    "k: v\n" * (yamlbounds.MAX_YAML_CHARS // 4), "when: !!timestamp x", "? [a, b]\n: c\n",
], ids=["aliases", "flow depth", "block depth", "keys", "size", "timestamp", "unhashable key"])
def test_the_bounded_safe_load_fails_only_with_a_yaml_error(text: str) -> None:
    with pytest.raises(yaml.YAMLError):
        yamlbounds.safe_load(text)
    with pytest.raises(yaml.YAMLError):
        yamlbounds.safe_load(text.replace("x", "é"))  # the pure-Python loader too


def test_the_bounded_safe_load_reads_what_safe_load_reads() -> None:
    text = "a: 1\nb: [x, {c: 2024-01-02}]\nd: &d {e: f}\ng: *d\n"
    assert yamlbounds.safe_load(text) == yaml.safe_load(text)


def test_a_line_of_opening_brackets_is_scanned_once_for_links(tmp_path: Path) -> None:
    # The link pattern used to rescan the rest of the line from every "[": quadratic, minutes here.
    text = HEAD + "---\n\n" + "[" * 300_000 + "[guide [v2]](missing.md) and ![x](" + "(" * 1000 + ")\n"
    diags = skillmd.validate(text, skill_dir=tmp_path)
    assert [d.message for d in diags if d.rule_id == "SKL063"] == [
        "'missing.md' does not exist in the skill folder: create it or fix the path",
        "'" + "(" * 1000 + "' does not exist in the skill folder: create it or fix the path"]


def test_a_value_yaml_would_read_as_an_impossible_date_is_written_quoted() -> None:
    from autoskill_mcp.skillmd import yamltext

    for value in ("2024-13-45", "2024-02-30", "2024-01-01 25:61:00"):
        assert yamltext.scalar(value) == f'"{value}"'
        skill = skillmd.to_skill(skillmd.parse(HEAD + f"allowed-tools: '{value}'\n---\n\nBody.\n")).skill
        assert skill is not None
        assert skillmd.parse(skillmd.render(skill)).data["allowed-tools"] == value


@pytest.mark.parametrize("value", ["2024-13-45", "[" * 100_000, "*a", "a: &x [1]"])
def test_an_extension_string_yaml_cannot_read_back_is_stored_quoted_and_read_back_as_written(value: str) -> None:
    from autoskill_mcp.skill import Skill

    skill = Skill(name="ext", description="Keeps extensions. Use when testing.", instructions="Body.",
                  extensions={"odd": value})
    text = skillmd.render(skill)
    back = skillmd.to_skill(skillmd.parse(text)).skill
    assert back is not None and back.extensions["odd"] == value
