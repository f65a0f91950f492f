"""Live updates: when any process changes the store, tell every connected client within about a second.

The core runtime's change watch (runtime/watch.py) notices writes by any process
and rescans for hand edits; its events arrive here on a stream. On a change this
publishes the list-changed events on the subscription bus (2026-07-28 clients
listening) and sends them on each 2025-era connection's standalone channel.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import anyio
from anyio.abc import ObjectReceiveStream

from ..runtime import StoreChange
from .state import ServerState

log = logging.getLogger(__name__)

ALL_KINDS = ("resources", "prompts", "tools")


async def announce(state: ServerState, bus: Any, changes: ObjectReceiveStream[StoreChange]) -> None:
    """Turn the runtime's change events into notifications, until cancelled or the stream closes.

    The first event compares with the change number the catalog had when the server started
    (read before anything was served), so a write made while the store was still opening is announced too.
    """
    async for change in changes:
        if change.moved:
            await notify_all(state, bus)
        elif change.opened and state.catalogue_was_loading:
            # a tools/list came before the store's rescan: its list may have grown
            await notify_all(state, bus, kinds=("tools",))


async def notify_all(state: ServerState, bus: Any, kinds: tuple[str, ...] = ALL_KINDS) -> None:
    """Tell every client the skill lists changed (tools too: the catalogue is in a description)."""
    from mcp.server.subscriptions import PromptsListChanged, ResourcesListChanged, ToolsListChanged

    events = {"resources": ResourcesListChanged, "prompts": PromptsListChanged, "tools": ToolsListChanged}
    for kind in kinds:
        await bus.publish(events[kind]())
    for session in state.clients.sessions():
        try:
            with anyio.fail_after(5), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for kind in kinds:
                    await getattr(session, f"send_{kind[:-1]}_list_changed")()
        except Exception as exc:  # noqa: BLE001 - a closed connection: forget it
            log.debug("dropping a legacy session after a failed notification: %s", exc)
            state.clients.discard(session)
