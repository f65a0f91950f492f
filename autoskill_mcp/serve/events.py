"""An extraction job's life as Server-Sent Events: one event per change of state, until it is finished.

The job lives in the durable queue (SQLite, written by whichever process works it), so the
stream reads the queue at a short interval on a connection of its own and sends an event
whenever the job's state, attempts or progress moved: `queued`, `running` (again for each
attempt), then `done` or `failed` with the result, after which the stream ends. A comment line
every `KEEPALIVE_SECONDS` keeps proxies from closing a stream that waits for a worker.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import anyio

if TYPE_CHECKING:
    from ..learning.queue import Job, JobQueue

#: how often the queue is read while a stream is open
POLL_SECONDS = 0.2
KEEPALIVE_SECONDS = 15.0
FINISHED = ("done", "failed")


def event(name: str, n: int, data: dict[str, Any]) -> bytes:
    """One SSE event (`data` as one line of JSON)."""
    return f"id: {n}\nevent: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


async def job_events(open_queue: Callable[[], JobQueue], job_id: str, user: str,
                     render: Callable[[Job], dict[str, Any]], *, poll: float = POLL_SECONDS) -> AsyncIterator[bytes]:
    """The events of `user`'s job `job_id`; `render` turns the job into each event's data."""
    queue = await anyio.to_thread.run_sync(open_queue)
    try:
        seen: tuple[Any, ...] | None = None
        n = 0
        quiet_since = time.monotonic()
        while True:
            job = await anyio.to_thread.run_sync(queue.get_for, job_id, user)
            if job is None:  # removed from under the stream (it was checked before the stream began)
                yield event("error", n + 1, {"message": f"job {job_id} is gone"})
                return
            key = (job.state, job.attempts, job.progress)
            if key != seen:
                seen, n = key, n + 1
                yield event(job.state, n, render(job))
                quiet_since = time.monotonic()
            if job.state in FINISHED:
                return
            if time.monotonic() - quiet_since >= KEEPALIVE_SECONDS:
                yield b": keep-alive\n\n"
                quiet_since = time.monotonic()
            await anyio.sleep(poll)
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(queue.close)
