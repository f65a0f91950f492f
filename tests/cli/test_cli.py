"""The `autoskill` command, run as a real subprocess: output, --json and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SKILL = "---\nname: {name}\ndescription: {desc}\n---\n{body}\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = os.environ.copy()
    e.update(AUTOSKILL_HOME=str(tmp_path / "home"), AUTOSKILL_USER="alice")
    return e


def run(env: dict[str, str], *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "autoskill_mcp.cli", *args, "--embeddings", "hashing"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    return proc


def run_json(env: dict[str, str], *args: str, code: int = 0) -> dict:
    return json.loads(run(env, *args, "--json", code=code).stdout)


@pytest.fixture
def skills_dir(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    for name, desc, body in [
        ("git-commit-messages", "Writes commit messages. Use when committing code.", "Imperative subject."),
        ("docker-images", "Builds slim Docker images. Use when editing a Dockerfile.", "Multi-stage builds."),
    ]:
        (src / name).mkdir(parents=True)
        (src / name / "SKILL.md").write_text(SKILL.format(name=name, desc=desc, body=body))
    return src


def test_import_search_show_versions_rollback_delete(env: dict[str, str], skills_dir: Path, tmp_path: Path) -> None:
    report = run_json(env, "import", str(skills_dir))
    assert sorted(report["imported"]) == ["docker-images", "git-commit-messages"]

    hits = run_json(env, "search", "how to write a commit message")["hits"]
    assert hits[0]["name"] == "git-commit-messages" and hits[0]["score"] > 0 and "why" in hits[0]
    assert "git-commit-messages" in run(env, "search", "commit").stdout

    shown = run_json(env, "show", "git-commit-messages")
    assert shown["skill_md"].startswith("---\n") and shown["version"] == "0.1.0"

    md = Path(shown["path"]) / "SKILL.md"
    md.write_text(md.read_text().replace("Imperative subject.", "Imperative subject, 72 chars max."))
    st = md.stat()
    os.utime(md, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    versions = run_json(env, "versions", "git-commit-messages")["versions"]
    assert [(v["version"], v["reason"]) for v in versions] == [("0.1.0", "import"), ("0.1.1", "edited on disk")]

    rolled = run_json(env, "rollback", "git-commit-messages")
    assert "72 chars" not in rolled["instructions"] and rolled["version"] == "0.1.2"

    ctx = run_json(env, "context", "commit message", "--budget", "300")
    assert ctx["tokens"] <= 300 and "git-commit-messages" in ctx["text"]

    out = run_json(env, "export", "--all", "--dest", str(tmp_path / "out"))
    assert sorted(Path(p).name for p in out["written"]) == ["docker-images", "git-commit-messages"]

    assert run_json(env, "delete", "docker-images", "--yes")["name"] == "docker-images"
    assert [s["name"] for s in run_json(env, "list")["skills"]] == ["git-commit-messages"]


def test_exit_codes(env: dict[str, str], tmp_path: Path) -> None:
    err = run_json(env, "show", "no-such-skill", code=3)
    assert err["type"] == "NotFoundError"
    run(env, "search", "x", "--scope", "galaxy", code=2)  # argparse usage error
    run(env, "import", str(tmp_path / "missing"), code=3)
    run(env, "export", "--all", code=2)  # neither --to nor --dest


def test_validate_reports_rules_and_fails_on_errors(env: dict[str, str], tmp_path: Path) -> None:
    good = tmp_path / "good-skill"
    good.mkdir()
    (good / "SKILL.md").write_text(SKILL.format(name="good-skill", desc="Does good. Use when good.", body="Body"))
    assert run_json(env, "validate", str(good))["errors"] == 0
    bad = tmp_path / "bad-skill"
    bad.mkdir()
    (bad / "SKILL.md").write_text(SKILL.format(name="Bad_Skill", desc="x", body=""))
    result = run_json(env, "validate", str(bad), code=1)
    rules = {d["code"] for d in result["files"][0]["diagnostics"]}
    assert {"SKL015", "SKL019"} <= rules
    human = run(env, "validate", str(bad / "SKILL.md"), code=1).stdout
    assert f"{bad / 'SKILL.md'}:2:" in human  # file:line:col: severity RULE message


def test_doctor_and_quickstart(env: dict[str, str]) -> None:
    quick = run_json(env, "quickstart")
    assert len(quick["imported"]) >= 10
    learned = {d["name"]: d for d in quick["learned"]}
    assert set(learned) == {"logging", "commit-workflow"}, quick["learned"]
    assert {d["action"] for d in learned.values()} == {"created"} and quick["extractor"].startswith("rules")
    # The learned convention is found beside the bundled generic `python-logging` example.
    assert "logging" in [h["name"] for h in quick["hits"][:2]]
    again = run_json(env, "quickstart")  # the same session again: nothing new, nothing duplicated
    assert again["job"] == quick["job"] and len(run_json(env, "list")["skills"]) == 2
    assert again["learned"] == [] and not again["job_created"] and again["imported_new"] == []
    assert {d["name"] for d in again["already_learned"]} == set(learned)
    third = run(env, "quickstart").stdout  # and in words: no "add ... (new capability)" for what was there
    assert "(new capability)" not in third and "already learned from" in third and "nothing new" in third
    checks = {c["check"]: c for c in run_json(env, "doctor")["checks"]}
    assert checks["catalog integrity"]["ok"] and checks["skill files"]["ok"] and checks["embeddings"]["ok"]
    assert checks["spec validity"]["ok"], checks["spec validity"]
    # embeddings turned off on purpose is keyword-only search, reported as such, not a failed check
    off = subprocess.run([sys.executable, "-m", "autoskill_mcp.cli", "doctor", "--json", "--embeddings", "none"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert off.returncode == 0, (off.stdout, off.stderr)
    embeddings = next(c for c in json.loads(off.stdout)["checks"] if c["check"] == "embeddings")
    assert embeddings["ok"] and "keywords only" in embeddings["detail"]


def test_library_folders_are_searched_but_never_written(env: dict[str, str], skills_dir: Path) -> None:
    before = {p: p.read_bytes() for p in skills_dir.rglob("*") if p.is_file()}
    hits = run_json(env, "search", "slim docker image", "--library", str(skills_dir), "--scope", "library")["hits"]
    assert hits[0]["name"] == "docker-images" and hits[0]["scope"] == "library"
    err = run_json(env, "delete", "docker-images", "--yes", "--library", str(skills_dir), code=5)
    assert err["type"] == "ReadOnlyError"
    assert {p: p.read_bytes() for p in skills_dir.rglob("*") if p.is_file()} == before


def test_quickstart_without_a_named_store_never_touches_the_users_store(tmp_path: Path) -> None:
    user_home = tmp_path / "user-home"
    user_home.mkdir()
    e = {k: v for k, v in os.environ.items() if not k.startswith("AUTOSKILL_") and k != "XDG_DATA_HOME"}
    e.update(HOME=str(user_home), TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    proc = subprocess.run([sys.executable, "-m", "autoskill_mcp.cli", "quickstart", "--embeddings", "hashing"],
                          capture_output=True, text=True, env=e, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "a demo store, removed when quickstart ends" in proc.stdout and "(new capability)" in proc.stdout
    assert not (user_home / ".local" / "share" / "autoskill").exists()  # the default store was never created
    assert list((tmp_path / "tmp").iterdir()) == []  # and the demo store is gone
    data = json.loads(subprocess.run([sys.executable, "-m", "autoskill_mcp.cli", "quickstart", "--json",
                                      "--embeddings", "hashing"], capture_output=True, text=True, env=e,
                                     timeout=120, check=True).stdout)
    assert data["demo"] is True and data["job_created"] is True and data["learned"]  # a fresh demo each time
    assert not (user_home / ".local" / "share" / "autoskill").exists()
