"""Background embedding for a store: fills missing vectors, one process at a time.

A search never embeds a backlog (it answers from keywords until vectors exist), so
someone else must: the process that works the learning queue (MCP server, language
server, `autoskill worker`) runs this filler. It embeds in small chunks, writes each
chunk to the catalog (where every other process picks it up, see
`LocalSkillStore.pick_up_vectors`), and holds a lease in the catalog while it works,
so two servers on one store never embed the same skills twice on a 2-core machine.
When the backlog is empty it saves the vector snapshot, so the next process to open
the store loads every vector in milliseconds.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import uuid
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .local import LocalSkillStore

log = logging.getLogger(__name__)

#: how long a lease lasts without renewal (a killed filler blocks others at most this long)
LEASE_SECONDS = 30.0
#: skills embedded between two lease renewals and catalog writes (about a second of work)
CHUNK = 32


_RUNNING: weakref.WeakSet[VectorFiller] = weakref.WeakSet()
_exit_hook = False


def _stop_all_at_exit() -> None:
    """Stop every filler before the interpreter finalises: a daemon thread must not come back
    from onnxruntime then (see minilm._native_call). Registered after the embedder's own exit
    hook, so it runs first (atexit is last in, first out)."""
    for filler in list(_RUNNING):
        filler.stop()


def new_owner() -> str:
    """A lease owner name unique to this process and filler."""
    return f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


class VectorFiller:
    """Embeds a store's missing vectors on a daemon thread until stopped."""

    def __init__(self, store: LocalSkillStore, *, poll: float = 1.0) -> None:
        self.store = store
        self.poll = poll
        self.owner = new_owner()
        self.embedded = 0
        #: set whenever a pass finds nothing left to embed (tests and benches wait on it)
        self.idle = threading.Event()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="autoskill-vectors", daemon=True)

    def start(self) -> None:
        global _exit_hook
        _RUNNING.add(self)
        if not _exit_hook:
            _exit_hook = True
            atexit.register(_stop_all_at_exit)
        self._thread.start()

    def wake(self) -> None:
        """Look for work now instead of at the next poll (a write just made some)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the chunk in hand (its vectors are kept) and give the lease up."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                worked = self.step()
                failures = 0
            except Exception as exc:  # noqa: BLE001 - keep serving; retry with a growing pause
                failures += 1
                worked = False
                log.warning("filling vectors failed (will retry): %s", exc)
            if worked:
                continue
            self._wake.wait(min(self.poll * 2 ** failures, 60.0))
            self._wake.clear()
        self.store.release_embed_lease(self.owner)

    def step(self) -> bool:
        """One pass: pick up others' vectors, embed one chunk if we may; True if it embedded any."""
        store = self.store
        if store.closed:
            self._stop.set()
            return False
        store.refresh()
        index = store.index
        if index.embedder is None or index.embedder.cheap or index.error is not None:
            self.idle.set()  # nothing to fill, or vectors cheap enough that every process makes its own
            return False
        store.pick_up_vectors()
        if not index.pending:
            store.release_embed_lease(self.owner)
            store.save_index_snapshot()
            self.idle.set()
            return False
        if not store.take_embed_lease(self.owner, LEASE_SECONDS):
            return False  # another process embeds: its vectors arrive through pick_up_vectors
        self.idle.clear()
        started = time.monotonic()
        n = index.embed_pending(CHUNK)
        self.embedded += n
        log.debug("embedded %d skills in %.2f s (%d waiting)", n, time.monotonic() - started, index.pending)
        return n > 0
