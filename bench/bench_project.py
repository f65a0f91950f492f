"""Scope `project`: a repository's own skills searched and served beside the store.

    python bench/bench_project.py           # 200 project skills (--quick: 50)
    python -m bench project

Rows: a search of the project's skills against a search of the same skills saved in the store
(the baseline); one server request's reads of every project skill (`with_project`: one look
at the folders) against the same reads through a live view; the first read of a repository.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autoskill_mcp.config import AutoSkillConfig  # noqa: E402
from autoskill_mcp.runtime.project import ProjectSkills  # noqa: E402
from autoskill_mcp.sdk import AutoSkill  # noqa: E402
from bench.report import Row, median, ratio  # noqa: E402

QUERY = "run task number 17 with its tests"


def _repo(base: Path, n: int) -> Path:
    repo = base / "repo"
    (repo / ".git").mkdir(parents=True)
    for i in range(n):
        folder = repo / ".agents" / "skills" / f"skill-{i}"
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(f"---\nname: skill-{i}\ndescription: Do task number {i} with care and "
                                         f"tests.\n---\n# Skill {i}\n\n1. Step one of task {i}.\n", encoding="utf-8")
        (folder / "notes.md").write_text("notes\n", encoding="utf-8")
    return repo


def _ms(fn: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t) * 1000)
    return median(times)


def sections(quick: bool) -> list[tuple[str, list[Row]]]:
    n, repeats = (50, 10) if quick else (200, 30)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        repo = _repo(base, n)
        t = time.perf_counter()
        ProjectSkills([repo]).skills()
        first = (time.perf_counter() - t) * 1000
        config = AutoSkillConfig(store={"provider": "local", "path": str(base / "home")},
                                 embeddings={"provider": "hashing", "dims": 256}, default_user="bench")
        with AutoSkill(config) as sdk:
            sdk.import_skills(repo / ".agents" / "skills")
            sdk.search(QUERY, wait=True)  # the store's index built and embedded: its warm search is the baseline
            stored = _ms(lambda: sdk.search(QUERY, scope="user", wait=True), repeats)
            view = sdk.with_project(repo)
            project = _ms(lambda: view.search(QUERY, scope="project"), repeats)

            def walk(v: AutoSkill) -> None:
                for s in v.store.visible("bench", scope="project"):
                    v.store.list_files(s.id)
                    v.store.skill_dir(s.id)

            pinned = _ms(lambda: walk(sdk.with_project(repo)), repeats)
            live_view = AutoSkill(config, store=sdk.store, project=repo)
            live = _ms(lambda: walk(live_view), max(3, repeats // 5))
    rows = [
        Row(f"search, {n} project skills (keyword)", f"{project:.2f} ms", f"{stored:.2f} ms (same skills stored)",
            ratio(project, stored)),
        Row(f"one request's reads of {n} project skills", f"{pinned:.1f} ms", f"{live:.1f} ms (live view)",
            ratio(pinned, live), "visible + list_files + skill_dir each"),
        Row(f"first read of a repository with {n} skills", f"{first:.1f} ms", "", "", "parse, redact, index"),
    ]
    return [("Project scope", rows)]


if __name__ == "__main__":
    from bench.report import markdown

    for title, rows in sections("--quick" in sys.argv):
        print(markdown(title, rows))
