"""to_skill(): lenient import of our layout, AutoSkill's SkillBank and Claude Code skills."""

from __future__ import annotations

from autoskill_mcp.skill import SkillExample, SkillStatus
from autoskill_mcp.skillmd import parse, to_skill

AUTOSKILL = '''---
id: "5b0c1a2e-0000-4000-8000-000000000001"
name: "government-report-writing"
description: "Writes formal government reports without invented facts."
version: "0.1.3"
tags:
  - "writing"
  - "report"
triggers:
  - "write a government report"
  - "formal report"
examples:
  - input: "Write a report on LLM self-evolution"
    output: "A Word-ready report"
  - input: "Summarise the year"
---

# government-report-writing

Writes formal government reports without invented facts.

## Prompt

# Goal
Write the report.

## Constraints & Style
- No invented units; use XXX.

## Files

- `references/template.md`

## Triggers

- write a government report
- formal report

## Examples

### Example 1

Input:

  Write a report on LLM self-evolution
'''

CLAUDE = '''---
description: Explains code with diagrams
when_to_use: the user asks how code works
argument-hint: "[file]"
disable-model-invocation: true
allowed-tools: [Read, Grep, "Bash(git log:*)"]
context: fork
agent: Explore
hooks:
  PreToolUse:
    - matcher: Bash
mystery: 42
---

When explaining code:
1. Start with an analogy.
'''


def test_autoskill_skillbank_layout_keeps_meaning() -> None:
    r = to_skill(parse(AUTOSKILL))
    s = r.skill
    assert s is not None and r.layout == "autoskill" and r.had_id
    assert s.id == "5b0c1a2e-0000-4000-8000-000000000001"
    assert s.name == "government-report-writing"
    assert s.version == "0.1.3"
    assert s.tags == ["writing", "report"]
    assert s.triggers == ["write a government report", "formal report"]
    assert s.examples == [
        SkillExample("Write a report on LLM self-evolution", "A Word-ready report"),
        SkillExample("Summarise the year"),
    ]
    # The prompt keeps its own "# Goal" and "## Constraints" headings; Files/Triggers/Examples are cut.
    assert s.instructions == "# Goal\nWrite the report.\n\n## Constraints & Style\n- No invented units; use XXX."
    assert s.extensions == {}


def test_autoskill_triggers_from_body_when_frontmatter_has_none() -> None:
    text = AUTOSKILL.replace('triggers:\n  - "write a government report"\n  - "formal report"\n', "")
    s = to_skill(parse(text)).skill
    assert s is not None and s.triggers == ["write a government report", "formal report"]


def test_autoskill_comma_string_tags_and_string_examples() -> None:
    text = '---\nid: x\nname: a\ndescription: b\ntags: "one, two"\nexamples:\n  - just a string\n---\nbody\n'
    s = to_skill(parse(text)).skill
    assert s is not None
    assert s.tags == ["one", "two"] and s.examples == [SkillExample("just a string")]
    assert s.instructions == "body"


def test_claude_code_skill_keeps_extensions_and_fills_name_and_description() -> None:
    r = to_skill(parse(CLAUDE, path="/home/u/.claude/skills/explain-code/SKILL.md"))
    s = r.skill
    assert s is not None and r.layout == "claude-code"
    assert s.name == "explain-code"
    assert s.description == "Explains code with diagrams"
    assert s.allowed_tools == "Read Grep Bash(git log:*)"
    assert s.extensions["when_to_use"] == "the user asks how code works"
    assert s.extensions["disable-model-invocation"] is True
    assert s.extensions["argument-hint"] == "[file]"
    assert s.extensions["hooks"] == {"PreToolUse": [{"matcher": "Bash"}]}
    assert s.extensions["mystery"] == 42
    assert s.instructions == "When explaining code:\n1. Start with an analogy."
    joined = "\n".join(r.warnings)
    assert "folder name" in joined and "allowed-tools" in joined and "mystery" in joined
    assert "context" not in joined  # documented Claude Code keys are not warned about


def test_missing_description_falls_back_to_first_paragraph() -> None:
    r = to_skill(parse("---\nname: a\n---\n# Title\n\nFirst para\nwraps here.\n\nSecond.\n"))
    assert r.skill is not None and r.skill.description == "First para wraps here."
    assert any("first paragraph" in w for w in r.warnings)


def test_comma_separated_allowed_tools_are_normalised() -> None:
    r = to_skill(parse('---\nname: a\ndescription: b\nallowed-tools: "Read, Bash(git add, commit:*), Grep"\n---\n'))
    assert r.skill is not None and r.skill.allowed_tools == "Read Bash(git add, commit:*) Grep"
    assert any("comma" in w for w in r.warnings)


def test_no_usable_name_or_description_is_skipped_with_reason() -> None:
    r = to_skill(parse("---\ndescription: b\n---\nbody\n"))
    assert r.skill is None and "name" in (r.skipped_reason or "")
    r = to_skill(parse("---\nname: a\n---\n"))
    assert r.skill is None and "description" in (r.skipped_reason or "")


def test_unparseable_yaml_is_skipped_with_the_yaml_error() -> None:
    r = to_skill(parse("---\nname: a\ndescription: Use when: x\n---\n"))
    assert r.skill is None and "mapping values are not allowed" in (r.skipped_reason or "")
    assert to_skill(parse("---\n- a\n---\n")).skipped_reason == "frontmatter is a list, not a mapping"
    assert "not closed" in (to_skill(parse("---\nname: a\n")).skipped_reason or "")


def test_invalid_name_is_kept_as_given_with_a_warning() -> None:
    r = to_skill(parse("---\nname: My Cool_Skill\ndescription: b\n---\n"))
    assert r.skill is not None and r.skill.name == "My Cool_Skill"
    assert any("not a valid spec name" in w for w in r.warnings)


def test_non_string_metadata_values_keep_their_written_text() -> None:
    r = to_skill(parse("---\nname: a\ndescription: b\nmetadata:\n  v: 1.10\n  on: yes\n  nested:\n    k: 1\n---\n"))
    s = r.skill
    assert s is not None
    assert s.metadata == {"v": "1.10", "on": "yes", "nested": '{"k": 1}'}
    assert len([w for w in r.warnings if w.startswith("metadata.")]) == 3


def test_non_string_name_and_description_are_read_as_written() -> None:
    r = to_skill(parse("---\nname: 123\ndescription: yes\n---\n"))
    assert r.skill is not None and r.skill.name == "123" and r.skill.description == "yes"


def test_our_layout_reads_metadata_fields_and_managed_sections() -> None:
    text = (
        "---\nname: a\ndescription: b\nmetadata:\n  autoskill-id: \"i1\"\n  version: \"2.0.0\"\n"
        "  tags: \"x, y\"\n  autoskill-status: \"archived\"\n"
        "  autoskill-provenance: '[{\"source\":\"manual\"}]'\n  x-model: '\"opus\"'\n  author: \"me\"\n---\n\n"
        "Do it.\n\n## Examples\n\nMy own examples heading stays in the instructions.\n\n"
        "## Triggers\n<!-- autoskill:triggers -->\n- go\n- \" spaced\"\n"
    )
    r = to_skill(parse(text))
    s = r.skill
    assert s is not None and r.layout == "autoskill-mcp" and r.had_id and r.warnings == []
    assert (s.id, s.version, s.tags, s.status) == ("i1", "2.0.0", ["x", "y"], SkillStatus.ARCHIVED)
    assert s.provenance[0].source == "manual"
    assert s.extensions == {"model": "opus"} and s.metadata == {"author": "me"}
    assert s.triggers == ["go", " spaced"]
    assert s.instructions.startswith("Do it.") and "My own examples heading" in s.instructions


def test_spec_skill_without_our_keys_gets_defaults() -> None:
    r = to_skill(parse("---\nname: a\ndescription: b\nlicense: MIT\n---\nSteps\n"))
    s = r.skill
    assert s is not None and not r.had_id and r.layout == "spec"
    assert s.version == "0.1.0" and s.license == "MIT" and s.status is SkillStatus.ACTIVE


def test_top_level_version_in_a_plain_skill_becomes_the_version_with_a_warning() -> None:
    r = to_skill(parse("---\nname: a\ndescription: b\nversion: 1.10\n---\n"))
    assert r.skill is not None and r.skill.version == "1.10"
    assert any("version" in w for w in r.warnings)


def test_no_frontmatter_uses_folder_and_first_paragraph() -> None:
    r = to_skill(parse("Does a thing.\n\nMore.\n"), dir_name="thing")
    assert r.skill is not None and (r.skill.name, r.skill.description) == ("thing", "Does a thing.")
