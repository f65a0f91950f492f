"""Several real processes write to one store at once: nothing is lost or corrupted."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from autoskill_mcp import LocalSkillStore, Skill, skillmd

HASHING = {"provider": "hashing", "dims": 256}
WRITERS = 4
SKILLS_EACH = 100
UPDATES_EACH = 15

WORKER = textwrap.dedent(
    """
    import sys
    from autoskill_mcp import ConflictError, LocalSkillStore, Skill

    home, worker, n_skills, n_updates = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    store = LocalSkillStore(home, embeddings={"provider": "hashing", "dims": 256})
    batch = [
        Skill(name=f"w{worker}-skill-{i}", description=f"Skill {i} of worker {worker}. Use when testing.",
              instructions=f"step {i}", user_id="shared-user")
        for i in range(n_skills)
    ]
    half = n_skills // 2
    for skill in batch[:half]:          # one transaction each
        store.save(skill)
    store.save_many(batch[half:])       # batched
    done = attempts = 0
    while done < n_updates:              # read-modify-write on one hot skill, optimistic
        attempts += 1
        if attempts > 50 * n_updates:    # a stale view would retry forever: fail instead
            sys.exit(f"worker {worker}: livelock after {attempts} attempts")
        hot = store.find("hot-skill", user_id="shared-user")
        try:
            store.save(hot.copy(instructions=hot.instructions + f"\\nline w{worker}-{done}"),
                       expected_version=hot.version)
            done += 1
        except ConflictError:
            continue
    store.close()
    print("ok")
    """
)


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with LocalSkillStore(home, embeddings=HASHING) as store:
        hot = store.save(Skill(name="hot-skill", description="A contended skill. Use in tests.",
                               instructions="start", user_id="shared-user"))
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    procs = [
        subprocess.Popen([sys.executable, str(script), str(home), str(w), str(SKILLS_EACH), str(UPDATES_EACH)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for w in range(WRITERS)
    ]
    # A reader in this process keeps searching while they write.
    with LocalSkillStore(home, embeddings=HASHING) as reader:
        deadline = time.monotonic() + 300
        while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
            reader.summaries(user_id="shared-user")
            reader.search("worker skill", user_id="shared-user", top_k=3)
        outputs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outputs, strict=True):
            assert p.returncode == 0, err
            assert out.strip() == "ok"

        names = {s.name for s in reader.summaries(user_id="shared-user")}
        expected = {f"w{w}-skill-{i}" for w in range(WRITERS) for i in range(SKILLS_EACH)} | {"hot-skill"}
        assert names == expected
        final = reader.get(hot.id)
        lines = final.instructions.splitlines()
        assert sorted(lines[1:]) == sorted(f"line w{w}-{j}" for w in range(WRITERS) for j in range(UPDATES_EACH))
        history = reader.versions(hot.id)
        assert len(history) == 1 + WRITERS * UPDATES_EACH
        assert final.version == f"0.1.{WRITERS * UPDATES_EACH}"
        assert len({v.version for v in history}) == len(history)  # no version written twice

    # Every folder is a valid skill and the catalog is intact.
    for folder in (home / "Users" / "shared-user").iterdir():
        parsed = skillmd.parse((folder / "SKILL.md").read_bytes())
        assert skillmd.to_skill(parsed, dir_name=folder.name).skill is not None
    with sqlite3.connect(home / "catalog.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (live,) = conn.execute("SELECT COUNT(*) FROM skills WHERE deleted = 0").fetchone()
        assert live == len(expected)
    assert not list(home.rglob("*.tmp"))  # no torn temp files left behind
