"""EvoMaster's skill_type: accepted, kept as metadata.skill_type (unquoted), checked, round-tripped byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoskill_mcp import LocalSkillStore, Skill
from autoskill_mcp.skillmd import parse, render, to_skill, validate
from autoskill_mcp.skillmd.keys import keys_for_profile, values_for

EVOMASTER_MD = """---
name: pdf-form-filler
description: Fills PDF forms from a JSON file of field values. Use when the user asks to fill a PDF form.
skill_type: operator
---

Run `python scripts/fill.py form.pdf values.json out.pdf`.
"""


def rules(text: str, profile: str) -> dict[str, str]:
    return {d.rule_id: d.severity.value for d in validate(text, path="/s/pdf-form-filler/SKILL.md", profile=profile)}


def test_the_evomaster_profile_knows_the_top_level_key_and_the_others_move_it() -> None:
    assert "SKL010" not in rules(EVOMASTER_MD, "evomaster") and "SKL043" not in rules(EVOMASTER_MD, "evomaster")
    spec = [d for d in validate(EVOMASTER_MD, path="/s/pdf-form-filler/SKILL.md", profile="spec")
            if d.rule_id == "SKL010"]
    assert len(spec) == 1 and "evomaster profile accepts it" in spec[0].message
    moved = spec[0].fixes[0].apply(EVOMASTER_MD)
    assert "metadata:\n  skill_type: operator\n" in moved and "\nskill_type:" not in moved
    assert not {"SKL010", "SKL041", "SKL043"} & set(rules(moved, "spec"))


def test_a_top_level_skill_type_is_kept_in_metadata_and_rendered_unquoted() -> None:
    result = to_skill(parse(EVOMASTER_MD))
    assert result.skill is not None and not result.warnings
    skill = result.skill
    assert skill.metadata == {"skill_type": "operator"} and skill.extensions == {} and skill.skill_type == "operator"
    text = render(skill)
    assert "\n  skill_type: operator\n" in text and '"operator"' not in text
    assert not {"SKL041", "SKL043"} & set(rules(text, "spec"))


@pytest.mark.parametrize("profile", ["spec", "claude-code", "evomaster"])
@pytest.mark.parametrize("kind", ["knowledge", "operator"])
def test_a_rendered_skill_reads_back_and_renders_byte_for_byte(kind: str, profile: str) -> None:
    skill = Skill(name="pdf-form-filler", description="Fills PDF forms. Use when filling a PDF form.",
                  instructions="Run the script.", metadata={"skill_type": kind, "author": "ann"},
                  extensions={"disable-model-invocation": True})
    first = render(skill, profile=profile)
    again = to_skill(parse(first)).skill
    assert again is not None and again.skill_type == kind
    assert render(again, profile=profile) == first


@pytest.mark.parametrize("value, fixed", [("Operator", "operator"), ("knowlege", "knowledge"), ("op", "operator"),
                                          ("tool", None), ("3", None), ("[a, b]", None)])
def test_a_wrong_value_is_reported_with_the_near_miss_as_its_fix(value: str, fixed: str | None) -> None:
    text = EVOMASTER_MD.replace("skill_type: operator", f"skill_type: {value}")
    diags = [d for d in validate(text, path="/s/pdf-form-filler/SKILL.md", profile="evomaster")
             if d.rule_id == "SKL043"]
    assert len(diags) == 1 and diags[0].severity.value == "error" and "`knowledge` or `operator`" in diags[0].message
    if fixed is None:
        assert diags[0].fixes == []
    else:
        assert f"skill_type: {fixed}\n" in diags[0].fixes[0].apply(text)
    in_meta = EVOMASTER_MD.replace("skill_type: operator", f"metadata:\n  skill_type: {value}")
    assert rules(in_meta, "spec")["SKL043"] == "warning"  # in metadata, every profile checks it
    converted = to_skill(parse(text)).skill
    assert converted is not None and converted.skill_type is None  # a wrong value leaves the skill untyped


def test_an_operator_skill_without_scripts_is_noted(tmp_path: Path) -> None:
    folder = tmp_path / "pdf-form-filler"
    folder.mkdir()
    assert "SKL044" in {d.rule_id for d in validate(EVOMASTER_MD, profile="evomaster", skill_dir=folder)}
    (folder / "scripts").mkdir()
    (folder / "scripts" / "fill.py").write_text('"""Fill a form."""\n')
    assert "SKL044" not in {d.rule_id for d in validate(EVOMASTER_MD, profile="evomaster", skill_dir=folder)}
    knowledge = EVOMASTER_MD.replace("operator", "knowledge")
    assert "SKL044" not in {d.rule_id for d in validate(knowledge, profile="evomaster", skill_dir=tmp_path / "x")}


def test_editors_offer_the_key_and_its_values() -> None:
    assert "skill_type" in keys_for_profile("evomaster") and "skill_type" not in keys_for_profile("spec")
    assert values_for("skill_type") == ("knowledge", "operator")


def test_the_store_keeps_it(tmp_path: Path) -> None:
    with LocalSkillStore(tmp_path / "home", embeddings={"provider": "hashing", "dims": 64}, background=False) as s:
        saved = s.save(to_skill(parse(EVOMASTER_MD)).skill.copy(user_id="ann"))  # type: ignore[union-attr]
        again = s.get(saved.id)
        assert again is not None and again.skill_type == "operator"
        assert b"\n  skill_type: operator\n" in s.read_skill_md(saved.id)
