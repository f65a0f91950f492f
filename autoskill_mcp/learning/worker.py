"""The queue worker: claims jobs, reads transcripts, learns, records results.

Runs in `autoskill worker`, and as a background thread in the MCP and language
servers. Leases make sure one job runs once at a time; a heartbeat thread keeps
the lease while a long job (an LLM call, a big transcript) runs. A running worker
also has its store fill missing vectors for every process (a search never embeds
a backlog itself), and does not count as idle while vectors are missing.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AutoSkillError
from .maintenance import OUTCOMES, WROTE
from .pipeline import Learner, LearnResult
from .queue import DEFAULT_LEASE, Job, JobQueue, new_owner
from .session import Session

if TYPE_CHECKING:
    from ..store.vector_filler import VectorFiller

log = logging.getLogger(__name__)


class Worker:
    """Works one queue with one learner."""

    def __init__(self, queue: JobQueue, learner: Learner, *, owner: str | None = None,
                 lease: float = DEFAULT_LEASE) -> None:
        self.queue = queue
        self.learner = learner
        self.owner = owner or new_owner()
        self.lease = lease
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self, *, idle_exit: float | None = None, poll: float = 0.5,
            on_done: Callable[[Job], None] | None = None) -> int:
        """Work until stopped (or idle for `idle_exit` seconds); returns how many jobs ran."""
        done = 0
        idle_since = time.monotonic()
        filler = self._fill_vectors()
        try:
            while not self._stop.is_set():
                self.queue.worker_alive(self.owner)
                job = self.run_once()
                if job is not None:
                    done += 1
                    idle_since = time.monotonic()
                    if on_done is not None:
                        on_done(job)
                    continue
                if idle_exit is not None and time.monotonic() - idle_since >= idle_exit and (
                        filler is None or filler.idle.is_set()):
                    break
                self._stop.wait(poll)
        finally:
            self.queue.worker_gone(self.owner)
        return done

    def _fill_vectors(self) -> VectorFiller | None:
        """Have the store embed what lacks a vector while this worker runs (None: it cannot)."""
        start = getattr(self.learner.store, "start_filling_vectors", None)
        if start is None:
            return None
        try:
            return start()
        except Exception:  # learning goes on without background embedding
            log.exception("could not start filling vectors")
            return None

    def run_once(self) -> Job | None:
        """Claim and run one job; None when the queue has nothing runnable."""
        job = self.queue.claim(self.owner, lease=self.lease)
        if job is None:
            return None
        beat = _Heartbeat(self.queue, job.id, self.owner, self.lease)
        beat.start()
        try:
            result = self._run(job, beat)
        except AutoSkillError as exc:  # bad input: retrying cannot help
            self.queue.fail(job.id, self.owner, str(exc), retry=False)
        except Exception as exc:  # noqa: BLE001 - anything else may be passing (a network blip): retry later
            log.exception("job %s failed", job.id)
            self.queue.fail(job.id, self.owner, f"{type(exc).__name__}: {exc}", retry=True)
        else:
            errors = [s["error"] for s in result["sessions"] if s.get("error")]
            if errors and not any(s["decisions"] for s in result["sessions"]):
                self.queue.fail(job.id, self.owner, "; ".join(errors)[:2000], retry=True)
            else:
                self.queue.complete(job.id, self.owner, self._synced(job, result))
        finally:
            beat.stop()
        return self.queue.get(job.id)

    def _synced(self, job: Job, result: dict[str, Any]) -> dict[str, Any]:
        """After a job that stored skills, the syncs `[sync]` in config.toml asks for, recorded in the
        job's result (`sync`); a sync that fails is noted there and logged, never failing the job."""
        if not any(result.get(outcome) for outcome in WROTE):
            return result
        try:
            from ..config import AutoSkillConfig
            from ..store.sync import SyncSettings, store_source, sync_configured

            config = AutoSkillConfig(store={"path": str(self.queue.home)})
            table = config.file_section("sync")
            if not table:
                return result
            settings = SyncSettings.from_table(table, str(self.queue.home / "config.toml"))
            user = str(table.get("user") or config.resolved_user())
            if job.user_id != user:  # learning wrote another user's skills: not what this folder shows
                return result
            store = self.learner.store
            reports = sync_configured(store, settings, user_id=user, source=store_source(store, self.queue.home))
            synced = [r.brief() for r in reports]
        except Exception as exc:  # noqa: BLE001 - the skills are learned; a sync failing must not undo that
            synced = [{"dest": None, "counts": {}, "errors": [f"{type(exc).__name__}: {exc}"]}]
        for entry in synced:
            for error in entry["errors"]:
                log.warning("sync after job %s: %s: %s", job.id, entry["dest"] or "[sync]", error)
        return {**result, "sync": synced}

    def _run(self, job: Job, beat: _Heartbeat) -> dict[str, Any]:
        sessions = self._sessions(job)
        out: list[LearnResult] = []
        for i, session in enumerate(sessions, 1):
            beat.progress = f"session {i}/{len(sessions)}"
            key = f"{session.agent}:{session.session_id}"
            mark = self.queue.watermark(job.user_id, key)
            digest = session.content_hash()
            if mark is not None and mark[1] == digest:
                res = LearnResult(session.session_id, session.agent, self.learner.extractor.name,
                                  skipped="unchanged since the last ingest")
            else:
                res = self.learner.learn(session, user_id=job.user_id, hint=job.hint,
                                         since_uid=None if mark is None else mark[0])
                if res.error is None and session.events:
                    self.queue.set_watermark(job.user_id, key, session.events[-1].uid or str(len(session.events)),
                                             digest)
            out.append(res)
        return summarize(out)

    def _sessions(self, job: Job) -> list[Session]:
        from .transcripts import read_transcript

        if job.kind == "path":
            return read_transcript(Path(job.source), format=job.format)
        payload = self.queue.payload(job.id) or b""
        suffix = ".jsonl" if payload.lstrip()[:1] == b"{" and b"\n{" in payload else ".json"
        with tempfile.TemporaryDirectory(prefix="autoskill-job-") as tmp:
            path = Path(tmp) / f"{job.source or 'inline'}{suffix}"
            path.write_bytes(payload)
            return read_transcript(path, format=job.format)


def summarize(results: list[LearnResult]) -> dict[str, Any]:
    """A job's result: per-session detail plus the totals a caller looks at first."""
    return {
        "sessions": [r.to_dict() for r in results],
        **{outcome: sum(r.count(outcome) for r in results) for outcome in OUTCOMES},
        "skills": [d.to_dict() for r in results for d in r.decisions],
        "llm_calls": sum(r.llm_calls for r in results),
        "extractor": results[0].extractor if results else None,
    }


class _Heartbeat:
    """Extends a job's lease while it runs, reporting progress."""

    def __init__(self, queue: JobQueue, job_id: str, owner: str, lease: float) -> None:
        self.progress: str | None = None
        self._args = (queue, job_id, owner, lease)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{job_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        queue, job_id, owner, lease = self._args
        conn = queue.reopen()  # its own handle: the worker's thread keeps using the queue meanwhile
        try:
            while not self._stop.wait(lease / 3):
                if not conn.heartbeat(job_id, owner, lease=lease, progress=self.progress):
                    log.warning("lost the lease on job %s", job_id)
                    return
        finally:
            conn.close()
