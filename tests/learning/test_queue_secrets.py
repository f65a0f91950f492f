"""Secrets and the job queue, on both queues (the SQLite one and the team store's PostgreSQL one): an
inline transcript is redacted before it is queued, and no payload outlives the job that needed it.

Every test reads what the queue's storage holds, not the queue's own view of it: the SQLite
catalog's bytes from disk (the file and its WAL), or every value of the PostgreSQL queue's tables.
What a failed job leaves behind is what a backup, a stolen laptop or the team's database holds.
"""

from __future__ import annotations

import json
from typing import Any

from autoskill_mcp.learning.pipeline import Learner
from autoskill_mcp.learning.queue import FAILED_PAYLOAD_TTL, JobQueue
from autoskill_mcp.learning.worker import Worker
from bench.secret_corpus import PUNCTUATION, leaks, planted_lines, plants

from .conftest import QueueBackend
from .transcripts.conftest import FIXTURES

CLAUDE = FIXTURES / "claude-code" / "spotter__short.jsonl"


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


def test_an_inline_transcript_is_redacted_before_it_is_queued(queue_backend: QueueBackend) -> None:
    text = "\n".join(planted_lines(PUNCTUATION[::4]))
    q = queue_backend.open()
    jsonl_id, _ = q.enqueue_content(claude_with(text), user_id="alice", hint="use " + token("github_token"))
    doc_id, _ = q.enqueue_content(json.dumps(chat_with(text), indent=2), user_id="alice")
    plain_id, _ = q.enqueue_content(text, user_id="alice", format="aider")
    payloads = [q.payload(i) or b"" for i in (jsonl_id, doc_id, plain_id)]
    q.close()
    assert text.split("\n")[0].encode() not in b"".join(payloads)  # the plants were there to redact
    assert leaks(queue_backend.stored()) == {}
    assert all(b"[REDACTED:" in p for p in payloads)
    # still the transcript it was: every JSONL line and the JSON document parse
    assert all(json.loads(line) for line in payloads[0].splitlines() if line.strip())
    assert json.loads(payloads[1])["messages"][0]["role"] == "user"


def test_a_private_block_left_open_does_not_swallow_the_rest_of_a_jsonl_file(any_queue: JobQueue) -> None:
    """Redacting JSON text as text could run a span across records; each record stays readable."""
    job_id, _ = any_queue.enqueue_content(claude_with("keep this <private>my address is 1 Main St"), user_id="alice")
    payload = (any_queue.payload(job_id) or b"").decode()
    records = [json.loads(line) for line in payload.splitlines() if line.strip()]
    assert len(records) == len(CLAUDE.read_text(encoding="utf-8").splitlines())
    assert "1 Main St" not in payload and "keep this [REDACTED:private]" in payload


def test_a_failed_job_keeps_no_secret_and_drops_its_payload_once_no_retry_can_need_it(
        queue_backend: QueueBackend) -> None:
    secret = token("github_token")
    store, q = queue_backend.store(), queue_backend.open()
    # prose no reader knows: the job fails for good, and its error quotes what it could not read
    job_id, _ = q.enqueue_content(f"my token is {secret}. Please keep it.", user_id="alice")
    Worker(q, Learner(store)).run_once()
    job = q.get(job_id)
    assert job is not None and job.state == "failed" and job.error
    assert leaks(queue_backend.stored()) == {}
    assert q.payload(job_id) is not None   # kept a while, so `autoskill jobs --retry` can run it again
    assert q.drop_stale_payloads(now=job.finished_at + FAILED_PAYLOAD_TTL / 2) == 0
    assert q.drop_stale_payloads(now=job.finished_at + FAILED_PAYLOAD_TTL + 1) == 1
    assert q.payload(job_id) is None
    assert not q.retry(job_id)              # nothing left to run
    again, created = q.enqueue_content(f"my token is {secret}. Please keep it.", user_id="alice")
    assert (again, created) == (job_id, False)
    assert q.get(job_id).state == "queued" and q.payload(job_id) is not None  # sent again: queued again


def test_a_finished_job_keeps_no_payload(queue_backend: QueueBackend) -> None:
    store, q = queue_backend.store(), queue_backend.open()
    job_id, _ = q.enqueue_content(json.dumps(chat_with("Always use the logging module.")), user_id="alice")
    Worker(q, Learner(store)).run_once()
    assert q.get(job_id).state == "done" and q.payload(job_id) is None


def test_an_error_and_a_result_are_redacted_before_they_are_recorded(queue_backend: QueueBackend) -> None:
    secret = token("github_token")
    q = queue_backend.open()
    job_id, _ = q.enqueue_content("{}", user_id="alice")
    q.claim("w")
    q.fail(job_id, "w", f"HTTPStatusError: 400 {{'echo': 'Bearer {secret}'}}", retry=False)
    assert secret not in (q.get(job_id).error or "")
    other, _ = q.enqueue_content("[]", user_id="alice")
    q.claim("w")
    q.complete(other, "w", {"sessions": [{"decisions": [], "error": f"401 for key {secret}"}]})
    assert secret not in json.dumps(q.get(other).result)
    assert leaks(queue_backend.stored()) == {}
