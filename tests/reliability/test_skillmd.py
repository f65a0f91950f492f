"""Hostile SKILL.md files through the parser, the rule catalogue, the fixes and the converter: 0 uncaught exceptions.

Three sources: Hypothesis (strategies.py), the seeded generator the bench runs by the ten
thousand (bench/hostile.py), and byte mutations of the bundled example skills. Each input
goes through everything an editor or an import does with a file.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from autoskill_mcp import skillmd
from autoskill_mcp.skillmd.fixall import fix_all
from bench import hostile

from .strategies import skill_md_text

EXAMPLES = Path(__file__).resolve().parents[2] / "autoskill_mcp" / "examples" / "skills"
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                      HealthCheck.function_scoped_fixture])


def check(text: str | bytes, folder: Path | None = None) -> None:
    """Everything done with a SKILL.md: parse, validate (with its folder), fix all, validate the fix, convert,
    render."""
    path = str(folder / "SKILL.md") if folder is not None else None
    parsed = skillmd.parse(text, path)
    diags = skillmd.validate(parsed, skill_dir=folder)
    assert all(d.range.start <= d.range.end for d in diags)
    fixed = fix_all(parsed.text, path=path, skill_dir=folder)
    skillmd.validate(fixed.text, path=path, skill_dir=folder)
    converted = skillmd.to_skill(parsed, dir_name="generated")
    if converted.skill is not None:
        skillmd.parse(skillmd.render(converted.skill))
        skillmd.validate(skillmd.render(converted.skill, profile="claude-code"), profile="claude-code")


@settings(FAST, max_examples=150)
@given(skill_md_text())
@example("---\nname: s\ndescription: d\ncreated: !!timestamp x\n---\n")
@example("---\nx: " + "[" * 100_000 + "\n---\n")
def test_generated_text(text: str) -> None:
    check(text)


@settings(FAST, max_examples=60)
@given(seed=st.integers(0, 2**32 - 1))
def test_seeded_hostile_files_in_their_folders(tmp_path_factory: object, seed: int) -> None:
    rng = random.Random(seed)
    folder = tmp_path_factory.mktemp("skill")  # type: ignore[attr-defined]
    data = hostile.skill_md_bytes(rng)
    hostile.skill_folder(rng, folder, data)
    check(data, folder)
    check(hostile.skill_md(random.Random(seed)))


@settings(FAST, max_examples=60)
@given(example=st.sampled_from(sorted(p.name for p in EXAMPLES.iterdir())), seed=st.integers(0, 2**32 - 1))
def test_mutated_example_skills(tmp_path_factory: object, example: str, seed: int) -> None:
    rng = random.Random(seed)
    folder = tmp_path_factory.mktemp("example") / example  # type: ignore[attr-defined]
    shutil.copytree(EXAMPLES / example, folder)
    md = folder / "SKILL.md"
    data = md.read_bytes()
    for _ in range(rng.randint(1, 3)):
        data = rng.choice([hostile.mutate_bytes, hostile.mutate_lines])(rng, data)
    md.write_bytes(data)
    check(data, folder)
