"""What only the team store's queue (PostgreSQL) does: it is the queue of every process on a team
store, chosen from the store or from the settings alone; a path job waits for a worker on the machine
holding its file; and a worker killed mid-job on one machine leaves its job to another machine's
worker, which finishes it once. The contract both queues keep is test_queue_contract.py's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from autoskill_mcp import AutoSkill, AutoSkillConfig, LocalSkillStore
from autoskill_mcp.learning.queue import JobQueue, configured_queue, open_queue
from autoskill_mcp.learning.queue_pg import PgJobQueue
from autoskill_mcp.runtime.project import ProjectSkills, ProjectView
from autoskill_mcp.serve.extraction import Conversation, ExtractionHook
from autoskill_mcp.store.postgres import PostgresSkillStore
from bench.fake_llm import FakeLLM

HASHING = {"provider": "hashing", "dims": 256}
ROOT = Path(__file__).resolve().parents[2]
#: settings of the machine that must not reach the test: keys, another store, another model
AMBIENT = ("AUTOSKILL_STORE_URL", "AUTOSKILL_HOME", "OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY",
           "AUTOSKILL_LLM_PROVIDER", "AUTOSKILL_LLM_MODEL", "AUTOSKILL_LLM_BASE_URL", "AUTOSKILL_LLM_API_KEY")
DIRECTIVES = {"messages": [
    {"role": "user", "content": "Add retries to the payment client."},
    {"role": "assistant", "content": "I added a retry loop with print statements."},
    {"role": "user", "content": "No. Never use print for diagnostics. Always use the logging module with a "
                                "module-level logger."},
]}


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in AMBIENT:
        monkeypatch.delenv(var, raising=False)


def machine(root: Path, dsn: str, llm: str | None = None) -> Path:
    """A member's home on a machine of the team: only a config.toml naming the team store (and a model)."""
    root.mkdir(parents=True)
    text = f'default_user = "alice"\n[store]\nurl = "{dsn}"\n[embeddings]\nprovider = "hashing"\ndims = 256\n'
    if llm is not None:
        text += (f'[llm]\nprovider = "openai"\nbase_url = "{llm}"\nmodel = "fake-model"\napi_key = "t"\n'
                 "requests_per_minute = 0\n")
    (root / "config.toml").write_text(text, encoding="utf-8")
    return root


def test_every_process_on_a_team_store_gets_its_queue(pg_dsn: str, tmp_path: Path) -> None:
    home = machine(tmp_path / "home", pg_dsn)
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False) as store:
        direct = open_queue(store, home)
        in_view = open_queue(ProjectView(store, ProjectSkills.of([])), home)  # the SDK's store with a project
        assert isinstance(direct, PgJobQueue) and isinstance(in_view, PgJobQueue)
        assert direct.pool is store.pool and in_view.pool is store.pool  # the store's connections
        job_id, _ = direct.enqueue_content("{}", user_id="alice")
        in_view.close()  # the pool is the store's: closing a queue on it closes nothing
        with configured_queue(AutoSkillConfig(store={"path": str(home)})) as from_settings:  # a hook's
            assert isinstance(from_settings, PgJobQueue) and from_settings.pool is not store.pool
            assert from_settings.get(job_id) is not None
        assert direct.get(job_id) is not None
        with pytest.raises(ValueError, match="needs a home"):
            open_queue(store)
    with AutoSkill(AutoSkillConfig(store={"path": str(home)})) as sdk:
        assert isinstance(sdk.queue, PgJobQueue) and sdk.queue.get(job_id) is not None
    local = tmp_path / "local"
    with LocalSkillStore(local, embeddings=HASHING, background=False) as store, open_queue(store) as q:
        assert type(q) is JobQueue and q.home == local
    with configured_queue(AutoSkillConfig(store={"path": str(local)})) as q:
        assert type(q) is JobQueue


def test_a_path_job_waits_for_a_worker_on_the_machine_with_the_file(pg_dsn: str, tmp_path: Path) -> None:
    transcript = tmp_path / "session.json"
    transcript.write_text(json.dumps(DIRECTIVES), encoding="utf-8")
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False) as store:
        laptop = PgJobQueue(store.pool, home=tmp_path, host="laptop")
        server = PgJobQueue(store.pool, home=tmp_path, host="build-server")
        path_job, _ = laptop.enqueue_path(transcript, user_id="alice")
        inline_job, _ = laptop.enqueue_content(json.dumps(DIRECTIVES), user_id="alice")
        server_job, created = server.enqueue_path(transcript, user_id="alice")
        assert created and server_job != path_job  # the same path on another machine is another file
        assert laptop.enqueue_path(transcript, user_id="alice") == (path_job, False)
        taken = {job.id for job in (server.claim("server-worker"), server.claim("server-worker")) if job}
        assert taken == {inline_job, server_job}  # inline content runs anywhere, a file where it is
        assert server.claim("server-worker") is None  # the laptop's file is not on the server
        mine = laptop.claim("laptop-worker")
        assert mine is not None and mine.id == path_job
        laptop.worker_alive("laptop-worker")
        assert laptop.live_workers(host="laptop") == 1 and server.live_workers(host="build-server") == 0


def test_the_serve_proxys_conversations_go_to_the_team_queue(pg_dsn: str, tmp_path: Path) -> None:
    home = machine(tmp_path / "home", pg_dsn)
    hook = ExtractionHook(AutoSkillConfig(store={"path": str(home)}))
    try:
        job_id, created = hook.enqueue(Conversation("alice", DIRECTIVES["messages"], "Noted."))
        assert created
        hook.submit(Conversation("bob", DIRECTIVES["messages"]))
    finally:
        hook.stop()  # queues what was submitted first
    with PgJobQueue.connect(pg_dsn, home=home) as q:
        assert {(j.user_id, j.kind, j.format) for j in q.list()} == {("alice", "content", "openai-chat"),
                                                                      ("bob", "content", "openai-chat")}
        assert q.get(job_id) is not None
    assert not (home / "catalog.sqlite3").exists()  # nothing queued on this machine


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in AMBIENT}
    env.update(AUTOSKILL_HOME=str(home), AUTOSKILL_USER="alice",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return env


def test_a_worker_killed_mid_job_on_one_machine_is_finished_by_another_machines(pg_dsn: str,
                                                                                 tmp_path: Path) -> None:
    """Two members' homes ("machines") on one team store. Machine A's worker is SIGKILLed while the
    model holds its request; machine B's worker takes the job once A's lease has run out and
    finishes it: one job, done once, one skill with one version."""
    lease = 1.0
    with FakeLLM() as fake:
        fake.script.append("hold")  # the first request waits: A's worker is mid-job
        home_a, home_b = machine(tmp_path / "a", pg_dsn, fake.base_url), machine(tmp_path / "b", pg_dsn, fake.base_url)
        with AutoSkill(AutoSkillConfig(store={"path": str(home_a)})) as sdk:  # queued on machine A
            job_id, _ = sdk.queue.enqueue_content(json.dumps(DIRECTIVES), user_id="alice", format="openai-chat",
                                                  label="payments-chat")
        worker = [sys.executable, "-m", "autoskill_mcp", "worker", "--lease", str(lease), "--json"]
        log_a = tmp_path / "worker-a.log"
        with open(log_a, "wb") as out:
            a = subprocess.Popen([*worker, "--idle-exit", "60"], env=_env(home_a), stdout=out, stderr=out)
        try:
            assert fake.holding.wait(timeout=90), f"worker A never called the model: {log_a.read_text()[-3000:]}"
            with PgJobQueue.connect(pg_dsn, home=tmp_path) as q:
                held = q.get(job_id)
                assert held is not None and held.state == "running" and held.attempts == 1
                assert held.lease_owner is not None and held.lease_owner.split(":")[1] == str(a.pid)  # A's
                a.send_signal(signal.SIGKILL)
                assert a.wait(timeout=30) == -signal.SIGKILL
                # B idles longer than A's lease can outlive A, so it is there when the lease runs out
                b = subprocess.run([*worker, "--idle-exit", str(4 * lease)], env=_env(home_b), capture_output=True,
                                   text=True, timeout=180)
                assert b.returncode == 0, b.stderr[-3000:]
                lines = [json.loads(line) for line in b.stdout.splitlines() if line.strip()]
                assert [(d["id"], d["state"]) for d in lines[:-1]] == [(job_id, "done")]
                assert lines[-1] == {"jobs_run": 1}
                jobs = q.list()
                done = q.get(job_id)
        finally:
            if a.poll() is None:
                a.kill()
                a.wait(timeout=30)
    assert [j.id for j in jobs] == [job_id]
    assert done is not None and done.state == "done" and done.attempts == 2 and done.lease_owner is None
    assert done.result is not None and done.result["created"] == 1 and done.result["llm_calls"] == 1
    assert done.result["extractor"] == "llm:openai:fake-model"
    assert fake.requests == 1 + done.result["llm_calls"]  # A's held request, then B's own
    with PostgresSkillStore(pg_dsn, embeddings=HASHING, background=False) as store:
        summaries = store.summaries(user_id="alice")
        assert [s.name for s in summaries] == ["print-conventions"]
        assert len(store.versions(summaries[0].id)) == 1
