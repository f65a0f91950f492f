"""Learning tools: queue a transcript for extraction (a job id at once), and ask how a job went.

`ingest_transcript` never waits for an LLM: it enqueues in the durable queue
and returns. The server's embedded worker (or any other worker on the store)
does the extraction. A caller that wants to watch can pass `wait_seconds`: the
call then reports progress notifications (when the request carried a progress
token) until the job finishes or the wait runs out, and returns the state then.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field, WithJsonSchema

from . import ingest_paths
from .auth import user_of_request
from .identity import user_of
from .state import ServerState, state_of
from .tools_skills import IDEMPOTENT_WRITE, READ, run

#: how often a waiting ingest_transcript call looks at its job
POLL_SECONDS = 0.25
MAX_WAIT_SECONDS = 120

#: "auto" plus the formats `learning.transcripts.FORMATS` reads (kept literal so the schema lists them)
Format = Literal["auto", "claude-code", "codex", "gemini", "cursor", "cursor-agent", "cline", "roo", "aider",
                 "copilot-vscode", "copilot-cli", "openai-chat", "chatgpt-export"]


class JobOut(BaseModel):
    job_id: str
    state: Literal["queued", "running", "done", "failed"]
    created: bool = Field(description="False when the same transcript was already queued (same job)")
    source: str
    progress: str | None = None
    error: str | None = None
    result: dict[str, Any] | None = Field(default=None, description="Per-session decisions once the job is done")
    workers: int = Field(description="Workers alive on this store; 0 means the job waits for one")


#: `content` is text (a JSONL file, a Markdown chat log) or one JSON document already parsed: a
#: Gemini or OpenAI-chat `.json` file is an object or a list, and a client sends it as such.
CONTENT_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "string"}, {"type": "object"}, {"type": "array"}, {"type": "null"}],
    "default": None,
    "description": "The transcript itself, instead of a path: its text, or a JSON document "
                   "(object or array) as parsed from a .json transcript",
}


def content_text(content: Any) -> str:
    """The transcript bytes to queue: text as given, a JSON value serialised back to JSON text.

    Anything else is refused here with a plain message (the SDK's own validation error names
    pydantic types and links to pydantic's site, which tells a client nothing).
    """
    if isinstance(content, str):
        return content
    if isinstance(content, (dict, list)):
        return json.dumps(content, ensure_ascii=False)
    kind = "true or false" if isinstance(content, bool) else "a number" if isinstance(content, (int, float)) \
        else f"a value of type {type(content).__name__}"
    raise ToolError(f"content must be the transcript as text, or a JSON object or array; got {kind}")


def _job_out(job: Any, *, created: bool, workers: int) -> JobOut:
    return JobOut(job_id=job.id, state=job.state, created=created, source=job.source, progress=job.progress,
                  error=job.error, result=job.result, workers=workers)


def path_allowed(request: Any, settings: Any) -> bool:
    """Whether this request may name a path at all: never over the network (off loopback).

    Which paths it may name is `ingest_paths`' rule (allowed roots, never another user's).
    """
    return user_of_request(request) is None or settings.loopback


def _status(state: ServerState, job_id: str, user: str, created: bool) -> JobOut:
    """The job as this user may see it (a ToolError for anyone else's)."""
    with state.queue() as queue:
        job = queue.get_for(job_id, user)
        workers = queue.live_workers()
    if job is None:
        raise ToolError(f"no job {job_id!r} for this user")
    return _job_out(job, created=created, workers=workers)


async def ingest_transcript(
    ctx: Context,
    path: Annotated[str | None, Field(description="A transcript file on the server's machine, inside the "
                                                  "agents' transcript folders or ingest_roots (stdio), or "
                                                  "the caller's own ingest_roots folder (HTTP)",
                                      max_length=ingest_paths.MAX_PATH_CHARS)] = None,
    content: Annotated[Any, WithJsonSchema(CONTENT_SCHEMA)] = None,
    format: Annotated[Format, Field(description="Transcript format; auto detects it")] = "auto",
    hint: Annotated[str | None, Field(description="What is worth learning from it", max_length=500)] = None,
    wait_seconds: Annotated[float, Field(ge=0, le=MAX_WAIT_SECONDS,
                                         description="Wait this long for the job, reporting progress")] = 0,
) -> JobOut:
    """Queue a coding-agent transcript for skill extraction; returns a job id at once (see extraction_status)."""
    if (path is None) == (content is None):
        raise ToolError("give exactly one of path or content")
    text = None if content is None else content_text(content)
    state = state_of(ctx)
    user = user_of(ctx, state)
    fmt = None if format == "auto" else format
    request = ctx.request_context.request
    if path is not None and not path_allowed(request, state.settings):
        raise ToolError("over a network connection send the transcript as content: "
                        "a path would be read on the server's machine")
    over_http = user_of_request(request) is not None

    def enqueue() -> tuple[str, bool]:
        if path is not None:
            roots = ingest_paths.allowed_roots([*state.settings.ingest_roots, *state.config.ingest_roots()],
                                               user=user, over_http=over_http)
            real = ingest_paths.checked_path(path, roots)
        with state.queue() as queue:
            if path is not None:
                return queue.enqueue_path(real, user_id=user, format=fmt, hint=hint)
            try:
                return queue.enqueue_content(text or "", user_id=user, format=fmt, label="mcp-inline",
                                             hint=hint)
            except ValueError as exc:
                raise ToolError(str(exc)) from exc

    job_id, created = await run(enqueue)
    out = await run(_status, state, job_id, user, created)
    await ctx.report_progress(0, 1, f"queued as job {job_id}")
    deadline = time.monotonic() + wait_seconds
    last = out.progress
    while out.state in ("queued", "running") and time.monotonic() < deadline:
        await anyio.sleep(POLL_SECONDS)
        out = await run(_status, state, job_id, user, created)
        if out.progress != last or out.state == "running" and last is None:
            last = out.progress
            await ctx.report_progress(0.5, 1, out.progress or out.state)
    if out.state in ("done", "failed"):
        await ctx.report_progress(1, 1, out.state)
    return out


async def extraction_status(
    job_id: Annotated[str, Field(description="The id ingest_transcript returned", min_length=1, max_length=64)],
    ctx: Context,
) -> JobOut:
    """The state of an ingest job (queued, running, done, failed) and, when done, what it learned."""
    state = state_of(ctx)
    user = user_of(ctx, state)
    return await run(_status, state, job_id, user, False)


def register(server: MCPServer) -> None:
    """Add these tools to `server`, in this order (they find the server state in the lifespan context)."""
    server.add_tool(ingest_transcript, title="Learn from a transcript", annotations=IDEMPOTENT_WRITE)
    server.add_tool(extraction_status, title="Extraction status", annotations=READ)
