"""`autoskill hook` decides its queue from the settings alone: a local store's hook imports no psycopg
and opens no store; a team store's hook (`AUTOSKILL_STORE_URL`, or `[store] url` in config.toml)
enqueues into the team's PostgreSQL queue, for a worker on this machine, still without opening the store."""

from __future__ import annotations

import json
import subprocess
import sys

from autoskill_mcp.learning.queue import this_host
from autoskill_mcp.learning.queue_pg import PgJobQueue

from .conftest import Sandbox, payload

#: modules only opening a store would import
STORES = ("autoskill_mcp.store.local", "autoskill_mcp.store.postgres.store", "autoskill_mcp.sdk")


def hook_imports(sandbox: Sandbox, stdin: str, **env: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """The hook run as an agent runs it, and every module it imported (`python -X importtime`)."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "autoskill_mcp", "hook", "claude-code",
                             "--no-worker"], input=stdin, env=sandbox.env(**env), capture_output=True, text=True,
                            timeout=60)
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    return result, modules


def test_a_local_hook_imports_no_psycopg_and_a_team_hook_queues_in_postgresql(sandbox: Sandbox, pg_dsn: str) -> None:
    transcript = sandbox.place("claude-code/spotter__short.jsonl", ".claude/projects/p/abc123.jsonl")
    end = payload("claude-code__SessionEnd.json", TRANSCRIPT=str(transcript))
    local, modules = hook_imports(sandbox, end, AUTOSKILL_STORE_URL="")  # the machine's own setting stays out
    assert local.returncode == 0 and "autoskill_mcp.learning.queue" in modules  # the probe sees the imports
    assert not {m for m in modules if m.split(".")[0] == "psycopg"} and not set(STORES) & modules
    assert [(j.kind, j.source) for j in sandbox.jobs()] == [("path", str(transcript))]

    team, modules = hook_imports(sandbox, end, AUTOSKILL_STORE_URL=pg_dsn)
    assert team.returncode == 0 and team.stdout == "", team.stderr[-2000:]
    assert "psycopg" in modules and not set(STORES) & modules
    again, _ = hook_imports(sandbox, end, AUTOSKILL_STORE_URL=pg_dsn)  # SessionEnd after PreCompact: one job
    assert again.returncode == 0
    with PgJobQueue.connect(pg_dsn, home=sandbox.store) as q:
        jobs = q.list()
        assert [(j.kind, j.source, j.user_id, j.format) for j in jobs] == [
            ("path", str(transcript), "alice", "claude-code")]
        elsewhere = PgJobQueue(q.pool, home=sandbox.store, host="another-machine")
        assert elsewhere.claim("w") is None  # the file is on this machine: so is its job
        taken = q.claim("w")
        assert taken is not None and taken.id == jobs[0].id and q.host == this_host()
    assert len(sandbox.jobs()) == 1  # nothing more in the local queue
    assert [line.split()[2] for line in sandbox.log()] == ["enqueued", "enqueued", "duplicate"]


def test_a_team_hook_reads_the_store_url_from_config_toml_and_logs_what_fails(sandbox: Sandbox, pg_dsn: str) -> None:
    transcript = sandbox.place("claude-code/spotter__short.jsonl", ".claude/projects/p/abc123.jsonl")
    end = payload("claude-code__SessionEnd.json", TRANSCRIPT=str(transcript))
    sandbox.store.mkdir(parents=True)
    config = sandbox.store / "config.toml"
    config.write_text(f'[store]\nurl = "{pg_dsn}"\n', encoding="utf-8")
    result = sandbox.hook("claude-code", end)
    assert result.returncode == 0
    with PgJobQueue.connect(pg_dsn, home=sandbox.store) as q:
        assert [j.source for j in q.list()] == [str(transcript)]
    assert not (sandbox.store / "catalog.sqlite3").exists()  # no local queue made
    # a database an older release migrated (no queue yet): the log says what to run
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE jobs")
    assert sandbox.hook("claude-code", end).returncode == 0
    assert "ConfigError" in sandbox.log()[-1] and "autoskill store migrate" in sandbox.log()[-1]
    # an unreachable team database: the agent still carries on, and the log says why
    config.write_text('[store]\nurl = "postgresql://nobody@127.0.0.1:1/none"\n', encoding="utf-8")
    result = sandbox.hook("claude-code", end)
    assert result.returncode == 0 and result.stdout == ""
    last = sandbox.log()[-1]
    assert " skipped " in last and "DatabaseUnavailableError" in last and "127.0.0.1" in last


def test_a_team_hook_starts_a_worker_only_when_none_runs_on_this_machine(sandbox: Sandbox, pg_dsn: str) -> None:
    """Another machine's worker cannot read this machine's file: only a worker here counts."""
    from autoskill_mcp.config import AutoSkillConfig
    from autoskill_mcp.learning.hooks import _handle

    sandbox.store.mkdir(parents=True)
    (sandbox.store / "config.toml").write_text(f'[store]\nurl = "{pg_dsn}"\n', encoding="utf-8")
    config = AutoSkillConfig(store={"path": str(sandbox.store)})
    transcripts = [sandbox.place("claude-code/spotter__short.jsonl", f".claude/projects/p/s{i}.jsonl")
                   for i in range(3)]

    def hook(i: int, *, want_worker: bool = True) -> bool:
        data = json.loads(payload("claude-code__SessionEnd.json", TRANSCRIPT=str(transcripts[i])))
        outcome = _handle("claude-code", data, config, "alice", want_worker=want_worker)
        assert outcome.action == "enqueued"
        return outcome.start_worker

    with PgJobQueue.connect(pg_dsn, home=sandbox.store) as q:
        PgJobQueue(q.pool, home=sandbox.store, host="another-machine").worker_alive("elsewhere:1:x")
        assert hook(0)                          # a worker elsewhere: start one here
        assert not hook(1, want_worker=False)   # `--no-worker`
        q.worker_alive("here:1:x")
        assert not hook(2)                      # one runs here: it takes the job
