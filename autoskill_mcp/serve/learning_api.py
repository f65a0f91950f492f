"""The learning routes of the skill API: conversations queued for extraction, their jobs, the jobs'
events, and a preview of what the proxy would inject.

Conversations go through the proxy's own extraction hook (the same document, label and redaction
as a proxied chat), onto the store's durable queue, worked by the worker in this process (or any
other on the store). A job is read back only by its user: anyone else's is as unknown as a
made-up id. The preview runs the proxy's own retrieval and injection, without any upstream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ..errors import NotFoundError
from ..store.base import decode_cursor, encode_cursor
from . import events
from . import skill_api_models as m
from .extraction import Conversation
from .injection import inject, latest_user_text
from .openapi import Endpoint

if TYPE_CHECKING:
    from ..learning.pending import Pending
    from ..learning.queue import Job, JobQueue
    from .skill_api import SkillApi


def job_out(job: Job, *, created: bool | None = None) -> m.JobOut:
    """A job as the API shows it: what it learned in the product's save words, what it kept aside, its errors."""
    result = None
    if job.result is not None:
        sessions: list[dict[str, Any]] = list(job.result.get("sessions") or [])
        result = m.JobResultOut(
            skills=[m.LearnedOut(outcome=d["action"], name=str(d["name"]),
                                 skill_id=d.get("skill_id"), version=d.get("version"), reason=str(d.get("reason")))
                    for d in job.result.get("skills") or []],
            kept_aside=[m.KeptAsideOut(id=str(p["id"]), name=str(p["name"]), summary=str(p.get("summary") or ""))
                        for s in sessions for p in s.get("pending") or []],
            errors=[str(s["error"]) for s in sessions if s.get("error")],
            extractor=job.result.get("extractor"))
    d = job.to_dict()
    return m.JobOut(id=job.id, state=job.state, attempts=job.attempts, source=job.source, hint=job.hint,
                    created_at=d["created_at"], started_at=d["started_at"], finished_at=d["finished_at"],
                    progress=job.progress, error=job.error, result=result, created=created)


def candidate_out(p: Pending) -> m.CandidateOut:
    """A kept-aside candidate as the API shows it (the words it rests on included)."""
    d = p.to_dict()
    return m.CandidateOut(id=p.id, name=p.name, summary=p.summary, status=p.status, sessions=list(p.sessions),
                          evidence=[m.SaidOut(**e) for e in d["evidence"]], skill_id=p.skill_id,
                          created_at=d["created_at"], updated_at=d["updated_at"])


class LearningApi:
    """The routes that queue conversations and follow their jobs; plumbing comes from the SkillApi."""

    def __init__(self, api: SkillApi) -> None:
        self.api = api

    def queue(self) -> JobQueue:
        """A handle on the store's durable queue (the caller closes it)."""
        return self.api.proxy.hook.open_queue()

    def _enqueue(self, user: str, conversations: list[list[m.Message]], hint: str | None) -> list[m.JobRef]:
        hook = self.api.proxy.hook
        out = []
        for messages in conversations:
            job_id, created = hook.enqueue(Conversation(user, [x.model_dump() for x in messages], hint=hint))
            out.append(m.JobRef(job_id=job_id, created=created))
        return out

    def _job(self, job_id: str, user: str) -> Job:
        with self.queue() as q:
            job = q.get_for(job_id, user)
        if job is None:
            raise NotFoundError(f"no extraction job {job_id!r} for this user")
        return job

    # -- routes ---------------------------------------------------------------------------------------

    async def import_conversations(self, request: Request) -> m.JobsQueuedOut:
        doc, user = await self.api.body(request, m.ConversationsIn), self.api.user(request)
        convos = [doc.messages] if doc.messages is not None else list(doc.conversations or [])
        return m.JobsQueuedOut(jobs=await self.api.run(self._enqueue, user, convos, doc.hint))

    async def create_extraction(self, request: Request) -> m.JobOut:
        doc, user = await self.api.body(request, m.ExtractionIn), self.api.user(request)

        def work() -> m.JobOut:
            ref = self._enqueue(user, [doc.messages], doc.hint)[0]
            return job_out(self._job(ref.job_id, user), created=ref.created)

        return await self.api.run(work)  # type: ignore[no-any-return]

    async def list_extractions(self, request: Request) -> m.JobPageOut:
        q, user = self.api.query(request, m.JobsQuery), self.api.user(request)

        def work() -> m.JobPageOut:
            offset = decode_cursor(q.cursor)
            with self.queue() as jobs:
                found = jobs.list(user_id=user, limit=q.limit + 1, offset=offset)
            nxt = encode_cursor(offset + q.limit) if len(found) > q.limit else None
            return m.JobPageOut(jobs=[job_out(j) for j in found[:q.limit]], next_cursor=nxt)

        return await self.api.run(work)  # type: ignore[no-any-return]

    async def latest_extraction(self, request: Request) -> m.JobOut:
        user = self.api.user(request)

        def work() -> m.JobOut:
            with self.queue() as jobs:
                found = jobs.list(user_id=user, limit=1)
            if not found:
                raise NotFoundError("no extraction job for this user yet")
            return job_out(found[0])

        return await self.api.run(work)  # type: ignore[no-any-return]

    async def get_extraction(self, request: Request) -> m.JobOut:
        job_id, user = request.path_params["job_id"], self.api.user(request)
        return job_out(await self.api.run(self._job, job_id, user))

    async def extraction_events(self, request: Request) -> Response:
        job_id, user = request.path_params["job_id"], self.api.user(request)
        await self.api.run(self._job, job_id, user)  # a 404 before the stream starts
        stream = events.job_events(self.queue, job_id, user, lambda job: job_out(job).model_dump(mode="json"))
        return StreamingResponse(stream, media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    async def preview(self, request: Request) -> m.PreviewOut:
        doc, user = await self.api.body(request, m.PreviewIn), self.api.user(request)
        messages = None if doc.messages is None else [x.model_dump() for x in doc.messages]
        # a given query is searched as it is; messages go through the proxy's own query rewriting
        searched = [{"role": "user", "content": doc.query}] if doc.query is not None else messages or []
        query = latest_user_text(searched)
        injection = await self.api.proxy.injection(searched, user) if query.strip() else None
        text = injection.text if injection is not None else ""
        asked = injection.query if injection is not None else None
        return m.PreviewOut(
            query=asked.text if asked is not None else query, query_source=asked.how if asked is not None else "latest",
            system_message=text, tokens=injection.tokens if injection is not None else 0,
            note=injection.note if injection is not None else "no user message to search for",
            skills=[m.PreviewSkillOut(id=str(s["id"]), name=str(s["name"]), score=float(s["score"]),
                                      level=str(s["level"])) for s in (injection.details if injection else [])],
            messages=None if messages is None else inject(messages, text))

    async def list_candidates(self, request: Request) -> m.CandidatesOut:
        q, user = self.api.query(request, m.CandidatesQuery), self.api.user(request)
        status = None if q.status == "all" else q.status
        found = await self.api.run(lambda: self.api.sdk().candidates(user_id=user, status=status, limit=q.limit))
        return m.CandidatesOut(candidates=[candidate_out(c) for c in found])

    def _candidate(self, candidate_id: str, user: str) -> Pending:
        pending = self.api.sdk().learner.pending
        found = pending.get(candidate_id) if pending is not None else None
        if found is None or found.user_id != user:
            raise NotFoundError(f"no candidate {candidate_id!r} for this user")
        return found

    async def accept_candidate(self, request: Request) -> m.AcceptOut:
        cid, user = request.path_params["candidate_id"], self.api.user(request)

        def work() -> m.AcceptOut:
            result = self.api.sdk().accept_candidate(cid, user_id=user)
            self.api.proxy.runtime.check()
            return m.AcceptOut(candidate=candidate_out(self._candidate(cid, user)), skills=[
                m.LearnedOut(outcome=d.action, name=d.name, skill_id=d.skill_id, version=d.version, reason=d.reason)
                for d in result.decisions])

        return await self.api.run(work)  # type: ignore[no-any-return]

    async def reject_candidate(self, request: Request) -> m.CandidateOut:
        cid, user = request.path_params["candidate_id"], self.api.user(request)
        return candidate_out(await self.api.run(lambda: self.api.sdk().reject_candidate(cid, user_id=user)))

    async def prune_report(self, request: Request) -> m.PruneOut:
        q, user = self.api.query(request, m.PruneQuery), self.api.user(request)
        report = await self.api.run(lambda: self.api.sdk().prune(
            user_id=user, min_retrieved=q.min_retrieved, max_used=q.max_used, min_age_days=q.min_age_days,
            apply=False))
        return m.PruneOut(applied=report.applied, candidates=[m.PruneCandidateOut(**c) for c in report.candidates],
                          kept_for_missing_signal=report.kept_for_missing_signal, note=report.note, policy=q)

    def endpoints(self, p: str) -> list[Endpoint]:
        job, cand = f"{p}/extractions/{{job_id}}", f"{p}/candidates/{{candidate_id}}"
        return [
            Endpoint("POST", f"{p}/conversations/import", self.import_conversations,
                     "Queue conversations for skill extraction; a job each", body=m.ConversationsIn,
                     response=m.JobsQueuedOut, status=202),
            Endpoint("POST", f"{p}/retrieval/preview", self.preview,
                     "What the proxy would inject for these messages (no upstream is called)", body=m.PreviewIn,
                     response=m.PreviewOut),
            Endpoint("POST", f"{p}/extractions", self.create_extraction, "Queue one conversation; its job",
                     body=m.ExtractionIn, response=m.JobOut, status=202),
            Endpoint("GET", f"{p}/extractions", self.list_extractions, "Your extraction jobs, newest first",
                     query=m.JobsQuery, response=m.JobPageOut),
            Endpoint("GET", f"{p}/extractions/latest", self.latest_extraction, "Your newest extraction job",
                     response=m.JobOut),
            Endpoint("GET", job, self.get_extraction, "One job: state, attempts, what it learned", response=m.JobOut),
            Endpoint("GET", f"{job}/events", self.extraction_events,
                     "The job's changes of state as Server-Sent Events, until it is finished",
                     media="text/event-stream"),
            Endpoint("GET", f"{p}/candidates", self.list_candidates,
                     "Your candidates kept aside until their requirement recurs, with the words they rest on",
                     query=m.CandidatesQuery, response=m.CandidatesOut),
            Endpoint("POST", f"{cand}/accept", self.accept_candidate,
                     "Learn a pending candidate now: what was saved, in the save outcomes", response=m.AcceptOut),
            Endpoint("POST", f"{cand}/reject", self.reject_candidate,
                     "Drop a pending candidate: it is not learned when its requirement recurs",
                     response=m.CandidateOut),
            Endpoint("GET", f"{p}/prune", self.prune_report,
                     "Your skills retrieved often and never used, as `autoskill prune` would report them "
                     "(a dry run: nothing is deleted)", query=m.PruneQuery, response=m.PruneOut),
        ]
