"""`kill -9` at random points of real writes: after a restart nothing is orphaned, half-written or lost."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from bench.bench_concurrency import kill_mcp_servers, kill_workers, store_problems  # noqa: E402 - after races_helpers' path

from .races_helpers import catalog_integrity, cli, cli_env

KILLS = 12

WRITER = textwrap.dedent(
    """
    import sys
    from autoskill_mcp import LocalSkillStore, Skill

    home, run = sys.argv[1], int(sys.argv[2])
    store = LocalSkillStore(home, embeddings={"provider": "hashing", "dims": 256}, background=False)
    files = {f"references/part-{k}.md": (f"# part {k} of run {run}\\n" * 400).encode() for k in range(4)}
    saved = []
    for batch in range(1000):
        # New skills in one transaction (folders, resources, then SKILL.md), then updates of earlier
        # ones (resources and SKILL.md rewritten in place), then a rename: each a kind of write to cut short.
        skills = [Skill(name=f"run{run}-batch{batch}-skill{i}", user_id="alice", files=dict(files),
                        description=f"Skill {i} of batch {batch}. Use in the kill test.", instructions=f"v1 {run}")
                  for i in range(25)]
        print("batch", batch, flush=True)
        saved += store.save_many(skills)
        for i, old in enumerate(saved[-10:]):
            print("update", old.name, flush=True)
            saved[len(saved) - 10 + i] = store.save(old.copy(
                instructions=old.instructions + f" and {batch}",
                files={f"references/part-{k}.md": f"# updated {run}.{batch}\\n".encode() * 300 for k in range(5)}))
        print("rename", saved[-1].name, flush=True)
        saved[-1] = store.save(saved[-1].copy(name=f"renamed-{run}-{batch}"))
        print("delete", saved[0].name, flush=True)
        store.delete(saved.pop(0).id)
    """
)


def test_kill_9_mid_write_leaves_nothing_orphaned_or_half_written_after_a_restart(tmp_path: Path) -> None:
    home = tmp_path / "home"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    rng = random.Random(1306)
    for run in range(KILLS):
        # Unbuffered: each line read is the one just written, so the kill lands as that write begins.
        proc = subprocess.Popen([sys.executable, str(script), str(home), str(run)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, bufsize=0)
        assert proc.stdout is not None
        for _ in range(rng.randint(1, 14)):  # a random point: the n-th write has just begun
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else b""
        # The random point itself: somewhere in the next 30 ms of that write (not a wait for anything).
        threading.Event().wait(rng.uniform(0, 0.03))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        problems = store_problems(home)
        assert problems == [], f"after kill {run + 1}: {problems[:10]}"
    assert catalog_integrity(home) == "ok"
    doctor = subprocess.run(cli("doctor", "--embeddings", "hashing", "--json"), env=cli_env(home),
                            capture_output=True, text=True, timeout=300)
    assert doctor.returncode == 0, doctor.stdout[-3000:] + doctor.stderr[-3000:]
    assert all(c["ok"] for c in json.loads(doctor.stdout)["checks"])
    with sqlite3.connect(home / "catalog.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM skills WHERE deleted = 0").fetchone()[0] > 0


def test_an_import_killed_at_random_points_and_run_again_imports_each_skill_once(tmp_path: Path) -> None:
    from .races_helpers import live_names, write_skill_folders

    home = tmp_path / "home"
    names = [f"imported-skill-{i:04d}" for i in range(1200)]
    src = write_skill_folders(tmp_path / "src", names, tag="import")
    for name in names[::3]:  # some with resources, written before their SKILL.md
        (src / name / "references").mkdir()
        (src / name / "references" / "notes.md").write_text("# notes\n" * 500)
    rng = random.Random(4242)
    for _ in range(4):
        proc = subprocess.Popen(cli("import", str(src), "--embeddings", "hashing", "--json"), env=cli_env(home),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, bufsize=0)
        assert proc.stderr is not None
        threading.Event().wait(rng.uniform(0.4, 1.6))  # the random point itself (the whole import takes ~2.5 s)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert store_problems(home) == []
    done = subprocess.run(cli("import", str(src), "--embeddings", "hashing", "--json"), env=cli_env(home),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert all("already exists" in s["reason"] for s in report["skipped"])
    assert len(report["imported"]) + len(report["skipped"]) == len(names)
    assert live_names(home, "alice") == sorted(names)
    assert store_problems(home) == []


def test_workers_killed_at_random_points_leave_every_job_finished_and_no_duplicate(tmp_path: Path) -> None:
    result = kill_workers(tmp_path, kills=3, jobs=8)
    assert result["problems"] == [] and result["duplicated"] == 0
    assert (result["done"], result["failed"], result["unfinished"]) == (8, 0, 0)
    assert result["skills"] == result["clean_skills"]  # the same skills as a run nobody killed
    assert result["final_exit"] == 0


def test_mcp_servers_killed_at_random_points_keep_every_save_they_answered(tmp_path: Path) -> None:
    result = kill_mcp_servers(tmp_path, kills=3)
    assert result["problems"] == [] and result["lost"] == 0
