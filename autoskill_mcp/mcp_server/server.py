"""The autoskill MCP server: the SDK's low-level `Server`, whose lists and reads are computed per user from the store.

Built on mcp 2.x, it serves both protocol eras from one object: 2025-11-25
clients (`initialize`, sessions, sampling, notifications on the connection)
and 2026-07-28 clients (`server/discover`, `subscriptions/listen`, SEP-2640
`skills/*`). Nothing heavy is imported or opened before the first answer: the
store and its index load on the core runtime's thread (see `state.py`, `runtime/`).

Only the SDK's public API is used. `MCPServer` keeps its per-method handlers private,
so the methods whose answer depends on the user (lists, reads, the paged resource list)
are handlers of a low-level `Server`, the way the SDK documents per-request lists and
pagination; an `MCPServer` is kept for what it does well, the tools (schemas, argument
validation, `Context`), and is reached through its public methods only.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.from_thread
import anyio.lowlevel
from mcp.server.context import ServerRequestContext
from mcp.server.extension import Extension, MethodBinding, RequestHandler
from mcp.server.lowlevel import NotificationOptions, Server
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.models import InitializationOptions
from mcp.server.request_state import RequestStateBoundary, RequestStateSecurity
from mcp.server.stdio import stdio_server
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler
from mcp.shared.exceptions import MCPError
from mcp.types import (
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    CallToolRequestParams,
    CallToolResult,
    GetPromptRequestParams,
    GetPromptResult,
    InputRequiredResult,
    ListPromptsResult,
    ListResourcesResult,
    ListResourceTemplatesResult,
    ListToolsResult,
    NotificationParams,
    PaginatedRequestParams,
    ReadResourceRequestParams,
    ReadResourceResult,
    TextContent,
)
from pydantic import ValidationError

from .. import __version__
from ..runtime import StoreChange
from ..runtime.worker import WorkerFactory
from ..store.layout import CATALOG_FILE
from . import discovery, live, prompts, resources, stdio, tools_learning, tools_skills
from .argument_errors import plain_message
from .identity import user_of
from .settings import McpSettings
from .state import ServerState

log = logging.getLogger(__name__)

SERVER_NAME = "autoskill"

#: the skill lists change with the store: 2025-era clients are told so at `initialize`
#: (2026-07-28 clients learn it from `subscriptions/listen` being served)
LISTS_CHANGE = NotificationOptions(prompts_changed=True, resources_changed=True, tools_changed=True)

_HANDSHAKE = frozenset({"initialize", "server/discover", "notifications/initialized"})


def _legacy(protocol_version: str | None) -> bool:
    return bool(protocol_version) and str(protocol_version) < "2026-07-28"


@asynccontextmanager
async def _lifespan(server: Server[ServerState]) -> AsyncIterator[ServerState]:
    """Start the runtime (store, change watch, worker) and relay its change events to the clients."""
    assert isinstance(server, AutoSkillServer)
    state = server.state
    await server.handlers.load_input_schemas()
    token = anyio.lowlevel.current_token()
    send, receive = anyio.create_memory_object_stream[StoreChange](math.inf)

    def on_change(change: StoreChange) -> None:  # on the runtime's thread
        with contextlib.suppress(RuntimeError, anyio.BrokenResourceError, anyio.ClosedResourceError):
            anyio.from_thread.run_sync(send.send_nowait, change, token=token)  # fails only once we are stopping

    unsubscribe = state.runtime.subscribe(on_change)
    if state.settings.worker:
        state.make_worker = _sampling_worker(state, token)
    try:
        await anyio.to_thread.run_sync(state.start_loading)  # reads the change number before anything is served
        async with anyio.create_task_group() as tg:
            tg.start_soon(live.announce, state, server.bus, receive)
            try:
                yield state
            finally:
                tg.cancel_scope.cancel()
    finally:
        unsubscribe()
        with anyio.CancelScope(shield=True):
            # The watch ends (a rescan it was in finishes first), the worker stops, only then is the store closed.
            await anyio.to_thread.run_sync(state.close)
        send.close()
        receive.close()


def _sampling_worker(state: ServerState, token: Any) -> WorkerFactory:
    """The runtime's worker for this server: a job of a connected user who can sample uses the client's model."""

    def make(queue: Any, learner: Any) -> Any:
        from .worker import SamplingWorker  # loads the learning pipeline: on the runtime's thread, not the loop's

        return SamplingWorker(queue, learner, state, token)

    return make


class AutoSkillServer(Server[ServerState]):
    """The SDK's `Server` wired with autoskill's handlers, tools, skills extension and subscriptions.

    Wiring only: the behaviour is in `Handlers`. Nothing here has an underscore name, so no
    SDK internal can be shadowed (tests/mcp_server/test_sdk_surface.py checks it).
    """

    def __init__(self, settings: McpSettings | None = None, *, state: ServerState | None = None) -> None:
        self.state = state or ServerState(settings or McpSettings())
        self.bus = InMemorySubscriptionBus()
        self.tools: MCPServer[ServerState] = MCPServer(SERVER_NAME, log_level="WARNING")
        tools_skills.register(self.tools)
        tools_learning.register(self.tools)
        self.handlers = Handlers(self.state, self.tools, self.bus)
        h = self.handlers
        super().__init__(
            SERVER_NAME,
            title="autoskill",
            instructions=discovery.INSTRUCTIONS,
            version=__version__,
            lifespan=_lifespan,
            get_tool_input_schema=h.input_schema,
            on_list_tools=h.list_tools,
            on_call_tool=h.call_tool,
            on_list_resources=h.list_resources,
            on_read_resource=h.read_resource,
            on_list_resource_templates=h.list_resource_templates,
            on_list_prompts=h.list_prompts,
            on_get_prompt=h.get_prompt,
            on_subscriptions_listen=ListenHandler(self.bus),
        )
        # What MCPServer installs by default (requestState sealing), then ours.
        self.middleware.extend([RequestStateBoundary(RequestStateSecurity.ephemeral(), default_audience=SERVER_NAME),
                                h.track_clients])
        _serve_extension(self, resources.SkillsExtension(self.state))
        self.add_notification_handler("notifications/roots/list_changed", NotificationParams, h.roots_changed)

    def create_initialization_options(
        self,
        notification_options: NotificationOptions | None = None,
        experimental_capabilities: dict[str, dict[str, Any]] | None = None,
        extensions: dict[str, dict[str, Any]] | None = None,
    ) -> InitializationOptions:
        """The SDK's, declaring listChanged by default (the SDK leaves it off unless asked, and every
        transport asks through this method)."""
        return super().create_initialization_options(notification_options or LISTS_CHANGE,
                                                     experimental_capabilities, extensions)

    async def run_stdio(self) -> None:
        """The SDK's stdio transport, with lines that are not JSON-RPC answered (-32700/-32600), not dropped."""
        async with stdio_server() as (read_stream, write_stream):
            await self.run(stdio.answering(read_stream, write_stream), write_stream,
                           self.create_initialization_options())


def _serve_extension(server: Server[Any], extension: Extension) -> None:
    """Serve an SEP-2133 extension as `MCPServer(extensions=...)` would: its methods, each limited
    to its protocol versions, and its settings under `capabilities.extensions`."""
    for binding in extension.methods():
        server.add_request_handler(binding.method, binding.params_type, _version_gated(binding))
    server.extensions[extension.identifier] = extension.settings()


def _version_gated(binding: MethodBinding) -> RequestHandler:
    """The binding's handler, answering "Method not found" at the versions it is not bound for."""
    versions = binding.protocol_versions
    if versions is None:
        return binding.handler

    async def gated(ctx: ServerRequestContext[Any, Any], params: Any) -> Any:
        if ctx.protocol_version not in versions:
            raise MCPError(code=METHOD_NOT_FOUND, message="Method not found", data=binding.method)
        return await binding.handler(ctx, params)

    return gated


class Handlers:
    """The request handlers and middleware of `AutoSkillServer`: per-user tools/list, resources and prompts."""

    def __init__(self, state: ServerState, tools: MCPServer[ServerState], bus: InMemorySubscriptionBus) -> None:
        self.state = state
        self.tools = tools
        self.bus = bus
        self._input_schemas: dict[str, dict[str, Any]] = {}
        self._catalogue_cache: dict[str, tuple[int, str]] = {}

    async def track_clients(self, ctx: ServerRequestContext[Any, Any], call_next: Any) -> Any:
        """Remember 2025-era connections (for notifications and sampling); start loading after the first answer."""
        if ctx.request_id is not None and _legacy(ctx.protocol_version) and ctx.method != "initialize":
            # Before the handler runs: a job this very call queues may want to sample through this client.
            self.state.clients.add(ctx.session, user_of(ctx, self.state))
        result = await call_next(ctx)
        if ctx.method not in _HANDSHAKE:  # load once the client is past its handshake, not during it
            self.state.first_request.set()
        return result

    async def roots_changed(self, ctx: ServerRequestContext[Any, Any], params: NotificationParams | None) -> None:
        """The client's roots changed: its project is read again on its next request."""
        self.state.roots.changed(ctx)

    # -- tools ----------------------------------------------------------------------------------------

    async def load_input_schemas(self) -> None:
        """Read the tools' input schemas once, for the Mcp-Param header checks (which must not run tools/list)."""
        self._input_schemas = {tool.name: tool.input_schema for tool in await self.tools.list_tools()}

    def input_schema(self, name: str) -> dict[str, Any] | None:
        return self._input_schemas.get(name)

    async def list_tools(
        self, ctx: ServerRequestContext[ServerState], params: PaginatedRequestParams | None
    ) -> ListToolsResult:
        """The tools, the discovery tool's description carrying the user's catalogue."""
        tools = await self.tools.list_tools()
        if not self.state.is_ready:
            self.state.catalogue_was_loading = True  # the open store may find more: live.py announces it
        description = await anyio.to_thread.run_sync(self._catalogue, user_of(ctx, self.state))
        for tool in tools:
            if tool.name == "search_skills":
                tool.description = description
        return ListToolsResult(tools=tools)

    async def call_tool(
        self, ctx: ServerRequestContext[ServerState], params: CallToolRequestParams
    ) -> CallToolResult | InputRequiredResult:
        """MCPServer's call, a failure as an error result the model reads (validation errors in plain words)."""
        context = Context(request_context=ctx, mcp_server=self.tools, input_params=params, subscriptions=self.bus)
        try:
            return await self.tools.call_tool(params.name, params.arguments or {}, context)
        except MCPError:
            raise
        except Exception as exc:  # noqa: BLE001 - as in MCPServer: a failed call is an error result the model reads
            message = str(exc)
            if not isinstance(exc, ToolError) or isinstance(exc, UnexpectedToolError):
                log.exception("tool %r raised an unexpected exception", params.name)
            elif isinstance(exc.__cause__, ValidationError):
                message = plain_message(params.name, exc.__cause__)
            return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)

    def _catalogue(self, user: str) -> str:
        """The discovery tool's description, read from the catalog file whether or not the store is open.

        One source for every answer, so the description depends on what is stored and never on
        how far loading has got; the store's own rescan, once open, moves the change number and
        live.py announces the new list.
        """
        from ..store.catalog import read_listing

        config = self.state.config
        libraries = tuple(str(d.expanduser().resolve()) for d in config.library_dirs())
        seq, rows = read_listing(config.home / CATALOG_FILE, user, libraries)
        cached = self._catalogue_cache.get(user)
        if cached is not None and cached[0] == seq and seq >= 0:
            return cached[1]
        text = discovery.render_catalogue([discovery.CatalogueEntry(r.name, r.description) for r in rows])
        if len(self._catalogue_cache) > 256:
            self._catalogue_cache.clear()
        self._catalogue_cache[user] = (seq, text)
        return text

    # -- resources ------------------------------------------------------------------------------------

    async def list_resources(
        self, ctx: ServerRequestContext[ServerState], params: PaginatedRequestParams | None
    ) -> ListResourcesResult:
        """One page of the user's skill files, under our own cursor."""
        user = user_of(ctx, self.state)
        cursor = params.cursor if params is not None else None
        project = await self.state.roots.project(ctx)
        items, nxt = await anyio.to_thread.run_sync(
            resources.list_resources, self.state, user, cursor, self.state.settings.page_size, project)
        return ListResourcesResult(resources=items, next_cursor=nxt)

    async def read_resource(
        self, ctx: ServerRequestContext[ServerState], params: ReadResourceRequestParams
    ) -> ReadResourceResult:
        """A skill file of the user's; any other URI is unknown (skill files are the only resources)."""
        uri = str(params.uri)
        if not uri.startswith("skill://"):
            raise MCPError(INVALID_PARAMS, f"Unknown resource: {uri}", {"uri": uri})
        project = await self.state.roots.project(ctx)
        result: ReadResourceResult = await anyio.to_thread.run_sync(
            resources.read_resource, self.state, user_of(ctx, self.state), uri, project)
        return result

    async def list_resource_templates(
        self, ctx: ServerRequestContext[ServerState], params: PaginatedRequestParams | None
    ) -> ListResourceTemplatesResult:
        return ListResourceTemplatesResult(resource_templates=await self.tools.list_resource_templates())

    # -- prompts --------------------------------------------------------------------------------------

    async def list_prompts(
        self, ctx: ServerRequestContext[ServerState], params: PaginatedRequestParams | None
    ) -> ListPromptsResult:
        project = await self.state.roots.project(ctx)
        items = await anyio.to_thread.run_sync(prompts.list_prompts, self.state, user_of(ctx, self.state), project)
        return ListPromptsResult(prompts=items)

    async def get_prompt(
        self, ctx: ServerRequestContext[ServerState], params: GetPromptRequestParams
    ) -> GetPromptResult:
        project = await self.state.roots.project(ctx)
        return await anyio.to_thread.run_sync(
            prompts.get_prompt, self.state, user_of(ctx, self.state), params.name, params.arguments, project)


def build_server(settings: McpSettings | None = None) -> AutoSkillServer:
    """A server over the settings' store (nothing is opened until it runs)."""
    return AutoSkillServer(settings)
