"""The queue worker a long-running process embeds, so queued transcripts get learned while it runs.

Jobs come from the MCP tools, the agents' hooks and the CLI alike (the queue is durable
and shared; leases keep two workers off one job). A server may supply its own `Worker`
subclass (the MCP server's picks the client's model through sampling).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # learning loads when the worker starts, not with the runtime
    from ..learning.pipeline import Learner
    from ..learning.queue import JobQueue
    from ..learning.worker import Worker
    from ..sdk import AutoSkill

log = logging.getLogger(__name__)

#: builds the worker from the shared queue and the configured learner
WorkerFactory = Callable[["JobQueue", "Learner"], "Worker"]


class QueueWorker:
    """Runs one `learning.worker.Worker` on a daemon thread until stopped."""

    def __init__(self, sdk: AutoSkill, *, poll: float, make_worker: WorkerFactory | None = None) -> None:
        self.sdk = sdk
        self.poll = poll
        self.make_worker = make_worker
        self._worker: Worker | None = None
        self._queue: JobQueue | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Build the queue and the learner and start working; False (logged) when learning cannot run here."""
        try:
            from ..learning.pipeline import configured_learner
            from ..learning.queue import open_queue
            from ..learning.worker import Worker

            store = self.sdk.store
            queue = open_queue(store, getattr(store, "root", self.sdk.config.home))
            try:
                learner = configured_learner(store, self.sdk.config.resolved_llm())
                worker = (self.make_worker or Worker)(queue, learner)
            except BaseException:
                queue.close()
                raise
        except Exception as exc:  # noqa: BLE001 - the server keeps serving without a worker
            log.warning("not working the ingestion queue: %s", exc)
            return False
        self._queue, self._worker = queue, worker
        self._thread = threading.Thread(target=self._main, name="autoskill-worker", daemon=True)
        self._thread.start()
        return True

    def _main(self) -> None:
        assert self._worker is not None  # set before the thread starts
        try:
            self._worker.run(poll=self.poll)
        except Exception:  # noqa: BLE001 - the server keeps serving without a worker
            log.exception("the embedded queue worker stopped")

    def stop(self, timeout: float) -> None:
        """Stop after the job in flight (or leave it to its lease), then close the queue and the learner."""
        if self._worker is None or self._thread is None or self._queue is None:
            return
        self._worker.stop()
        self._thread.join(timeout)
        self._queue.close()
        self._worker.learner.close()  # the configured learner again once no job is in flight
