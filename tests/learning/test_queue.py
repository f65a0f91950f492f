"""The durable queue and its worker: dedupe, leases, retries, kill -9 mid-job (hooks: tests/learning/hooks)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autoskill_mcp import LocalSkillStore
from autoskill_mcp.learning.queue import MAX_ATTEMPTS, JobQueue

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


def test_one_job_per_file_state(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(conversation("hello")))
    with JobQueue(tmp_path / "home") as q:
        first, created = q.enqueue_path(path, user_id="alice")
        assert created
        assert q.enqueue_path(path, user_id="alice") == (first, False)  # PreCompact then SessionEnd, unchanged
        assert q.enqueue_path(path, user_id="bob")[1]                  # another user's learning is separate
        path.write_text(json.dumps(conversation("hello", "more")))
        os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
        grown, created = q.enqueue_path(path, user_id="alice")
        assert created and grown != first
        with pytest.raises(FileNotFoundError):
            q.enqueue_path(tmp_path / "missing.json", user_id="alice")
        with pytest.raises(ValueError, match="limit"):
            q.enqueue_content(b"x" * (16 * 1024 * 1024 + 1), user_id="alice")


def test_leases_expire_and_a_stale_worker_cannot_finish_a_job(tmp_path: Path) -> None:
    with JobQueue(tmp_path) as q:
        job_id, _ = q.enqueue_content("{}", user_id="alice")
        assert q.claim("w1", lease=30).id == job_id
        assert q.claim("w2") is None  # leased
        q._conn.execute("UPDATE jobs SET lease_until = 0 WHERE id = ?", (job_id,))  # w1 went silent: its lease ran out
        again = q.claim("w2", lease=30)
        assert again.id == job_id and again.attempts == 2
        assert not q.heartbeat(job_id, "w1") and not q.complete(job_id, "w1", {"late": True})
        assert q.complete(job_id, "w2", {"ok": True}) and q.get(job_id).result == {"ok": True}


def test_a_result_stored_with_the_old_outcome_words_reads_in_todays(tmp_path: Path) -> None:
    a, b, c = ({"name": "a", "action": "add"}, {"name": "b", "action": "merge"}, {"name": "c", "action": "discard"})
    old = {"sessions": [{"session_id": "s", "decisions": [dict(a), dict(b)]}], "added": 1, "merged": 1,
           "discarded": 0, "unchanged": 0, "skills": [a, b, c], "llm_calls": 0, "extractor": "rules"}
    with JobQueue(tmp_path) as q:
        job_id, _ = q.enqueue_content("{}", user_id="alice")
        assert q.claim("w1", lease=30) is not None and q.complete(job_id, "w1", old)
        result = q.get(job_id).result
    assert (result["created"], result["updated"], result["merged"], result["discarded"]) == (1, 0, 1, 0)
    assert "added" not in result
    assert [d["action"] for d in result["skills"]] == ["created", "merged", "discarded"]
    assert [d["action"] for d in result["sessions"][0]["decisions"]] == ["created", "merged"]


def test_a_jobs_totals_count_each_outcome_by_its_word() -> None:
    from autoskill_mcp.learning.maintenance import OUTCOMES, Decision
    from autoskill_mcp.learning.pipeline import LearnResult
    from autoskill_mcp.learning.worker import summarize

    res = LearnResult("s", "x", "rules", decisions=[Decision("created", "a", ""), Decision("merged", "b", ""),
                                                    Decision("merged", "c", ""), Decision("discarded", "d", "")])
    out = summarize([res])
    assert {o: out[o] for o in OUTCOMES} == {"created": 1, "updated": 0, "merged": 2, "unchanged": 0, "discarded": 1}
    assert [d["action"] for d in out["skills"]] == ["created", "merged", "merged", "discarded"]


def test_failures_retry_with_backoff_then_stay_failed(tmp_path: Path) -> None:
    with JobQueue(tmp_path) as q:
        job_id, _ = q.enqueue_content("{}", user_id="alice")
        for attempt in range(1, MAX_ATTEMPTS + 1):
            q._conn.execute("UPDATE jobs SET not_before = 0 WHERE id = ?", (job_id,))  # skip the backoff wait
            job = q.claim("w")
            assert job is not None and job.attempts == attempt
            q.fail(job_id, "w", "network down", retry=True)
        assert q.get(job_id).state == "failed" and q.get(job_id).error == "network down"
        assert q.retry(job_id) and q.get(job_id).state == "queued"


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
