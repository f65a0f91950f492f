"""render(): valid Agent Skills output that to_skill() reads back to the same Skill."""

from __future__ import annotations

from pathlib import Path

import pytest
import skills_ref
from hypothesis import HealthCheck, given, settings

from autoskill_mcp.skill import Provenance, Skill, SkillExample, SkillStatus
from autoskill_mcp.skillmd import parse, render, to_skill, validate
from autoskill_mcp.skillmd.profiles import SPEC_KEYS
from autoskill_mcp.skillmd.sections import EXAMPLES_MARKER, TRIGGERS_MARKER

from .strategies import skills

# Fields that come from the store's location and catalog, not from SKILL.md.
NOT_IN_FILE = {"user_id", "scope", "files", "created_at", "updated_at"}


def content(skill: Skill) -> dict:
    d = skill.to_dict()
    for key in NOT_IN_FILE:
        d.pop(key)
    # Instructions are kept verbatim apart from leading blank lines and trailing whitespace.
    d["instructions"] = skill.instructions.rstrip().lstrip("\n")
    return d


def roundtrip(skill: Skill, profile: str = "spec") -> Skill:
    result = to_skill(parse(render(skill, profile)))
    assert result.skipped_reason is None, result.skipped_reason
    assert result.skill is not None
    return result.skill


def full_skill() -> Skill:
    return Skill(
        name="pdf-tools",
        description="Extracts text from PDFs. Use when: the user mentions a PDF --- or a form.",
        instructions="# Steps\n\n---\n1. Run `scripts/extract.py`\n\n```bash\necho ```` hi\n```\n",
        id="1234",
        version="1.10",
        status=SkillStatus.ARCHIVED,
        tags=["pdf", "extraction tools"],
        triggers=["extract a pdf", "  padded  ", "two\nlines", '"quoted"', ""],
        examples=[SkillExample("in: x", "out\n---\nmore", "n # b"), SkillExample("only input")],
        license="Proprietary. LICENSE.txt has complete terms",
        compatibility="Requires poppler: pdftotext",
        allowed_tools="Bash(git:*) Read",
        metadata={"author": "me", "count": "1.10", "flag": "yes"},
        extensions={
            "disable-model-invocation": True,
            "hooks": {"PreToolUse": [{"matcher": "Bash"}]},
            "paths": ["*.pdf"],
        },
        provenance=[Provenance("transcript", "s1", "claude-code", ["it's: fine"], "2025-01-01T00:00:00+00:00")],
    )


@pytest.mark.parametrize("profile", ["spec", "claude-code"])
def test_full_skill_round_trips_in_both_profiles(profile: str) -> None:
    skill = full_skill()
    assert content(roundtrip(skill, profile)) == content(skill)


def test_minimal_skill_round_trips_without_managed_sections() -> None:
    skill = Skill(name="x", description="d", instructions="")
    text = render(skill)
    assert TRIGGERS_MARKER not in text and EXAMPLES_MARKER not in text
    assert content(roundtrip(skill)) == content(skill)


def test_spec_profile_writes_only_the_six_spec_keys_and_quoted_string_metadata() -> None:
    parsed = parse(render(full_skill(), "spec"))
    assert set(parsed.fields) <= set(SPEC_KEYS)
    meta = parsed.fields["metadata"]
    assert meta.children, "metadata expected"
    for child in meta.children.values():
        assert child.style == '"' and isinstance(child.value, str)
    assert parsed.data["metadata"]["x-disable-model-invocation"] == "true"


def test_claude_code_profile_writes_extensions_at_top_level_with_natural_values() -> None:
    parsed = parse(render(full_skill(), "claude-code"))
    assert parsed.data["disable-model-invocation"] is True
    assert parsed.data["paths"] == ["*.pdf"]
    assert not any(k.startswith("x-") for k in parsed.data["metadata"])


def test_archived_status_and_tags_are_written_as_metadata() -> None:
    data = parse(render(full_skill())).data["metadata"]
    assert data["autoskill-status"] == "archived"
    assert data["tags"] == "pdf, extraction tools"
    assert data["autoskill-id"] == "1234"
    assert data["version"] == "1.10"
    assert "autoskill-status" not in parse(render(Skill(name="a", description="b"))).data["metadata"]


def test_examples_fence_is_longer_than_any_backtick_run_inside() -> None:
    skill = Skill(name="a", description="b", examples=[SkillExample("run ````` this")])
    text = render(skill)
    assert "``````yaml" in text
    assert roundtrip(skill).examples == skill.examples


def test_description_with_delimiter_and_colon_is_valid_for_skills_ref(tmp_path: Path) -> None:
    skill = full_skill().copy(name="pdf-tools")
    folder = tmp_path / "pdf-tools"
    folder.mkdir()
    (folder / "SKILL.md").write_text(render(skill), encoding="utf-8")
    assert skills_ref.validate(folder) == []
    props = skills_ref.read_properties(folder)
    assert props.description == skill.description  # no truncation at '---'


def test_rendered_valid_skill_has_no_errors_in_spec_profile() -> None:
    skill = full_skill()
    diags = validate(render(skill), path="/skills/pdf-tools/SKILL.md")
    assert [d for d in diags if d.is_error] == []


def test_unknown_profile_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown profile"):
        render(full_skill(), "vim")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(skills())
def test_any_skill_round_trips_through_spec_profile(skill: Skill) -> None:
    assert content(roundtrip(skill)) == content(skill)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(skills())
def test_any_skill_round_trips_through_claude_code_profile(skill: Skill) -> None:
    assert content(roundtrip(skill, "claude-code")) == content(skill)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(skills())
def test_rendered_frontmatter_never_has_yaml_problems(skill: Skill) -> None:
    parsed = parse(render(skill))
    assert parsed.frontmatter_closed and not parsed.yaml_errors and not parsed.duplicates
    assert not parsed.yaml_features


def test_examples_with_yaml_line_break_characters_round_trip() -> None:
    # Found by hypothesis: PyYAML writes U+0085 raw and reads it back as a line break.
    skill = Skill(name="x", description="d", examples=[SkillExample(input="a\x85b"), SkillExample(input="提交 信息")])
    back = to_skill(parse(render(skill))).skill
    assert [e.input for e in back.examples] == ["a\x85b", "提交 信息"]


@pytest.mark.parametrize("value", ["blue", "3", "yes", "a: b", "2024-01-01", "two\nlines", "", 3, True, None,
                                   ["*.pdf", "x"], {"PreToolUse": [{"matcher": "Bash"}]}, 1.5])
def test_extension_values_are_stored_as_their_yaml_once_and_read_back_exactly(value: object) -> None:
    skill = Skill(name="x", description="d", extensions={"colour": value})
    stored = parse(render(skill)).data["metadata"]["x-colour"]
    assert isinstance(stored, str)
    assert roundtrip(skill).extensions == {"colour": value}
    if value == "blue":
        assert stored == "blue"


def test_a_plain_string_extension_is_not_double_encoded() -> None:
    text = render(Skill(name="x", description="d", extensions={"colour": "blue", "skill_type": "workflow"}))
    assert '  x-colour: "blue"\n' in text and '  x-skill_type: "workflow"\n' in text
    assert '\\"' not in text


def test_json_written_by_earlier_versions_still_reads_back() -> None:
    old = ('---\nname: x\ndescription: d\nmetadata:\n  x-colour: "\\"blue\\""\n  x-paths: "[\\"*.pdf\\"]"\n'
           '  x-on: "true"\n---\n')
    assert to_skill(parse(old)).skill.extensions == {"colour": "blue", "paths": ["*.pdf"], "on": True}
