"""Secrets and the job queue: an inline transcript is redacted before it is queued, and no payload
outlives the job that needed it.

Every test reads the catalog's bytes from disk (the SQLite file and its WAL), not the queue's own
view of them: what a failed job leaves behind is what a backup or a stolen laptop holds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autoskill_mcp.learning.pipeline import Learner
from autoskill_mcp.learning.queue import FAILED_PAYLOAD_TTL, JobQueue
from autoskill_mcp.learning.worker import Worker
from autoskill_mcp.store.local import LocalSkillStore
from bench.secret_corpus import PUNCTUATION, leaks, planted_lines, plants

from .transcripts.conftest import FIXTURES

HASHING = {"provider": "hashing", "dims": 256}
CLAUDE = FIXTURES / "claude-code" / "spotter__short.jsonl"


def store_bytes(home: Path) -> bytes:
    """Every file under the store folder, concatenated."""
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file())


def claude_with(text: str) -> str:
    """The Claude Code fixture with `text` as its first user prompt (JSONL, one record a line)."""
    lines = CLAUDE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        record = json.loads(line)
        message = record.get("message") or {}
        if record.get("type") == "user" and isinstance(message.get("content"), str):
            message["content"] = text
            lines[i] = json.dumps(record)
            return "\n".join(lines) + "\n"
    raise AssertionError("no user prompt in the fixture")


def token(kind: str) -> str:
    return next(p.secret for p in plants() if p.kind == kind)


def chat_with(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}, {"role": "assistant", "content": "Done."}]}


def test_an_inline_transcript_is_redacted_before_it_is_queued(tmp_path: Path) -> None:
    home = tmp_path / "home"
    text = "\n".join(planted_lines(PUNCTUATION[::4]))
    with JobQueue(home) as q:
        jsonl_id, _ = q.enqueue_content(claude_with(text), user_id="alice", hint="use " + token("github_token"))
        doc_id, _ = q.enqueue_content(json.dumps(chat_with(text), indent=2), user_id="alice")
        plain_id, _ = q.enqueue_content(text, user_id="alice", format="aider")
        payloads = [q.payload(i) or b"" for i in (jsonl_id, doc_id, plain_id)]
    assert leaks(store_bytes(home)) == {}
    assert all(b"[REDACTED:" in p for p in payloads)
    # still the transcript it was: every JSONL line and the JSON document parse
    assert all(json.loads(line) for line in payloads[0].splitlines() if line.strip())
    assert json.loads(payloads[1])["messages"][0]["role"] == "user"


def test_a_private_block_left_open_does_not_swallow_the_rest_of_a_jsonl_file(tmp_path: Path) -> None:
    """Redacting JSON text as text could run a span across records; each record stays readable."""
    with JobQueue(tmp_path / "home") as q:
        job_id, _ = q.enqueue_content(claude_with("keep this <private>my address is 1 Main St"), user_id="alice")
        payload = (q.payload(job_id) or b"").decode()
    records = [json.loads(line) for line in payload.splitlines() if line.strip()]
    assert len(records) == len(CLAUDE.read_text(encoding="utf-8").splitlines())
    assert "1 Main St" not in payload and "keep this [REDACTED:private]" in payload


def test_a_failed_job_keeps_no_secret_and_drops_its_payload_once_no_retry_can_need_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    secret = token("github_token")
    with LocalSkillStore(home, embeddings=HASHING) as store, JobQueue(home) as q:
        # prose no reader knows: the job fails for good, and its error quotes what it could not read
        job_id, _ = q.enqueue_content(f"my token is {secret}. Please keep it.", user_id="alice")
        Worker(q, Learner(store)).run_once()
        job = q.get(job_id)
        assert job is not None and job.state == "failed" and job.error
        assert leaks(store_bytes(home)) == {}
        assert q.payload(job_id) is not None   # kept a while, so `autoskill jobs --retry` can run it again
        assert q.drop_stale_payloads(now=job.finished_at + FAILED_PAYLOAD_TTL / 2) == 0
        assert q.drop_stale_payloads(now=job.finished_at + FAILED_PAYLOAD_TTL + 1) == 1
        assert q.payload(job_id) is None
        assert not q.retry(job_id)              # nothing left to run
        again, created = q.enqueue_content(f"my token is {secret}. Please keep it.", user_id="alice")
        assert (again, created) == (job_id, False)
        assert q.get(job_id).state == "queued" and q.payload(job_id) is not None  # sent again: queued again


def test_a_finished_job_keeps_no_payload(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with LocalSkillStore(home, embeddings=HASHING) as store, JobQueue(home) as q:
        job_id, _ = q.enqueue_content(json.dumps(chat_with("Always use the logging module.")), user_id="alice")
        Worker(q, Learner(store)).run_once()
        assert q.get(job_id).state == "done" and q.payload(job_id) is None


def test_an_error_is_redacted_before_it_is_recorded(tmp_path: Path) -> None:
    secret = token("github_token")
    with JobQueue(tmp_path / "home") as q:
        job_id, _ = q.enqueue_content("{}", user_id="alice")
        q.claim("w")
        q.fail(job_id, "w", f"HTTPStatusError: 400 {{'echo': 'Bearer {secret}'}}", retry=False)
        assert secret not in (q.get(job_id).error or "")
    assert leaks(store_bytes(tmp_path / "home")) == {}
