"""Scope `project`: a repository's own skills, found from a nested folder, served read-only beside the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from autoskill_mcp.config import AutoSkillConfig
from autoskill_mcp.errors import InvalidInputError, ReadOnlyError
from autoskill_mcp.runtime import skills
from autoskill_mcp.runtime.project import ProjectSkills, ProjectView, project_root, skill_folders
from autoskill_mcp.sdk import AutoSkill
from autoskill_mcp.skill import Scope
from autoskill_mcp.store.layout import MAX_SKILL_MD_BYTES
from autoskill_mcp.store.transfer import PROJECT_SKILL_DIRS
from bench.secret_corpus import leaks, plants

REPO = Path(__file__).resolve().parents[2]
KINDS = {".claude/skills": "claude", ".agents/skills": "agents", ".github/skills": "copilot",
         ".codex/skills": "codex", ".cursor/skills": "cursor", ".gemini/skills": "gemini"}


def write_skill(folder: Path, name: str, description: str, body: str = "Steps.") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    md = folder / "SKILL.md"
    md.write_text(f"---\nname: {name}\ndescription: {description}\n---\n# {name}\n\n{body}\n", encoding="utf-8")
    return md


def make_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src" / "pkg" / "deep").mkdir(parents=True)
    for kind, agent in KINDS.items():
        write_skill(repo / kind / f"{agent}-skill", f"{agent}-skill",
                    f"Run the {agent} checks of this repository before a pull request.")
    return repo


def config(home: Path, user: str = "alice") -> AutoSkillConfig:
    return AutoSkillConfig(store={"provider": "local", "path": str(home)},
                           embeddings={"provider": "hashing", "dims": 256}, default_user=user)


def test_every_agent_folder_is_found_from_a_nested_folder(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    assert set(skill_folders()) == set(KINDS) == set(PROJECT_SKILL_DIRS.values())
    project = ProjectSkills([repo / "src" / "pkg" / "deep"])
    assert project.roots == (repo.resolve(),)
    found = {p.skill.name: p for p in project.skills()}
    assert sorted(found) == sorted(f"{a}-skill" for a in KINDS.values())
    assert all(p.skill.scope == Scope.PROJECT and p.skill.id.startswith("project:") for p in found.values())
    assert project.problems == {}
    # a folder that is no repository is its own project
    plain = tmp_path / "plain"
    write_skill(plain / ".agents" / "skills" / "solo", "solo", "A skill of a folder that is not a repository.")
    assert project_root(plain) == plain.resolve()
    assert [p.skill.name for p in ProjectSkills([plain]).skills()] == ["solo"]


def test_a_bad_skill_md_is_skipped_with_a_problem_and_the_rest_served(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    bad = repo / ".claude" / "skills" / "no-description"
    bad.mkdir()
    (bad / "SKILL.md").write_text("---\nname: no-description\n---\n", encoding="utf-8")
    huge = repo / ".agents" / "skills" / "huge"
    write_skill(huge, "huge", "Too large to serve.", "x" * (MAX_SKILL_MD_BYTES + 10))
    broken = repo / ".github" / "skills" / "broken-yaml"
    broken.mkdir()
    (broken / "SKILL.md").write_bytes(b"---\nname: [unclosed\ndescription: : :\n---\n\xff\xfe")
    project = ProjectSkills([repo])
    names = {p.skill.name for p in project.skills()}
    assert "no-description" not in names and "huge" not in names and "claude-skill" in names
    problems = project.problems
    assert "description" in problems[str(bad / "SKILL.md")]
    assert "limit" in problems[str(huge / "SKILL.md")]
    assert "invalid YAML" in problems[str(broken / "SKILL.md")] and "broken-yaml" not in names


def test_a_link_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    outside = tmp_path / "outside"
    write_skill(outside / "stolen", "stolen", "Lives outside the repository.")
    (outside / "env").write_text("API_KEY=outside\n")
    os.symlink(outside / "stolen", repo / ".claude" / "skills" / "stolen")
    inner = repo / ".agents" / "skills" / "by-link"
    inner.mkdir()
    os.symlink(outside / "stolen" / "SKILL.md", inner / "SKILL.md")
    os.symlink(outside / "env", repo / ".claude" / "skills" / "claude-skill" / "env")
    # a link that stays inside the repository is read, once
    os.symlink(repo / ".agents" / "skills" / "agents-skill", repo / ".cursor" / "skills" / "alias")
    project = ProjectSkills([repo])
    names = [p.skill.name for p in project.skills()]
    assert "stolen" not in names and names.count("agents-skill") == 1
    problems = project.problems
    assert "symbolic link" in problems[str(repo / ".claude" / "skills" / "stolen")]
    assert "symbolic link" in problems[str(inner / "SKILL.md")]
    claude = next(p for p in project.skills() if p.skill.name == "claude-skill")
    assert claude.files == ()  # a linked resource file is not listed, so never served


def test_secrets_are_redacted_on_read(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    token = next(p.secret for p in plants() if p.kind == "github_token")
    folder = repo / ".claude" / "skills" / "deploy"
    write_skill(folder, "deploy", "Deploy the service to staging.", f"export GITHUB_TOKEN={token}")
    (folder / "references").mkdir()
    (folder / "references" / "env.md").write_text(f"token: {token}\n", encoding="utf-8")
    with AutoSkill(config(tmp_path / "home"), project=repo) as sdk:
        hit = next(h for h in sdk.search("deploy staging", scope="project") if h.skill.name == "deploy")
        assert "[REDACTED:github_token]" in hit.skill.instructions
        served = sdk.store.read_skill_md(hit.skill.id) + sdk.store.read_file(hit.skill.id, "references/env.md")
        assert leaks(served) == {} and b"[REDACTED:github_token]" in served
        assert leaks(sdk.render_context("deploy staging", scope="project", level="full").encode()) == {}
    assert token in (folder / "SKILL.md").read_text()  # the repository's file is left as it is
    assert not list((tmp_path / "home").rglob("deploy"))  # and nothing of it is stored


def test_precedence_user_beats_project_beats_shared(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write_skill(repo / ".claude" / "skills" / "release", "release", "The repository release steps, tag and push.")
    write_skill(repo / ".claude" / "skills" / "style", "style",
                "The repository code style with ruff and release notes.")
    home = tmp_path / "home"
    with AutoSkill(config(home)) as plain:
        plain.upsert(name="release", description="My own release steps, tag, push and announce.")
        plain.upsert(name="style", description="The team's shared code style.", scope="shared")
        plain.upsert(name="team-only", description="A shared skill the project does not have.", scope="shared")
    with AutoSkill(config(home), project=repo / "src") as sdk:
        assert isinstance(sdk.store, ProjectView)
        assert sdk.store.find("release", user_id="alice").scope == Scope.USER
        assert sdk.store.find("style", user_id="alice").scope == Scope.PROJECT
        assert sdk.store.find("style", user_id="alice", scope="shared").scope == Scope.SHARED
        assert sdk.store.find("release", user_id="alice", scope="project").scope == Scope.PROJECT
        seen = {s.name: s.scope for s in sdk.store.visible("alice")}
        assert seen["release"] == "user" and seen["style"] == "project" and seen["team-only"] == "shared"
        assert seen["claude-skill"] == "project"
        hits = sdk.search("release steps tag push", limit=10)
        by_name = [(h.skill.name, h.skill.scope.value) for h in hits]
        assert ("release", "user") in by_name and ("release", "project") not in by_name
        style = [(h.skill.name, h.skill.scope.value) for h in sdk.search("code style ruff", limit=10)]
        assert ("style", "project") in style and ("style", "shared") not in style
        only = sdk.search("release steps tag push", scope="project")
        assert only and all(h.skill.scope == Scope.PROJECT for h in only) and only[0].skill.name == "release"
        assert [s.name for s in sdk.list(scope="project")] == sorted(
            [f"{a}-skill" for a in KINDS.values()] + ["release", "style"])
        # bob sees the project too, never alice's own copy
        assert sdk.store.find("release", user_id="bob").scope == Scope.PROJECT
        with pytest.raises(InvalidInputError):
            sdk.search("  ", scope="project")


def test_project_skills_are_read_only_and_writes_to_the_store_still_work(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    with AutoSkill(config(tmp_path / "home"), project=repo) as sdk:
        theirs = sdk.store.find("claude-skill", user_id="alice")
        assert theirs is not None and theirs.scope == Scope.PROJECT
        with pytest.raises(ReadOnlyError, match="project skill"):
            sdk.delete(theirs.id)
        with pytest.raises(ReadOnlyError, match="project skill"):
            sdk.save(theirs.copy(description="changed"))
        with pytest.raises(ReadOnlyError, match="project skill"):
            sdk.rollback(theirs.id)
        with pytest.raises(ReadOnlyError, match="project skill and read-only over MCP"):
            skills.own_skill(sdk.store, "alice", "claude-skill", where="over MCP")
        assert skills.visible_skill(sdk.store, "alice", "claude-skill").scope == Scope.PROJECT
        assert skills.visible_skill(sdk.store, "alice", theirs.id).name == "claude-skill"
        mine = sdk.upsert(name="claude-skill", description="My own copy, which then wins.")
        assert mine.scope == Scope.USER and sdk.store.find("claude-skill", user_id="alice").id == mine.id
        sdk.record_usage(mine.id, used=1)
        assert sdk.store.versions(theirs.id)[0].current
    assert (repo / ".claude" / "skills" / "claude-skill" / "SKILL.md").read_text().count("claude checks") == 1


def test_a_save_into_the_project_only_when_asked(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    token = next(p.secret for p in plants() if p.kind == "github_token")
    home = tmp_path / "home"
    with AutoSkill(config(home), project=repo / "src") as sdk:
        made = sdk.upsert(name="new-one", description="Written into the repository on request.",
                          instructions=f"1. export GITHUB_TOKEN={token}", scope="project")
        md = repo / ".agents" / "skills" / "new-one" / "SKILL.md"
        assert made.scope == Scope.PROJECT and made.redactions == {"github_token": 1} and md.is_file()
        assert token not in md.read_text() and oct(md.stat().st_mode & 0o777) == "0o644"
        assert not list(home.rglob("new-one"))  # the store holds none of it
        again = sdk.upsert(name="new-one", description="Written into the repository on request.",
                           instructions=f"1. export GITHUB_TOKEN={token}", scope="project")
        assert again.version == made.version  # unchanged
        # a name the project already has is written where it is, as a new version
        changed = sdk.upsert(name="claude-skill", description="Changed through autoskill.", scope="project")
        assert changed.version == "0.1.1"
        assert "Changed through autoskill." in (repo / ".claude" / "skills" / "claude-skill" / "SKILL.md").read_text()
        assert not (repo / ".agents" / "skills" / "claude-skill").exists()
        with pytest.raises(InvalidInputError, match="invalid skill name"):
            sdk.upsert(name="../escape", description="No.", scope="project")
    # a link on the way is refused and nothing is written through it
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, repo / ".agents" / "skills" / "linked")
    with AutoSkill(config(home), project=repo) as sdk:
        with pytest.raises(InvalidInputError, match="symbolic link"):
            sdk.upsert(name="linked", description="Would land outside.", scope="project")
    assert list(outside.iterdir()) == []
    with AutoSkill(config(home)) as no_project, pytest.raises(InvalidInputError, match="needs a project"):
        no_project.upsert(name="x", description="No project given.", scope="project")


def eventually(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Poll `condition` until it holds (the folders are looked at again within a second or so)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the change was never picked up"
        time.sleep(0.05)


def test_a_changed_folder_is_read_again(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    project = ProjectSkills([repo])
    assert project.find("late") is None
    write_skill(repo / ".gemini" / "skills" / "late", "late", "Added after the first read.")
    eventually(lambda: project.find("late") is not None)
    pinned = project.pinned()
    md = write_skill(repo / ".gemini" / "skills" / "late", "late", "Changed description, longer than before.")
    os.utime(md, ns=(md.stat().st_atime_ns, md.stat().st_mtime_ns + 2_000_000_000))
    eventually(lambda: getattr(project.find("late"), "skill", None) is not None
               and project.find("late").skill.description == "Changed description, longer than before.")  # type: ignore[union-attr]
    assert pinned.find("late").skill.description == "Added after the first read."  # type: ignore[union-attr]
    md.unlink()
    eventually(lambda: project.find("late") is None)


def test_each_view_has_its_own_project_over_one_store(tmp_path: Path) -> None:
    one, two = make_repo(tmp_path / "a"), tmp_path / "b" / "repo"
    (two / ".git").mkdir(parents=True)
    write_skill(two / ".claude" / "skills" / "only-in-two", "only-in-two", "The second repository's skill.")
    with AutoSkill(config(tmp_path / "home")) as sdk:
        first, second = sdk.with_project(one), sdk.with_project(two)
        assert first.store.find("only-in-two", user_id="alice") is None
        assert second.store.find("only-in-two", user_id="alice") is not None
        assert sdk.store.find("claude-skill", user_id="alice") is None
        first.close()  # a view leaves the shared store open
        assert sdk.store.summaries(user_id="alice") == []


def test_cli_search_and_list_with_scope_project(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOSKILL_")}
    env.update(AUTOSKILL_HOME=str(tmp_path / "home"), AUTOSKILL_USER="alice", PYTHONPATH=str(REPO))

    def run(*args: str, cwd: Path) -> dict:  # type: ignore[type-arg]
        proc = subprocess.run([sys.executable, "-m", "autoskill_mcp.cli", *args, "--embeddings", "hashing", "--json"],
                              capture_output=True, text=True, env=env, cwd=cwd, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)  # type: ignore[no-any-return]

    hits = run("search", "codex checks pull request", "--scope", "project", cwd=repo / "src" / "pkg")["hits"]
    assert hits[0]["name"] == "codex-skill" and hits[0]["scope"] == "project"
    bad = repo / ".claude" / "skills" / "no-description"
    bad.mkdir()
    (bad / "SKILL.md").write_text("---\nname: no-description\n---\n", encoding="utf-8")
    listed = run("list", "--scope", "project", "--project", str(repo), cwd=tmp_path)
    assert sorted(s["name"] for s in listed["skills"]) == sorted(f"{a}-skill" for a in KINDS.values())
    assert [p["path"] for p in listed["problems"]] == [str(bad.resolve() / "SKILL.md")]
    assert run("list", "--scope", "project", cwd=tmp_path)["skills"] == []  # tmp_path holds no skill folders
    bad = subprocess.run([sys.executable, "-m", "autoskill_mcp.cli", "list", "--scope", "project", "--project",
                          str(tmp_path / "nowhere")], capture_output=True, text=True, env=env, cwd=tmp_path,
                         timeout=120)
    assert bad.returncode == 2 and "nowhere does not exist" in bad.stderr


def test_the_project_sits_beside_every_backend(any_store, make_skill, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Local folders or the team store on PostgreSQL: the same precedence, nothing of the project stored."""
    repo = make_repo(tmp_path)
    write_skill(repo / ".claude" / "skills" / "style", "style", "The repository code style with ruff.")
    write_skill(repo / ".claude" / "skills" / "mine", "mine", "The repository's copy of a name alice owns.")
    any_store.save(make_skill("mine"))
    any_store.save(make_skill("style", user="", scope=Scope.SHARED))
    view = ProjectView(any_store, ProjectSkills([repo]))
    seen = {s.name: s.scope for s in view.visible("alice")}
    assert seen["mine"] == "user" and seen["style"] == "project" and seen["claude-skill"] == "project"
    hits = view.search("repository code style ruff", user_id="alice", scope="all", top_k=10)
    assert ("style", Scope.PROJECT) in [(h.skill.name, h.skill.scope) for h in hits]
    assert ("style", Scope.SHARED) not in [(h.skill.name, h.skill.scope) for h in hits]
    assert {s.name for s in any_store.summaries(user_id=None, scope="all")} == {"mine", "style"}
    assert any_store.summaries(user_id="alice", scope="project") == []
