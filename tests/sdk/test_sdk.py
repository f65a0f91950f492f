"""The SDK keeps AutoSkill's surface: its documented calls run unchanged but for the import."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autoskill_mcp import AutoSkill, AutoSkillConfig, SkillHit


@pytest.fixture
def sdk(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = AutoSkill(AutoSkillConfig(
        llm={"provider": "mock"},
        embeddings={"provider": "hashing", "dims": 256},
        store={"provider": "local", "path": str(tmp_path / "SkillBank")},
    ))
    yield s
    s.close()


def test_seed_calls_run_unchanged(sdk: AutoSkill, tmp_path: Path) -> None:
    skill = sdk.upsert(
        user_id="u1", name="commit-style", description="Writes commit messages. Use when committing.",
        instructions="Imperative subject under 72 characters.", triggers=["commit"], tags=["git"],
        examples=[{"input": "fix bug", "output": "fix: handle empty input"}],
    )
    hits = sdk.search("how do I write a commit message", user_id="u1", limit=3)
    assert isinstance(hits[0], SkillHit) and hits[0].skill.id == skill.id and hits[0].score > 0
    assert sdk.get(skill.id).examples[0].output == "fix: handle empty input"
    assert [s.name for s in sdk.list(user_id="u1")] == ["commit-style"]
    assert [s.name for s in sdk.get_all(user_id="u1")] == ["commit-style"]
    md = sdk.export_skill_md(skill.id)
    assert md.startswith("---\n") and "name: commit-style" in md
    assert set(sdk.export_skill_dir(skill.id)) == {"SKILL.md"}
    written = sdk.write_skill_dirs(user_id="u1", root_dir=str(tmp_path / "out"))
    assert [Path(p).name for p in written] == ["commit-style"]
    imported = sdk.import_agent_skill_dirs(root_dir=str(tmp_path / "out"), user_id="u2")
    assert [s.name for s in imported] == ["commit-style"]
    context = sdk.render_context("commit message", user_id="u1")
    assert "commit-style" in context and "reference data" in context
    assert sdk.delete(skill.id) is True and sdk.get(skill.id) is None


def test_from_config_dict_and_inmemory_store() -> None:
    sdk = AutoSkill.from_config({"embeddings": {"provider": "hashing", "dims": 128},
                                 "store": {"provider": "inmemory"}, "some_future_key": 1})
    try:
        assert sdk.config.extra == {"some_future_key": 1}
        sdk.upsert(user_id="u1", name="a-skill", description="Does A. Use for A.")
        assert len(sdk.list(user_id="u1")) == 1
        root = sdk.store.root
    finally:
        sdk.close()
    assert not root.exists()


def test_upsert_same_id_bumps_version_and_rollback(sdk: AutoSkill) -> None:
    first = sdk.upsert(user_id="u1", name="style", description="Style rules. Use always.", instructions="one")
    second = sdk.upsert(user_id="u1", skill_id=first.id, name="style", description="Style rules. Use always.",
                        instructions="two")
    assert (first.version, second.version) == ("0.1.0", "0.1.1")
    assert [v.version for v in sdk.versions(first.id)] == ["0.1.0", "0.1.1"]
    assert sdk.get_version(first.id, "0.1.0").instructions == "one"
    assert sdk.rollback(first.id).instructions == "one"


def test_sdk_and_cli_share_the_default_store_and_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOSKILL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AUTOSKILL_USER", "carol")
    with AutoSkill(AutoSkillConfig(embeddings={"provider": "hashing"})) as sdk:
        sdk.upsert(name="shared-default", description="Checks defaults. Use in tests.")
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "autoskill_mcp.cli", "list", "--json"],
                         capture_output=True, text=True, env=os.environ.copy(), check=True)
    assert [s["name"] for s in json.loads(out.stdout)["skills"]] == ["shared-default"]
    assert json.loads(out.stdout)["skills"][0]["owner"] == "carol"


def test_config_file_sets_default_user_and_embeddings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOSKILL_USER", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('default_user = "dave"\n[embeddings]\nprovider = "hashing"\ndims = 64\n')
    cfg = AutoSkillConfig(store={"path": str(home)})
    assert cfg.resolved_user() == "dave"
    assert cfg.resolved_embeddings() == {"provider": "hashing", "dims": 64}
    (home / "config.toml").write_text("not = [valid toml")
    from autoskill_mcp import ConfigError

    with pytest.raises(ConfigError, match="config.toml"):
        AutoSkillConfig(store={"path": str(home)}).resolved_user()


def test_importing_the_package_loads_neither_numpy_nor_the_store() -> None:
    """Hooks and servers import the package on their start-up path: it must stay cheap."""
    import subprocess
    import sys

    code = (
        "import sys, autoskill_mcp, autoskill_mcp.retrieval\n"
        "heavy = [m for m in ('numpy', 'onnxruntime', 'autoskill_mcp.store.local', 'autoskill_mcp.sdk') if m in "
        "sys.modules]\nprint(heavy)\n"
        "from autoskill_mcp import AutoSkill, LocalSkillStore\n"
        "print(AutoSkill.__name__, LocalSkillStore.__name__, 'render_context' in dir(autoskill_mcp))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "AutoSkill LocalSkillStore True"


def test_upsert_without_an_id_updates_the_skill_of_that_name(sdk: AutoSkill) -> None:
    first = sdk.upsert(user_id="u1", name="style", description="Style rules. Use always.", instructions="one")
    again = sdk.upsert(user_id="u1", name="style", description="Style rules. Use always.", instructions="one")
    second = sdk.upsert(user_id="u1", name="style", description="Style rules. Use always.", instructions="two")
    assert first.id == again.id == second.id
    assert (first.version, again.version, second.version) == ("0.1.0", "0.1.0", "0.1.1")
    other = sdk.upsert(user_id="u2", name="style", description="Style rules. Use always.", instructions="u2")
    shared = sdk.upsert(name="style", description="Style rules. Use always.", instructions="team", scope="shared")
    assert len({first.id, other.id, shared.id}) == 3  # another user's and the shared skill are other skills
    assert sdk.get(first.id).instructions == "two"
