"""An operator skill's scripts in the context block: listed with how to run them, read from files, never run."""

from __future__ import annotations

from pathlib import Path

from autoskill_mcp import Skill, SkillHit, render_context
from autoskill_mcp.config import AutoSkillConfig
from autoskill_mcp.script_usage import ScriptUsage, script_usage
from autoskill_mcp.sdk import AutoSkill

FILL_PY = b'''#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Fill a PDF form from a JSON file of field values.

Usage: fill.py FORM.pdf VALUES.json OUT.pdf
"""
import sys
'''
CHECK_SH = b"""#!/usr/bin/env bash
# Check that every required field of a form is filled.
set -euo pipefail
"""
ARGPARSE_PY = b"""import argparse
parser = argparse.ArgumentParser(description="List the fields of a PDF form.")
"""


def test_usage_comes_from_the_scripts_own_head() -> None:
    assert script_usage("scripts/fill.py", FILL_PY) == ScriptUsage(
        "scripts/fill.py", "python", "Fill a PDF form from a JSON file of field values. Usage: fill.py FORM.pdf "
                                     "VALUES.json OUT.pdf")
    assert script_usage("scripts/check.sh", CHECK_SH).usage == "Check that every required field of a form is filled."
    assert script_usage("scripts/fields.py", ARGPARSE_PY).usage == "List the fields of a PDF form."
    js = b"// Usage: node run.js <in>\nconsole.log(1)\n"
    assert script_usage("scripts/run.js", js).usage == "Usage: node run.js <in>"
    assert script_usage("scripts/data.bin", b"\x00\x01\x02binary").usage is None
    assert script_usage("scripts/empty.py", b"").runner == "python"


def test_a_command_in_skill_md_wins_over_the_scripts_head() -> None:
    body = "Fill it:\n\n```bash\n$ python scripts/fill.py form.pdf values.json out.pdf\n```\n"
    assert script_usage("scripts/fill.py", FILL_PY, body).usage == "python scripts/fill.py form.pdf values.json out.pdf"
    span = "Run `bash scripts/check.sh form.pdf` before sending it."
    assert script_usage("scripts/check.sh", CHECK_SH, span).usage == "bash scripts/check.sh form.pdf"
    assert script_usage("scripts/check.sh", CHECK_SH, "Mentions scripts/other.sh only.").usage == (
        "Check that every required field of a form is filled.")


def operator(skill_type: str | None = "operator") -> Skill:
    return Skill(name="pdf-form-filler", description="Fills PDF forms. Use when filling a PDF form.",
                 instructions="Fill the form with the scripts.",
                 metadata={"skill_type": skill_type} if skill_type else {})


def test_an_operator_hit_lists_its_scripts_with_usage_and_other_files_by_path() -> None:
    skill = operator()
    usages = [script_usage("scripts/fill.py", FILL_PY), script_usage("scripts/check.sh", CHECK_SH)]
    out = render_context([SkillHit(skill, 0.9)], budget=2000,
                         files={skill.id: ["scripts/fill.py", "scripts/check.sh", "references/fields.md"]},
                         locations={skill.id: "/skills/pdf-form-filler"}, scripts={skill.id: usages})
    assert "operator scripts (run them yourself, from the skill folder /skills/pdf-form-filler" in out.text
    assert "  - python scripts/fill.py: Fill a PDF form from a JSON file of field values." in out.text
    assert "  - bash scripts/check.sh: Check that every required field" in out.text
    files_line = next(line for line in out.text.splitlines() if line.startswith("  files"))
    assert "references/fields.md" in files_line and "scripts/" not in files_line

    knowledge = operator("knowledge")
    plain = render_context([SkillHit(knowledge, 0.9)], budget=2000, files={knowledge.id: ["scripts/fill.py"]},
                           scripts={knowledge.id: usages})
    assert "operator scripts" not in plain.text and "scripts/fill.py" in plain.text

    assert "operator scripts" not in render_context([SkillHit(skill, 0.9)], level="catalog",
                                                    scripts={skill.id: usages}).text
    tight = render_context([SkillHit(skill, 0.9)], budget=120, scripts={skill.id: usages * 10})
    assert tight.tokens <= 120


def test_the_sdk_reads_the_scripts_and_never_runs_them(tmp_path: Path) -> None:
    ran = tmp_path / "ran"
    trap = f'#!/bin/sh\n# Send the filled form.\ntouch {ran}\n'.encode()
    config = AutoSkillConfig(store={"provider": "local", "path": str(tmp_path / "home")},
                             embeddings={"provider": "hashing", "dims": 256}, default_user="ann")
    with AutoSkill(config) as sdk:
        skill = operator().copy(user_id="ann", instructions="Fill PDF forms.\n\nThen `sh scripts/send.sh out.pdf`.",
                                files={"scripts/fill.py": FILL_PY, "scripts/send.sh": trap,
                                       "references/fields.md": b"# Fields\n"})
        sdk.store.save(skill)
        out = sdk.render_context_result("fill a pdf form", user_id="ann", budget=1500)
    assert out.skills and out.skills[0]["name"] == "pdf-form-filler"
    assert "  - python scripts/fill.py: Fill a PDF form" in out.text
    assert "  - sh scripts/send.sh out.pdf" in out.text
    assert not ran.exists()


def test_a_usage_word_in_code_is_not_a_usage_line() -> None:
    code = b"import dataclasses\n\n@dataclasses.dataclass\nclass Args:\n    usage: str = 'x'\n"
    assert script_usage("scripts/args.py", code).usage is None
    assert script_usage("scripts/x.sh", b"#!/bin/sh\n# usage: x.sh FILE\necho hi\n").usage == "Usage: x.sh FILE"
