"""Fix-all: every fix applied in rounds, never two keys for one, idempotent."""

from __future__ import annotations

from autoskill_mcp.skillmd import parse, validate
from autoskill_mcp.skillmd.fixall import fix_all


def test_fixes_everything_fixable_and_is_idempotent() -> None:
    text = ("---\nname: My_Skill\ndescriptoin: Parses logs. Use when debugging.\nmetadata:\n  version: 1.10\n"
            "---\n# T\n\nRun [it](scripts\\run.sh).\n")
    result = fix_all(text, path="/w/my-skill/SKILL.md")
    data = parse(result.text).data
    assert data["name"] == "my-skill"
    assert data["description"] == "Parses logs. Use when debugging."
    assert data["metadata"] == {"version": "1.10"}
    assert "scripts/run.sh" in result.text
    assert not [d for d in validate(result.text, path="/w/my-skill/SKILL.md") if d.fix and not d.fix.rename]
    again = fix_all(result.text, path="/w/my-skill/SKILL.md")
    assert again.text == result.text and not again.changed


def test_missing_frontmatter_gets_a_skeleton_from_the_folder_and_first_paragraph() -> None:
    result = fix_all("Converts units between metric and imperial.\n", path="/w/unit-convert/SKILL.md")
    data = parse(result.text).data
    assert data == {"name": "unit-convert", "description": "Converts units between metric and imperial."}


def test_clean_text_is_left_alone() -> None:
    text = "---\nname: ok\ndescription: Checks links. Use when editing docs.\n---\n# Ok\n\nBody.\n"
    assert not fix_all(text, path="/w/ok/SKILL.md").changed


def test_shorten_fix_cuts_at_a_sentence_within_the_limit() -> None:
    desc = "Summarises logs. Use when debugging. " + "More detail here. " * 70
    text = f"---\nname: s\ndescription: {desc.strip()}\n---\n# S\n\nBody.\n"
    result = fix_all(text, path="/w/s/SKILL.md")
    fixed = parse(result.text).data["description"]
    assert len(fixed) <= 1024 and fixed.endswith(".")
