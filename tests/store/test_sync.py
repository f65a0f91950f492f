"""`sync_skills`: an agent's skills folder kept equal to the store, touching only the folders it wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autoskill_mcp import LocalSkillStore, Scope
from autoskill_mcp.errors import InvalidInputError
from autoskill_mcp.learning.pipeline import Learner
from autoskill_mcp.learning.queue import JobQueue
from autoskill_mcp.learning.worker import Worker
from autoskill_mcp.store import nofollow
from autoskill_mcp.store.sync import MARKER, TEMP_PREFIX, plan_sync, store_source, sync_skills

HASHING = {"provider": "hashing", "dims": 256}


def sync(store: LocalSkillStore, dest: Path, **kw: object):  # type: ignore[no-untyped-def]
    return sync_skills(store, dest, user_id="alice", source=store_source(store, store.root), **kw)  # type: ignore[arg-type]


def actions(report) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {i.name: i.action for i in report.items}


def folder(path: Path) -> dict[str, bytes]:
    """Every file below `path` (hidden ones too), by relative path."""
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_add_change_delete(store: LocalSkillStore, make_skill, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "agent" / "skills"
    saved = store.save(make_skill("git-commit-messages", files={"templates/msg.txt": b"feat: x\n"}))
    store.save(make_skill("docker-images"))

    first = sync(store, dest)
    assert actions(first) == {"docker-images": "add", "git-commit-messages": "add"} and not first.errors
    assert (dest / "git-commit-messages" / "templates" / "msg.txt").read_bytes() == b"feat: x\n"
    md = (dest / "git-commit-messages" / "SKILL.md").read_text()
    assert md.startswith("---\nname: git-commit-messages\n") and "Do the git-commit-messages thing." in md
    marker = json.loads((dest / "git-commit-messages" / MARKER).read_text())
    assert marker["skill_id"] == saved.id and marker["version"] == saved.version
    assert marker["source"] == str(store.root.resolve())

    assert set(actions(sync(store, dest)).values()) == {"unchanged"}

    changed = store.save(saved.copy(instructions="# git\n\n1. Write an imperative subject of 50 chars."))
    assert changed.version != saved.version
    second = sync(store, dest)
    assert actions(second) == {"docker-images": "unchanged", "git-commit-messages": "update"}
    assert "imperative subject of 50 chars" in (dest / "git-commit-messages" / "SKILL.md").read_text()
    assert json.loads((dest / "git-commit-messages" / MARKER).read_text())["version"] == changed.version

    store.delete(saved.id)
    third = sync(store, dest)
    assert actions(third) == {"docker-images": "unchanged", "git-commit-messages": "remove"}
    assert not (dest / "git-commit-messages").exists()
    assert sorted(p.name for p in dest.iterdir() if not p.name.startswith(".")) == ["docker-images"]
    assert not [p for p in dest.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_a_folder_of_the_users_own_is_never_touched(store: LocalSkillStore, make_skill, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "skills"
    (dest / "docker-images").mkdir(parents=True)
    (dest / "docker-images" / "SKILL.md").write_text("---\nname: docker-images\ndescription: mine\n---\nMine.\n")
    (dest / "my-notes").mkdir()
    (dest / "my-notes" / "SKILL.md").write_text("mine too")
    before = {name: folder(dest / name) for name in ("docker-images", "my-notes")}
    store.save(make_skill("docker-images"))
    store.save(make_skill("git-commit-messages"))

    report = sync(store, dest)
    assert actions(report) == {"docker-images": "skip-foreign", "git-commit-messages": "add"}
    assert "the user's own folder" in report.of("skip-foreign")[0].reason
    assert {name: folder(dest / name) for name in ("docker-images", "my-notes")} == before

    store.delete(store.find("docker-images", user_id="alice").id)  # type: ignore[union-attr]
    sync(store, dest, force=True)  # not even force removes a folder it did not write
    assert {name: folder(dest / name) for name in ("docker-images", "my-notes")} == before


def test_a_folder_another_store_wrote_is_left_to_it(store: LocalSkillStore, make_skill, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "skills"
    with LocalSkillStore(tmp_path / "other", embeddings=HASHING, background=False) as other:
        other.save(make_skill("docker-images"))
        sync_skills(other, dest, user_id="alice", source=store_source(other, other.root))
    theirs = folder(dest / "docker-images")
    store.save(make_skill("docker-images", instructions="# ours\n\n1. Ours."))
    report = sync(store, dest)
    assert actions(report) == {"docker-images": "skip-foreign"}
    assert "another store" in report.items[0].reason
    assert folder(dest / "docker-images") == theirs


def test_a_hand_edited_folder_is_kept_unless_forced(store: LocalSkillStore, make_skill, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "skills"
    saved = store.save(make_skill("git-commit-messages"))
    sync(store, dest)
    md = dest / "git-commit-messages" / "SKILL.md"
    md.write_text(md.read_text() + "\nMy own note.\n")
    edited = md.read_bytes()

    store.save(saved.copy(instructions="# git\n\n1. A newer version."))
    report = sync(store, dest)
    assert actions(report) == {"git-commit-messages": "skip-edited"} and "edited by hand" in report.items[0].reason
    assert md.read_bytes() == edited
    assert actions(plan_sync(store, dest, user_id="alice", source=store_source(store, store.root),
                             force=True)) == {"git-commit-messages": "update"}
    assert md.read_bytes() == edited  # planning wrote nothing

    forced = sync(store, dest, force=True)
    assert actions(forced) == {"git-commit-messages": "update"} and "A newer version." in md.read_text()

    (dest / "git-commit-messages" / "extra.md").write_text("added by hand")  # a new file is an edit too
    store.delete(saved.id)
    assert actions(sync(store, dest)) == {"git-commit-messages": "skip-edited"}
    assert (dest / "git-commit-messages" / "extra.md").exists()
    assert actions(sync(store, dest, force=True)) == {"git-commit-messages": "remove"}
    assert not (dest / "git-commit-messages").exists()


def test_dest_missing_is_created_and_a_dry_run_writes_nothing(store: LocalSkillStore, make_skill,  # type: ignore[no-untyped-def]
                                                               tmp_path: Path) -> None:
    dest = tmp_path / "not" / "yet"
    store.save(make_skill("git-commit-messages"))
    plan = sync(store, dest, dry_run=True)
    assert actions(plan) == {"git-commit-messages": "add"} and not plan.applied and not dest.exists()
    assert actions(sync(store, dest)) == {"git-commit-messages": "add"}
    assert (dest / "git-commit-messages" / "SKILL.md").is_file()

    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(InvalidInputError, match="cannot sync into"):
        sync(store, a_file)
    assert a_file.read_text() == "x"


def test_scopes_choose_what_is_synced(store: LocalSkillStore, make_skill, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store.save(make_skill("mine-only"))
    store.save(make_skill("team-wide", scope=Scope.SHARED))
    store.save(make_skill("bobs-own", user="bob"))
    assert actions(sync(store, tmp_path / "all")) == {"mine-only": "add", "team-wide": "add"}
    assert actions(sync(store, tmp_path / "user", scope="user")) == {"mine-only": "add"}
    assert actions(sync(store, tmp_path / "shared", scope="shared")) == {"team-wide": "add"}
    with pytest.raises(InvalidInputError, match="unknown scope"):
        sync(store, tmp_path / "x", scope="everything")


def test_names_and_folders_cannot_leave_the_destination(store: LocalSkillStore, make_skill, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError):
        store.save(make_skill("../escape"))
    lib = tmp_path / "lib"
    (lib / "evil").mkdir(parents=True)
    (lib / "evil" / "SKILL.md").write_text("---\nname: ../../escape\ndescription: Escapes. Use never.\n---\nx\n")
    dest = tmp_path / "out" / "skills"
    with LocalSkillStore(tmp_path / "home2", embeddings=HASHING, background=False, library_dirs=[lib]) as s:
        report = sync_skills(s, dest, user_id="alice", source=store_source(s, s.root))
    assert report.items == [] and [p.name for p in dest.iterdir() if not p.name.startswith(".")] == []
    assert not (tmp_path / "out" / "escape").exists() and not (tmp_path / "escape").exists()

    outside = tmp_path / "outside"
    outside.mkdir()
    store.save(make_skill("linked"))
    dest2 = tmp_path / "skills2"
    dest2.mkdir()
    (dest2 / "linked").symlink_to(outside, target_is_directory=True)  # a link where our folder would go
    assert actions(sync(store, dest2)) == {"linked": "skip-foreign"}
    assert list(outside.iterdir()) == []


def test_a_failed_write_leaves_the_old_folder_whole(store: LocalSkillStore, make_skill, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "skills"
    saved = store.save(make_skill("git-commit-messages", files={"a.txt": b"a", "b.txt": b"b"}))
    sync(store, dest)
    before = folder(dest / "git-commit-messages")
    store.save(saved.copy(instructions="# git\n\n1. Newer.", files={"a.txt": b"A", "b.txt": b"B"}))

    real, calls = nofollow.write_file, []

    def failing(root: Path, rel: str, data: bytes, *, durable: bool = True) -> Path:
        calls.append(rel)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(root, rel, data, durable=durable)

    monkeypatch.setattr(nofollow, "write_file", failing)
    report = sync(store, dest)
    assert report.errors and report.errors[0][0] == "git-commit-messages" and "No space" in report.errors[0][1]
    assert folder(dest / "git-commit-messages") == before
    assert not [p for p in dest.iterdir() if p.name.startswith(TEMP_PREFIX)]

    monkeypatch.setattr(nofollow, "write_file", real)
    (dest / f"{TEMP_PREFIX}new-git-commit-messages-0123456789ab").mkdir()  # what a killed sync leaves
    assert actions(sync(store, dest)) == {"git-commit-messages": "update"}
    assert (dest / "git-commit-messages" / "a.txt").read_bytes() == b"A"
    assert not [p for p in dest.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_an_agent_profile_is_part_of_what_is_synced(store: LocalSkillStore, make_skill, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "skills"
    store.save(make_skill("deploy", extensions={"disable-model-invocation": True}))
    sync(store, dest, profile="spec")
    spec = (dest / "deploy" / "SKILL.md").read_text()
    assert actions(sync(store, dest, profile="claude-code")) == {"deploy": "update"}
    claude = (dest / "deploy" / "SKILL.md").read_text()
    assert "disable-model-invocation: true" in claude and claude != spec
    assert actions(sync(store, dest, profile="claude-code")) == {"deploy": "unchanged"}


def _learnable() -> str:
    return json.dumps({"messages": [
        {"role": "user", "content": "Always use the logging module instead of print in this repo, never print()."},
        {"role": "assistant", "content": "Done."}]})


def test_the_worker_syncs_after_a_job_that_stored_skills(tmp_path: Path) -> None:
    home, dest, bad = tmp_path / "home", tmp_path / "agent-skills", tmp_path / "a-file"
    bad.write_text("not a folder")
    home.mkdir()
    (home / "config.toml").write_text(f'default_user = "alice"\n[sync]\ndests = [{json.dumps(str(dest))}, '
                                      f'{json.dumps(str(bad))}]\nscope = "user"\n')
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store, JobQueue(home) as q:
        job_id, _ = q.enqueue_content(_learnable(), user_id="alice")
        Worker(q, Learner(store)).run_once()
        job = q.get(job_id)
        assert job is not None and job.state == "done" and job.result is not None
        names = sorted(s.name for s in store.visible("alice", scope="user"))
        assert names and sorted(p.name for p in dest.iterdir() if not p.name.startswith(".")) == names
        good, failed = job.result["sync"]
        assert good["dest"] == str(dest) and good["counts"] == {"add": len(names)} and not good["errors"]
        assert failed["dest"] == str(bad) and failed["errors"]  # reported in the job, the job still done
        assert bad.read_text() == "not a folder"

        other, _ = q.enqueue_content(_learnable().replace("logging module", "pathlib module"), user_id="bob")
        Worker(q, Learner(store)).run_once()
        bobs = q.get(other)
        assert bobs is not None and bobs.state == "done" and "sync" not in (bobs.result or {})


def test_a_bad_sync_table_is_reported_in_the_job_and_the_job_still_succeeds(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('default_user = "alice"\n[sync]\ntargets = ["no-such-agent"]\n')
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store, JobQueue(home) as q:
        job_id, _ = q.enqueue_content(_learnable(), user_id="alice")
        Worker(q, Learner(store)).run_once()
        job = q.get(job_id)
        assert job is not None and job.state == "done" and job.result is not None and job.result["created"] >= 1
        (entry,) = job.result["sync"]
        assert entry["dest"] is None and "unknown agent 'no-such-agent'" in entry["errors"][0]
