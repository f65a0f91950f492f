"""The server's flavour of the runtime's embedded queue worker: it extracts with the client's model when it can.

Jobs come from `ingest_transcript`, the agents' hooks and the CLI alike (the
queue is durable and shared; leases keep two workers off one job). For each
job the learner is chosen then: the client's model through sampling when that
job's user is connected with a client that offers it, else the configured
provider, else the offline rules; a sampling failure falls back at once.
"""

from __future__ import annotations

import logging
from typing import Any

from ..learning.pipeline import Learner, build_learner
from ..learning.queue import Job, JobQueue
from ..learning.worker import Worker
from .sampling import SamplingBridge, sampling_provider
from .state import ServerState

# This module loads the learning pipeline: server.py imports it on the runtime's thread, once the store is open.

log = logging.getLogger(__name__)


class SamplingWorker(Worker):
    """A Worker that picks its learner per job (sampling first, when the job's user can sample)."""

    def __init__(self, queue: JobQueue, fallback: Learner, state: ServerState, token: Any) -> None:
        super().__init__(queue, fallback)
        self.fallback = fallback
        self.state = state
        self.token = token

    def _sampling_learner(self, user: str) -> Learner | None:
        if self.state.settings.sampling == "off":
            return None
        session = self.state.clients.sampler_for(user)
        if session is None:
            return None
        provider = sampling_provider(SamplingBridge(session, self.token))
        return None if provider is None else build_learner(self.fallback.store, provider=provider,
                                                           pending=self.fallback.pending)

    def _run(self, job: Job, beat: Any) -> dict[str, Any]:
        sampled = self._sampling_learner(job.user_id)
        if sampled is not None:
            self.learner = sampled
            try:
                result = super()._run(job, beat)
            finally:
                self.learner = self.fallback
            failed = [s for s in result["sessions"] if s.get("error")]
            if not failed or any(s["decisions"] for s in result["sessions"]):
                return result
            log.warning("sampling through the client failed (%s); falling back to %s",
                        failed[0]["error"], self.fallback.extractor.name)
        return super()._run(job, beat)

