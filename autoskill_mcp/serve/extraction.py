"""The extraction hook: finished conversations go to the store's durable queue, off the request path.

The queue is the store's (`learning.queue.configured_queue`: the home's SQLite queue, or a team
store's PostgreSQL queue, where any machine's worker takes the job). What is queued is what the
client sent (never the injected skills, which would teach the store its own skills back) plus the
assistant's answer, as an `openai-chat` document. The queue redacts it before storing it, and the
worker learns from it through the normal pipeline. One conversation keeps one label across its
turns (a digest of its first messages), so the worker's watermark learns each turn once however
often the growing conversation is queued.

`auto` queues a conversation from its `extract_turn_limit`-th user turn on, `always` every
answered request, `never` none (a `/extract_now` message still queues, as the user asked).
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..learning.transcripts.fields import text_of
from .injection import user_turns
from .settings import ExtractMode

if TYPE_CHECKING:  # the learning package loads with the first conversation, not with the app
    from ..config import AutoSkillConfig
    from ..learning.queue import JobQueue

log = logging.getLogger(__name__)

#: the transcript format the queued document is read as (learning/transcripts/openai_chat.py)
FORMAT = "openai-chat"
#: how long `stop()` waits for the conversations still to be queued
STOP_SECONDS = 10.0


def should_queue(mode: ExtractMode, turn_limit: int, messages: list[dict[str, Any]]) -> bool:
    """Whether an answered request's conversation is queued under `mode`."""
    if mode == "never":
        return False
    return mode == "always" or user_turns(messages) >= turn_limit


def conversation_label(messages: list[dict[str, Any]], user: str) -> str:
    """A label stable across a conversation's turns: its user and first system and user messages."""
    first: dict[str, str] = {}
    for m in messages:
        role = str(m.get("role"))
        if role in ("system", "developer", "user") and role not in first:
            first[role] = text_of(m.get("content"))[:4000]
    digest = hashlib.sha256(json.dumps([user, first], sort_keys=True).encode()).hexdigest()
    return f"serve-{digest[:16]}"


def document(messages: list[dict[str, Any]], answer: str | None) -> str:
    """The queued text: the client's messages, then the answer (when there is one)."""
    convo = [m for m in messages if isinstance(m, dict)]
    if answer:
        convo.append({"role": "assistant", "content": answer})
    return json.dumps({"messages": convo}, ensure_ascii=False)


@dataclass(frozen=True)
class Conversation:
    """One conversation to queue, for one user."""

    user: str
    messages: list[dict[str, Any]]
    answer: str | None = None
    hint: str | None = None


def _put(jobs: JobQueue, convo: Conversation) -> tuple[str, bool]:
    return jobs.enqueue_content(document(convo.messages, convo.answer), user_id=convo.user, format=FORMAT,
                                label=conversation_label(convo.messages, convo.user), hint=convo.hint or None)


class ExtractionHook:
    """Queues conversations on a thread of its own, so an answer never waits for SQLite."""

    def __init__(self, config: AutoSkillConfig) -> None:
        self.config = config
        self.home: Path = config.home
        self._pending: queue.Queue[Conversation | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._jobs: JobQueue | None = None  # the first handle: the others are its `reopen()`s (a team queue's pool)

    def open_queue(self) -> JobQueue:
        """A handle on the store's queue for the calling thread (the caller closes it)."""
        from ..learning.queue import configured_queue

        with self._lock:
            if self._jobs is None:
                self._jobs = configured_queue(self.config)
            return self._jobs.reopen()

    def enqueue(self, convo: Conversation) -> tuple[str, bool]:
        """Queue now (blocking: a worker thread's call); (job id, created) as `JobQueue.enqueue_content` says."""
        with self.open_queue() as jobs:
            return _put(jobs, convo)

    def submit(self, convo: Conversation) -> None:
        """Queue later, on the hook's thread (returns at once)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._main, name="autoskill-serve-extract", daemon=True)
                self._thread.start()
        self._pending.put(convo)

    def _main(self) -> None:
        jobs: JobQueue | None = None  # one connection for the thread's life, not one per conversation
        try:
            while (convo := self._pending.get()) is not None:
                try:
                    if jobs is None:
                        jobs = self.open_queue()
                    job_id, created = _put(jobs, convo)
                    log.info("queued conversation %s for extraction (job %s%s)",
                             conversation_label(convo.messages, convo.user), job_id, "" if created else ", known")
                except Exception as exc:  # noqa: BLE001 - one conversation lost to a locked catalog must not stop the rest
                    log.warning("could not queue a conversation for extraction: %s", type(exc).__name__)
        finally:
            if jobs is not None:
                jobs.close()

    def stop(self) -> None:
        """Queue what was submitted, then end the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._pending.put(None)
            thread.join(STOP_SECONDS)
        with self._lock:
            jobs, self._jobs = self._jobs, None
        if jobs is not None:
            jobs.close()
