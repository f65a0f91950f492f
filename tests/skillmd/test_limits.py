"""Hostile SKILL.md input found by fuzzing (issue 13): every case is a diagnostic, never an exception.

Work is bounded by construction (sizes, depths, counts), so these tests assert on behaviour only.
"""

from __future__ import annotations

from pathlib import Path

from autoskill_mcp import skillmd

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
