"""The one ASGI app of `autoskill serve`: the OpenAI-compatible routes, and /mcp from the MCP server.

Routes: `GET /health`, `GET /v1/models`, `POST /v1/embeddings` (passed through),
`POST /v1/chat/completions` (skills injected, streamed or not), and the skill API under
`/v1/autoskill/` (skill_api.py), and the web UI over that API at `/` (webui.py). The proxy routes sit behind the
MCP server's own pieces: its bearer guard (the user comes from the token, or is the default user
on loopback), its Host/Origin checks and its body limit. `/mcp` is the MCP server's streamable
HTTP app, guarded as `autoskill mcp --http` guards it, sharing this process's runtime (one open
store, one change watch, one queue worker).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ..mcp_server.auth import SCOPE_USER_KEY
from ..mcp_server.http import guard, mcp_body_limit, request_checks
from ..runtime import Runtime
from ..store.factory import open_tokens
from . import answers, commands, query
from .errors import bad_request, json_body_limit, openai_error
from .extraction import Conversation, ExtractionHook, should_queue
from .injection import Injection, inject, latest_user_text, retrieve, user_turns
from .proxy import Forwarded, Upstream, UpstreamError, describe
from .settings import ServeSettings
from .skill_api import SkillApi
from .webui import WebUi

if TYPE_CHECKING:
    from mcp.server.transport_security import TransportSecurityMiddleware

    from ..config import AutoSkillConfig
    from ..llm.provider import Provider

log = logging.getLogger(__name__)

SKILLS_HEADER = "X-AutoSkill-Skills"
JOB_HEADER = "X-AutoSkill-Job"
#: how often a proxy-only runtime reads the store's change number, and how often its worker looks for jobs
POLL_SECONDS = 0.25
WORKER_POLL_SECONDS = 0.3


@dataclass
class Proxy:
    """What the route handlers share: the settings, the runtime, the upstream and the extraction hook."""

    settings: ServeSettings
    runtime: Runtime
    upstream: Upstream | None
    hook: ExtractionHook
    default_user: str
    #: the configured LLM (`[llm]`) for query rewriting and selection; None: offline
    llm: Provider | None = None

    # -- helpers --------------------------------------------------------------------------------------

    @functools.cached_property
    def checks(self) -> TransportSecurityMiddleware:
        """The MCP server's Host/Origin checks for this process's address, built once (every request runs them)."""
        return request_checks(self.settings.http)

    async def refused(self, request: Request, *, post: bool) -> Response | None:
        """The MCP server's Host/Origin (and JSON Content-Type) checks, answered in OpenAI's error shape."""
        refusal = await self.checks.validate_request(request, is_post=post)
        if refusal is None:
            return None
        return openai_error(refusal.status_code, bytes(refusal.body).decode("utf-8", "replace"),
                            code="request_refused")

    def user(self, request: Request) -> str:
        """The verified user the guard put in the scope (a client cannot set it)."""
        return str(request.scope.get(SCOPE_USER_KEY) or self.default_user)

    def no_upstream(self) -> Response:
        return openai_error(503, "no upstream is configured: pass --upstream URL or set upstream in the [proxy] "
                            "table of the store's config.toml", kind="server_error", code="no_upstream")

    async def injection(self, messages: list[dict[str, Any]], user: str) -> Injection:
        """The skills for the conversation's latest request; none (never an error) while the store opens or
        when retrieval fails."""
        sdk = self.runtime.sdk if self.runtime.is_ready else None
        if sdk is None:
            return Injection(note="store opening" if self.runtime.error is None else "store unavailable")
        s, llm = self.settings, self.llm

        def work() -> Injection:
            asked = query.search_query(messages, s.rewrite_mode, llm)
            choose = None if s.select_mode == "never" else (lambda hits: query.select(hits, asked.text, llm))
            found = retrieve(sdk, asked.text, user=user, top_k=s.top_k, min_score=s.min_score, budget=s.budget,
                             max_chars=s.max_chars, select=choose)
            return dataclasses.replace(found, query=asked)

        try:
            return await anyio.to_thread.run_sync(work)
        except Exception as exc:  # noqa: BLE001 - the chat goes on without skills
            log.warning("skill retrieval failed, forwarding without skills: %s", describe(exc))
            return Injection(note="retrieval failed")

    # -- routes ---------------------------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        if (refusal := await self.refused(request, post=False)) is not None:
            return refusal
        ready, error = self.runtime.is_ready, self.runtime.error
        return JSONResponse({
            "ok": ready and self.upstream is not None, "store_ready": ready,
            "store_error": None if error is None else str(error), "upstream_configured": self.upstream is not None,
            "mcp": self.settings.http.path if self.settings.mcp else None,
        })

    async def models(self, request: Request) -> Response:
        if (refusal := await self.refused(request, post=False)) is not None:
            return refusal
        if self.settings.served_models:
            return JSONResponse({"object": "list", "data": [
                {"id": name, "object": "model", "created": 0, "owned_by": "autoskill"}
                for name in self.settings.served_models]})
        return await self.pass_through(request, "GET", "/models", None)

    async def embeddings(self, request: Request) -> Response:
        if (refusal := await self.refused(request, post=True)) is not None:
            return refusal
        return await self.pass_through(request, "POST", "/embeddings", await request.body())

    async def pass_through(self, request: Request, method: str, path: str, body: bytes | None) -> Response:
        """Forward as is and answer with the upstream's status, headers and body."""
        if self.upstream is None:
            return self.no_upstream()
        try:
            forwarded = await self.upstream.send(method, path, body=body, headers=request.headers.items())
        except UpstreamError as exc:
            return openai_error(exc.status, str(exc), kind="upstream_error", code="upstream_unavailable")
        return await whole(forwarded, {})

    async def chat(self, request: Request) -> Response:
        if (refusal := await self.refused(request, post=True)) is not None:
            return refusal
        try:
            doc = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return bad_request("the request body is not valid JSON")
        problem = chat_problem(doc)
        if problem is not None:
            return bad_request(problem[0], param=problem[1])
        messages: list[dict[str, Any]] = doc["messages"]
        stream = bool(doc.get("stream", False))
        user = self.user(request)
        # the latest user message, also when tool results follow it (an agent's loop keeps its skills)
        latest = latest_user_text(messages)
        command = commands.parse(latest) if messages[-1].get("role") == "user" else None
        if command is not None:
            return await self.extract_now(messages[:-1], command, user, str(doc.get("model") or "autoskill"), stream)
        if self.upstream is None:
            return self.no_upstream()
        injection = await self.injection(messages, user) if latest else Injection()
        body = json.dumps({**doc, "messages": inject(messages, injection.text)}, ensure_ascii=False).encode()
        try:
            forwarded = await self.upstream.send("POST", "/chat/completions", body=body,
                                                 headers=request.headers.items())
        except UpstreamError as exc:
            refusal = openai_error(exc.status, str(exc), kind="upstream_error", code="upstream_unavailable")
            refusal.headers[SKILLS_HEADER] = injection.header
            return refusal
        extra = {SKILLS_HEADER: injection.header}
        wanted = should_queue(self.settings.extract_mode, self.settings.extract_turn_limit, messages)
        ok = forwarded.status < 300
        if not (stream and ok and "text/event-stream" in forwarded.response.headers.get("content-type", "")):
            def queue_whole(answer: bytes) -> None:
                if wanted and ok:
                    self.hook.submit(Conversation(user, messages, answers.from_completion(answer)))

            return await whole(forwarded, extra, after=queue_whole)
        collected = answers.StreamedAnswer()

        def queue_stream() -> None:
            if wanted and collected.complete and not collected.too_large:
                self.hook.submit(Conversation(user, messages, collected.text))

        return StreamingResponse(relay(forwarded, collected), status_code=forwarded.status,
                                 headers={**forwarded.headers(), **extra}, background=BackgroundTask(queue_stream))

    async def extract_now(self, before: list[dict[str, Any]], command: commands.ExtractNow, user: str, model: str,
                          stream: bool) -> Response:
        """Queue the conversation before the command at once, and say so without calling the upstream."""
        headers: dict[str, str] = {SKILLS_HEADER: ""}
        if user_turns(before) == 0:
            text = "Nothing to extract yet: this conversation has no earlier user message."
        else:
            convo = Conversation(user, before, hint=command.hint or None)
            try:
                job_id, created = await anyio.to_thread.run_sync(self.hook.enqueue, convo)
            except Exception as exc:  # noqa: BLE001 - said to the user, in the answer
                log.warning("could not queue a conversation for extraction: %s", describe(exc))
                return openai_error(500, f"could not queue the conversation: {describe(exc)}", kind="server_error",
                                    code="queue_failed")
            headers[JOB_HEADER] = job_id
            text = (f"Queued this conversation for skill extraction (job {job_id})" +
                    ("" if created else ", already queued") + (f", hint: {command.hint}" if command.hint else "") + ".")
        if stream:
            return Response(commands.completion_stream(text, model), media_type="text/event-stream", headers=headers)
        return JSONResponse(commands.completion(text, model), headers=headers)


def chat_problem(doc: Any) -> tuple[str, str | None] | None:
    """What is wrong with a chat request (message, param), or None: only what the proxy itself relies on."""
    if not isinstance(doc, dict):
        return "the request body must be a JSON object", None
    messages = doc.get("messages")
    if messages is None:
        return "'messages' is required", "messages"
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array of message objects", "messages"
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str):
            return f"messages[{i}] must be an object with a string 'role'", f"messages[{i}]"
    if "stream" in doc and not isinstance(doc["stream"], bool):
        return "'stream' must be true or false", "stream"
    if "model" in doc and not isinstance(doc["model"], str):
        return "'model' must be a string", "model"
    return None


async def whole(forwarded: Forwarded, extra: dict[str, str], after: Any = None) -> Response:
    """The upstream's whole answer as one response; `after(body)` runs once it has been sent."""
    try:
        body = await forwarded.response.aread()
    except Exception as exc:  # noqa: BLE001 - httpx's read errors: the upstream went away mid-answer
        return openai_error(502, f"the upstream stopped answering: {describe(exc)}", kind="upstream_error",
                            code="upstream_unavailable")
    finally:
        await forwarded.response.aclose()
    task = BackgroundTask(after, body) if after is not None else None
    return Response(body, status_code=forwarded.status, headers={**forwarded.headers(), **extra}, background=task)


async def relay(forwarded: Forwarded, collected: answers.StreamedAnswer) -> AsyncIterator[bytes]:
    """The upstream's stream, chunk for chunk; a failure mid-stream ends it with an error event."""
    try:
        async for chunk in forwarded.response.aiter_raw():
            collected.feed(chunk)
            yield chunk
    except Exception as exc:  # noqa: BLE001 - httpx's read errors: the client is told, then the stream ends
        log.warning("the upstream stream broke off: %s", describe(exc))
        error = {"error": {"message": f"the upstream stream broke off: {describe(exc)}", "type": "upstream_error",
                           "param": None, "code": "upstream_unavailable"}}
        yield b"data: " + json.dumps(error).encode() + b"\n\n"
    finally:
        await forwarded.response.aclose()


async def no_route(request: Request, exc: Exception) -> Response:
    """An unknown path or method, answered in the same JSON error shape as every other error."""
    status = int(getattr(exc, "status_code", 404))
    what = "no such route" if status == 404 else f"{request.method} is not allowed here"
    return openai_error(status, f"{what}: {request.method} {request.url.path}",
                        code="no_route" if status == 404 else "method_not_allowed")


class Dispatch:
    """`/mcp` (and below it) to the MCP app, everything else (lifespan included) to the proxy.

    The web UI's own files (`GET /`, `GET /ui/<file>`: the same bytes for everyone, no data) go to
    `public`, the proxy without the bearer guard, so a browser can load the page that then asks for
    the token; their routes keep the Host/Origin checks, and every API call the page makes is guarded.
    """

    def __init__(self, proxy: Any, mcp: Any | None, path: str, public: Any | None = None) -> None:
        self.proxy, self.mcp, self.path, self.public = proxy, mcp, path.rstrip("/") or "/", public

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = str(scope.get("path") or "")
        if self.mcp is not None and scope.get("type") == "http" and (
                path == self.path or path.startswith(self.path + "/")):
            await self.mcp(scope, receive, send)
        elif self.public is not None and scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD") \
                and (path == "/" or WebUi.serves(path)):
            await self.public(scope, receive, send)
        else:
            await self.proxy(scope, receive, send)


def llm_for(settings: ServeSettings, config: AutoSkillConfig) -> Provider | None:
    """The store's configured LLM when rewriting or selection may use it (None: offline, or not needed).

    Not behind the store's rate limit (that paces background extraction): a chat must not wait a
    minute for a slot; each call here goes with a chat the client sends anyway.
    """
    if settings.rewrite_mode == "never" and settings.select_mode == "never":
        return None
    from ..llm.config import provider_from_config

    cfg = config.resolved_llm()
    timeout = min(float(cfg.get("timeout") or query.LLM_TIMEOUT_SECONDS), query.LLM_TIMEOUT_SECONDS)
    return provider_from_config({**cfg, "timeout": timeout})


def build_app(settings: ServeSettings) -> Any:
    """The ASGI app for `settings` (its port must be the bound one: the Origin checks name it)."""
    mcp_app: Any = None
    http = settings.http
    if settings.mcp:
        from ..mcp_server.http import streamable_app
        from ..mcp_server.server import AutoSkillServer

        server = AutoSkillServer(http)
        runtime, config, default_user = server.state.runtime, server.state.config, server.state.default_user
        mcp_app = streamable_app(server, http)
    else:
        config = http.config()
        default_user = config.resolved_user()
        runtime = Runtime(config, poll=POLL_SECONDS, rescan=True, warm_index=True, worker_poll=WORKER_POLL_SECONDS)
    upstream = None if settings.upstream is None else Upstream(settings.upstream, settings.api_key,
                                                                timeout=settings.upstream_timeout)
    proxy = Proxy(settings, runtime, upstream, ExtractionHook(config), default_user, llm=llm_for(settings, config))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if upstream is not None:
                stack.push_async_callback(upstream.aclose)
            if mcp_app is not None:  # the MCP server's lifespan starts the shared runtime (and its worker)
                await stack.enter_async_context(mcp_app.router.lifespan_context(mcp_app))
            else:
                await anyio.to_thread.run_sync(lambda: runtime.start(work_queue=http.worker))
                stack.push_async_callback(anyio.to_thread.run_sync, runtime.stop)
            # last in, first out: conversations still waiting are queued before the worker stops
            stack.push_async_callback(anyio.to_thread.run_sync, proxy.hook.stop)
            yield

    app = Starlette(routes=[
        Route("/health", proxy.health, methods=["GET"]),
        Route("/v1/models", proxy.models, methods=["GET"]),
        Route("/v1/embeddings", proxy.embeddings, methods=["POST"]),
        Route("/v1/chat/completions", proxy.chat, methods=["POST"]),
        *SkillApi(proxy).routes(),
        *WebUi(proxy).routes(),
    ], lifespan=lifespan, exception_handlers={404: no_route, 405: no_route})
    tokens = open_tokens(config.resolved_store(), home=config.home)  # one set for both guards
    guarded = guard(json_body_limit(app, http.max_body), http, tokens=tokens, default_user=default_user,
                    prog="autoskill serve", anonymous_on_unknown=True)
    mcp_guarded = None if mcp_app is None else guard(mcp_body_limit(mcp_app, http.max_body), http, tokens=tokens,
                                                     default_user=default_user, prog="autoskill serve")
    return Dispatch(guarded, mcp_guarded, http.path, public=json_body_limit(app, http.max_body))
