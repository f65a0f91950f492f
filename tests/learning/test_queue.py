"""The SQLite queue's worker: a job's totals, kill -9 mid-job (the queue's contract on both backends:
test_queue_contract.py; hooks: tests/learning/hooks)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from autoskill_mcp import LocalSkillStore
from autoskill_mcp.learning.queue import JobQueue

HASHING = {"provider": "hashing", "dims": 256}


def env_for(home: Path) -> dict[str, str]:
    env = dict(os.environ, AUTOSKILL_HOME=str(home), AUTOSKILL_USER="alice")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2]) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def conversation(*user_turns: str, filler: int = 0) -> dict[str, object]:
    messages: list[dict[str, str]] = []
    for text in user_turns:
        messages += [{"role": "user", "content": text}, {"role": "assistant", "content": "Done."}]
    for i in range(filler):
        messages += [{"role": "user", "content": f"Now look at module number {i} and tell me what it does."},
                     {"role": "assistant", "content": "It parses the configuration file. " * 20}]
    return {"messages": messages}


def test_a_jobs_totals_count_each_outcome_by_its_word() -> None:
    from autoskill_mcp.learning.maintenance import OUTCOMES, Decision
    from autoskill_mcp.learning.pipeline import LearnResult
    from autoskill_mcp.learning.worker import summarize

    res = LearnResult("s", "x", "rules", decisions=[Decision("created", "a", ""), Decision("merged", "b", ""),
                                                    Decision("merged", "c", ""), Decision("discarded", "d", "")])
    out = summarize([res])
    assert {o: out[o] for o in OUTCOMES} == {"created": 1, "updated": 0, "merged": 2, "unchanged": 0, "discarded": 1}
    assert [d["action"] for d in out["skills"]] == ["created", "merged", "merged", "discarded"]


def test_a_worker_killed_mid_job_leaves_no_duplicate_skill(tmp_path: Path) -> None:
    home = tmp_path / "home"
    transcript = tmp_path / "two_sessions.jsonl"
    durable = conversation("Never use print for logging; always use the logging module.")
    slow = conversation("Summarise the repository.", filler=4000)  # thousands of turns: takes a while to learn from
    transcript.write_text(json.dumps(durable) + "\n" + json.dumps(slow) + "\n")
    with JobQueue(home) as q:
        job_id, _ = q.enqueue_path(transcript, user_id="alice")
    cmd = [sys.executable, "-m", "autoskill_mcp", "worker", "--embeddings", "hashing", "--lease", "1",
           "--idle-exit", "0.5"]
    worker = subprocess.Popen(cmd, env=env_for(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    killed = False
    deadline = time.monotonic() + 60
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store, JobQueue(home) as q:
        while time.monotonic() < deadline:  # kill -9 once the first session's skill is stored, mid-job
            if store.summaries(user_id="alice") and q.get(job_id).state == "running":
                worker.send_signal(signal.SIGKILL)
                killed = True
                break
            if worker.poll() is not None:
                break
            time.sleep(0.005)
        worker.wait(timeout=30)
        assert killed, f"the worker finished before it could be killed mid-job: {worker.stderr.read()[-2000:]!r}"
        assert q.get(job_id).state == "running"
        with sqlite3.connect(home / "catalog.sqlite3") as conn:  # the dead worker's lease runs out (no waiting)
            conn.execute("UPDATE jobs SET lease_until = 0 WHERE id = ?", (job_id,))
        rerun = subprocess.run(cmd, env=env_for(home), capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        job = q.get(job_id)
        assert job.state == "done" and job.attempts == 2
        summaries = store.summaries(user_id="alice")
        assert [s.name for s in summaries] == [summaries[0].name] and len(store.versions(summaries[0].id)) == 1
        sessions = job.result["sessions"]
        assert (
            sessions[0]["skipped"] == "unchanged since the last ingest"
            or sessions[0]["decisions"][0]["action"] == "unchanged"
        )
