"""The autoskill MCP server: an `MCPServer` whose lists and reads are computed per user from the store.

Built on mcp 2.x, it serves both protocol eras from one object: 2025-11-25
clients (`initialize`, sessions, sampling, notifications on the connection)
and 2026-07-28 clients (`server/discover`, `subscriptions/listen`, SEP-2640
`skills/*`). Nothing heavy is imported or opened before the first answer: the
store and its index load on the core runtime's thread (see `state.py`, `runtime/`).
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
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.stdio import stdio_server
from mcp.server.subscriptions import InMemorySubscriptionBus
from mcp.types import (
    GetPromptRequestParams,
    GetPromptResult,
    ListPromptsResult,
    ListResourcesResult,
    ListToolsResult,
    PaginatedRequestParams,
    ReadResourceRequestParams,
    ReadResourceResult,
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


_HANDSHAKE = frozenset({"initialize", "server/discover", "notifications/initialized"})


def _legacy(protocol_version: str | None) -> bool:
    return bool(protocol_version) and str(protocol_version) < "2026-07-28"


@asynccontextmanager
async def _lifespan(server: MCPServer[ServerState]) -> AsyncIterator[ServerState]:
    """Start the runtime (store, change watch, worker) and relay its change events to the clients."""
    assert isinstance(server, AutoSkillServer)
    state = server.state
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


class AutoSkillServer(MCPServer[ServerState]):
    """MCPServer plus per-user tools/list, resources, prompts and the skills extension."""

    def __init__(self, settings: McpSettings | None = None, *, state: ServerState | None = None) -> None:
        self.state = state or ServerState(settings or McpSettings())
        self.bus = InMemorySubscriptionBus()
        super().__init__(
            SERVER_NAME,
            title="autoskill",
            instructions=discovery.INSTRUCTIONS,
            version=__version__,
            lifespan=_lifespan,
            subscriptions=self.bus,
            extensions=[resources.SkillsExtension(self.state)],
            log_level="WARNING",
        )
        self.middleware.extend([self._advertise_list_changed, self._track_clients])
        tools_skills.register(self)
        tools_learning.register(self)
        self._catalogue_cache: dict[str, tuple[int, str]] = {}

    @staticmethod
    async def _advertise_list_changed(ctx: ServerRequestContext[Any, Any], call_next: Any) -> Any:
        """Declare listChanged to 2025-era clients too (the SDK leaves it off unless asked at run time)."""
        result = await call_next(ctx)
        capabilities = result.get("capabilities") if ctx.method == "initialize" and isinstance(result, dict) else None
        if isinstance(capabilities, dict):
            for kind in ("tools", "resources", "prompts"):
                if isinstance(capabilities.get(kind), dict):
                    capabilities[kind]["listChanged"] = True
        return result

    async def _track_clients(self, ctx: ServerRequestContext[Any, Any], call_next: Any) -> Any:
        """Remember 2025-era connections (for notifications and sampling); start loading after the first answer."""
        if ctx.request_id is not None and _legacy(ctx.protocol_version) and ctx.method != "initialize":
            # Before the handler runs: a job this very call queues may want to sample through this client.
            self.state.clients.add(ctx.session, user_of(ctx, self.state))
        result = await call_next(ctx)
        if ctx.method not in _HANDSHAKE:  # load once the client is past its handshake, not during it
            self.state.first_request.set()
        return result

    async def run_stdio_async(self) -> None:
        """The SDK's stdio transport, with lines that are not JSON-RPC answered (-32700/-32600), not dropped."""
        async with stdio_server() as (read_stream, write_stream):
            low = self._lowlevel_server
            await low.run(stdio.answering(read_stream, write_stream), write_stream,
                          low.create_initialization_options())

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        """The SDK's call, with argument validation errors in plain words (see arguments.py)."""
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError) and not isinstance(exc, UnexpectedToolError):
                raise ToolError(plain_message(name, exc.__cause__)) from exc.__cause__
            raise

    # -- tools/list: the discovery tool carries the user's catalogue ----------------------------------

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

    async def _handle_list_tools(
        self, ctx: ServerRequestContext[ServerState], params: PaginatedRequestParams | None
    ) -> ListToolsResult:
        tools = await self.list_tools()
        if not self.state.is_ready:
            self.state.catalogue_was_loading = True  # the open store may find more: live.py announces it
        description = await anyio.to_thread.run_sync(self._catalogue, user_of(ctx, self.state))
        for tool in tools:
            if tool.name == "search_skills":
                tool.description = description
        return ListToolsResult(tools=tools)

    # -- resources ------------------------------------------------------------------------------------

    async def _handle_list_resources(
        self, ctx: ServerRequestContext[ServerState], params: PaginatedRequestParams | None
    ) -> ListResourcesResult:
        user = user_of(ctx, self.state)
        cursor = params.cursor if params is not None else None
        items, nxt = await anyio.to_thread.run_sync(
            resources.list_resources, self.state, user, cursor, self.state.settings.page_size)
        return ListResourcesResult(resources=items, next_cursor=nxt)

    async def _handle_read_resource(
        self, ctx: ServerRequestContext[ServerState], params: ReadResourceRequestParams
    ) -> Any:
        if str(params.uri).startswith("skill://"):
            result: ReadResourceResult = await anyio.to_thread.run_sync(
                resources.read_resource, self.state, user_of(ctx, self.state), str(params.uri))
            return result
        return await super()._handle_read_resource(ctx, params)

    # -- prompts --------------------------------------------------------------------------------------

    async def _handle_list_prompts(
        self, ctx: ServerRequestContext[ServerState], params: PaginatedRequestParams | None
    ) -> ListPromptsResult:
        items = await anyio.to_thread.run_sync(prompts.list_prompts, self.state, user_of(ctx, self.state))
        return ListPromptsResult(prompts=items)

    async def _handle_get_prompt(
        self, ctx: ServerRequestContext[ServerState], params: GetPromptRequestParams
    ) -> GetPromptResult:
        return await anyio.to_thread.run_sync(
            prompts.get_prompt, self.state, user_of(ctx, self.state), params.name, params.arguments)


def build_server(settings: McpSettings | None = None) -> AutoSkillServer:
    """A server over the settings' store (nothing is opened until it runs)."""
    return AutoSkillServer(settings)
