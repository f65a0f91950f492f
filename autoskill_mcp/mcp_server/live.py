"""Live updates: when any process changes the store, tell every connected client within about a second.

The store's change counter grows with every write by any process (this server,
the queue worker, the language server, the CLI). A hand edit of a SKILL.md
moves it only when some process rescans, so the watcher also rescans, spaced
out in proportion to what a rescan costs. On a change it publishes the
list-changed events on the subscription bus (2026-07-28 clients listening) and
sends them on each 2025-era connection's standalone channel.
"""

from __future__ import annotations

import logging
import time
import warnings
from typing import Any

import anyio

from .state import ServerState

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
MIN_RESCAN_SECONDS = 0.75


async def watch(state: ServerState, bus: Any) -> None:
    """Run until cancelled (the lifespan waits for this task to end before it closes the store).

    The first reading is the change number the catalog had when the server started (taken before
    anything was served), so a write made while the store was still opening is announced too.
    """
    while not state.ready.is_set():
        await anyio.sleep(POLL_SECONDS)
    if not state.is_ready:
        return
    store = state.store
    last = state.start_seq if state.start_seq is not None else await anyio.to_thread.run_sync(store.change_seq)
    seq = await anyio.to_thread.run_sync(store.change_seq)
    if seq != last:
        last = seq
        await notify_all(state, bus)
    elif state.catalogue_was_loading:  # a tools/list came before the store's rescan: its list may have grown
        await notify_all(state, bus, kinds=("tools",))
    next_scan = 0.0
    while True:
        await anyio.sleep(POLL_SECONDS)
        try:
            now = time.monotonic()
            if now >= next_scan and hasattr(store, "sync"):
                started = time.monotonic()
                await anyio.to_thread.run_sync(store.sync)
                cost = time.monotonic() - started
                next_scan = time.monotonic() + max(MIN_RESCAN_SECONDS, 20 * cost)
            seq = await anyio.to_thread.run_sync(store.change_seq)
        except Exception:  # noqa: BLE001 - a locked or vanished catalog must not kill the server
            if state.closing.is_set():
                return
            log.exception("checking the store for changes failed")
            continue
        if seq != last:
            last = seq
            await notify_all(state, bus)


ALL_KINDS = ("resources", "prompts", "tools")


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
