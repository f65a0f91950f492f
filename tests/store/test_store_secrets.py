"""No secret lands in a stored skill, whichever way it is written: SDK upsert and save, maintenance
(what the MCP server and the language server save through), import of skill folders, rollback.

Each test reads every byte under the store folder (skill files, catalog.sqlite3 and its WAL,
snapshots): the stored skill is everything the store keeps, not what `get` returns.
"""

from __future__ import annotations

from pathlib import Path

from autoskill_mcp import AutoSkill, AutoSkillConfig, LocalSkillStore, Skill
from autoskill_mcp.learning.maintenance import Maintainer
from autoskill_mcp.store import import_skill_dirs
from bench.secret_corpus import leaks, plants

HASHING = {"provider": "hashing", "dims": 256}


def secret(kind: str) -> str:
    return next(p.secret for p in plants() if p.kind == kind)


def store_bytes(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file())


def sdk_on(home: Path) -> AutoSkill:
    return AutoSkill(AutoSkillConfig(store={"provider": "local", "path": str(home)}, embeddings=HASHING,
                                     default_user="alice"))


def test_sdk_upsert_stores_no_secret_and_says_what_it_removed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with sdk_on(home) as sdk:
        skill = sdk.upsert(
            name="deploy-staging", description=f"Deploys to staging with {secret('github_token')}.",
            instructions=f"1. export AWS_ACCESS_KEY_ID={secret('aws_access_key_id')}\n"
                         f"2. my password is {secret('secret_assignment')}, log in.",
            tags=["deploy"], triggers=[f"deploy with {secret('slack_token')}"],
            files={"scripts/env.sh": f"export OPENAI_API_KEY={secret('openai_api_key')}\n"})
        assert skill.redactions == {"github_token": 1, "aws_access_key_id": 1, "password_in_prose": 1,
                                    "slack_token": 1, "openai_api_key": 1}
        got = sdk.store.get(skill.id, include_files=True)
        assert got is not None and "[REDACTED:github_token]" in got.description
        assert b"[REDACTED:openai_api_key]" in got.files["scripts/env.sh"]
        clean = sdk.upsert(name="deploy-staging", description="Deploys to staging.", instructions="1. make deploy")
        assert clean.redactions == {}
    assert leaks(store_bytes(home)) == {}


def test_sdk_save_of_a_skill_object_stores_no_secret(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with sdk_on(home) as sdk:
        saved = sdk.save(Skill(name="ci-notify", description="Posts CI results to chat.", user_id="alice",
                               instructions=f"Post to {secret('slack_webhook')} after the build.",
                               metadata={"owner-token": secret("npm_token")}))
        assert set(saved.redactions) == {"slack_webhook", "npm_token"}
    assert leaks(store_bytes(home)) == {}


def test_maintenance_saves_and_merges_without_secrets(tmp_path: Path) -> None:
    """The MCP server's save_skill and the language server's saveToStore write through Maintainer."""
    home = tmp_path / "home"
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store:
        maintainer = Maintainer(store)
        body = f"# Deploy\n\n- Always use {secret('anthropic_api_key')} for the model."
        added = maintainer.save_skill(Skill(name="model-calls", description="Calls the model.", instructions=body),
                                      user_id="alice")
        assert added.action == "created" and added.redacted == {"anthropic_api_key": 1}
        assert added.to_dict()["redacted"] == {"anthropic_api_key": 1}
        again = maintainer.save_skill(Skill(name="model-calls", description="Calls the model.", instructions=body),
                                      user_id="alice")
        assert again.action == "unchanged"  # the same words, redacted the same way: no new version
    assert leaks(store_bytes(home)) == {}


def test_an_imported_skill_folder_keeps_no_secret_and_the_report_says_so(tmp_path: Path) -> None:
    src, home = tmp_path / "src", tmp_path / "home"
    leaky, clean = src / "leaky-deploy", src / "clean-skill"
    (leaky / "references").mkdir(parents=True)
    clean.mkdir(parents=True)
    md = (f"---\nname: leaky-deploy\ndescription: Deploys with the key {secret('stripe_key')}.\n---\n"
          f"# Deploy\n\nRun with DATABASE_URL=postgresql://app:{secret('database_url_password')}@db/app\n")
    (leaky / "SKILL.md").write_text(md, encoding="utf-8")
    (leaky / "references" / "notes.md").write_text(f"token: {secret('gitlab_token')}\n", encoding="utf-8")
    clean_md = "---\nname: clean-skill\ndescription: Says hello. Use when greeting.\n---\n# Hello\n"
    (clean / "SKILL.md").write_text(clean_md, encoding="utf-8")
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store:
        report = import_skill_dirs(store, src, user_id="alice")
        assert sorted(report.imported) == ["clean-skill", "leaky-deploy"]
        assert report.redacted == {"leaky-deploy": {"stripe_key": 1, "database_url_password": 1, "gitlab_token": 1}}
        assert report.to_dict()["redacted"] == {"leaky-deploy": {"stripe_key": 1, "database_url_password": 1,
                                                                 "gitlab_token": 1}}
        stored = store.skill_dir(store.find("clean-skill", user_id="alice").id) / "SKILL.md"
        assert stored.read_text(encoding="utf-8") == clean_md  # a clean skill keeps its bytes
    assert leaks(store_bytes(home)) == {}


def test_a_rollback_to_a_version_written_before_redaction_stores_no_secret(tmp_path: Path) -> None:
    """History written by an older autoskill may hold a secret; bringing it back writes it through redaction."""
    home = tmp_path / "home"
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store:
        first = store.save(Skill(name="old-notes", description="Notes.", instructions="v1", user_id="alice"))
        store.save(first.copy(instructions="v2"))
        with store.catalog.write() as conn:
            conn.execute("UPDATE versions SET skill_md = replace(skill_md, 'v1', ?) WHERE skill_id = ?",
                         (f"use {secret('github_token')}", first.id))
        restored = store.rollback(first.id, "#1")
        assert restored.redactions == {"github_token": 1}
        assert "[REDACTED:github_token]" in restored.instructions
        history = store.catalog.versions(first.id)[-1].skill_md.encode()
        written = (store.skill_dir(first.id) / "SKILL.md").read_bytes() + history
        assert leaks(written) == {}


def test_a_skill_file_edited_by_hand_or_in_a_library_leaves_no_secret_in_the_catalog(tmp_path: Path) -> None:
    """The files are the user's to keep; the catalog's history, index and blobs of them are ours."""
    home, library = tmp_path / "home", tmp_path / "team-skills"
    (library / "team-deploy" / "scripts").mkdir(parents=True)
    (library / "team-deploy" / "SKILL.md").write_text(
        f"---\nname: team-deploy\ndescription: Deploys. Use when shipping.\n---\nUse {secret('groq_api_key')}.\n",
        encoding="utf-8")
    (library / "team-deploy" / "scripts" / "run.sh").write_text(f"HF_TOKEN={secret('huggingface_token')}\n")
    with LocalSkillStore(home, embeddings=HASHING, background=False, library_dirs=[library]) as store:
        mine = store.save(Skill(name="my-notes", description="Notes. Use when noting.", instructions="v1",
                                user_id="alice"))
        path = store.skill_dir(mine.id) / "SKILL.md"
        path.write_text(path.read_text(encoding="utf-8").replace("v1", f"use {secret('xai_api_key')}"),
                        encoding="utf-8")
        store.sync()
        assert "[REDACTED:xai_api_key]" in store.catalog.versions(mine.id)[-1].skill_md
        team = store.find("team-deploy", user_id="alice")
        assert team is not None and team.scope.value == "library"
        store.search("deploy", user_id="alice", wait=True)
        store.save_index_snapshot(force=True)
    catalog = b"".join(p.read_bytes() for p in home.glob("**/*") if p.is_file() and p.name != "SKILL.md")
    assert leaks(catalog) == {}
