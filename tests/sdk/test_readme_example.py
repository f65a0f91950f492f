"""The README's SDK example, run verbatim as a script, twice, in a fresh AUTOSKILL_HOME."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def readme_sdk_example() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Python SDK"):]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README's Python SDK section has no python block"
    return match.group(1)


def test_the_readme_sdk_example_runs_twice_in_a_fresh_home(tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(readme_sdk_example(), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOSKILL_", "OPENAI_", "ANTHROPIC_"))}
    env.update(AUTOSKILL_HOME=str(tmp_path / "home"), HOME=str(tmp_path / "user-home"), PYTHONPATH=str(REPO))
    outputs = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        outputs.append(proc.stdout)
    assert all("commit-style" in out for out in outputs)
    assert (tmp_path / "home" / "catalog.sqlite3").is_file()
    assert not (tmp_path / "SkillBank").exists()
