"""What the reliability tests share: real stores, real subprocesses, and the checks that a store is whole."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # the scenarios live in bench/bench_concurrency.py, run here with CI-sized counts
    sys.path.insert(0, str(REPO))

SKILL = "---\nname: {name}\ndescription: {desc}\n---\n# {name}\n\n{body}\n"


def cli_env(home: Path, user: str = "alice") -> dict[str, str]:
    """The environment of an `autoskill` subprocess on `home` (the hashing embedder: no model load)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOSKILL_")}
    env.update(AUTOSKILL_HOME=str(home), AUTOSKILL_USER=user)
    return env


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "autoskill_mcp", *args]


def write_skill_folders(root: Path, names: list[str], tag: str) -> Path:
    """One folder per name under `root`, each a valid skill whose body says which source wrote it."""
    for name in names:
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / "SKILL.md").write_text(SKILL.format(
            name=name, desc=f"Does {name.replace('-', ' ')}. Use when working on {name}.", body=f"from {tag}"))
    return root


def orphans(home: Path) -> list[str]:
    """Skill folders without a SKILL.md, and temp files, anywhere in the store's skill trees."""
    out: list[str] = []
    for top in (home / "Users", home / "Common"):
        if not top.is_dir():
            continue
        dirs = (
            [d for u in top.iterdir() if u.is_dir() for d in u.iterdir()]
            if top.name == "Users"
            else list(top.iterdir())
        )
        out += [str(d) for d in dirs if d.is_dir() and not (d / "SKILL.md").is_file()]
    out += [str(p) for p in home.rglob("*.tmp")]
    out += [str(p) for p in home.glob(".deleting-*")]
    return sorted(out)


def catalog_integrity(home: Path) -> str:
    with sqlite3.connect(home / "catalog.sqlite3") as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def live_names(home: Path, owner: str) -> list[str]:
    """Every live catalog row's name for `owner`, duplicates kept (so a duplicate shows)."""
    with sqlite3.connect(home / "catalog.sqlite3") as conn:
        return sorted(r[0] for r in conn.execute("SELECT name FROM skills WHERE deleted = 0 AND owner = ?", (owner,)))
