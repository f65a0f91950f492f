"""The server's shared state: the core runtime (store, watch, worker), the job queue, connected clients.

Opening the store scans every skill folder and building the search index reads
the catalog, both O(store). Neither may delay `initialize` or `tools/list`, so
the runtime opens it on its thread once the first request after the handshake
has been answered (or after a one-second grace period); a tool that needs the store waits for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..runtime import Runtime
from ..runtime.worker import WorkerFactory
from .settings import McpSettings

if TYPE_CHECKING:
    from ..learning.queue import JobQueue
    from ..learning.usage import RetrievalCounter
    from ..runtime.project import ProjectSkills
    from ..sdk import AutoSkill
    from ..store.base import SkillStore

log = logging.getLogger(__name__)

#: start loading this long after start-up even if no request arrived yet
LOAD_GRACE_SECONDS = 1.0
#: after the first request, wait this long more so its answer is sent before loading starts
AFTER_FIRST_REQUEST_SECONDS = 0.1
#: a tool waits this long for the store before failing with a clear message
STORE_WAIT_SECONDS = 120.0
#: how often the store's change number is read: clients hear of a change within about a second
POLL_SECONDS = 0.25
#: how often an idle embedded queue worker looks for jobs
WORKER_POLL_SECONDS = 0.3


class StoreUnavailableError(RuntimeError):
    """The store could not be opened (or is still opening): every tool reports this message."""


class ServerState:
    """One per server process; thread-safe. The store's life is the core runtime's; this adds the clients."""

    def __init__(self, settings: McpSettings) -> None:
        self.settings = settings
        self.config = settings.config()
        self.default_user: str = self.config.resolved_user()
        self.first_request = threading.Event()
        self.runtime = Runtime(self.config, poll=POLL_SECONDS, rescan=True, baseline=True, warm_index=True,
                               worker_poll=WORKER_POLL_SECONDS, before_open=lambda: self._load())
        #: set once opening ended (in success or failure)
        self.ready = self.runtime.ready
        #: set when the server starts shutting down (before the watcher and the store are stopped)
        self.closing = self.runtime.stopping
        #: builds the embedded queue worker (the lifespan sets it when the settings ask for one)
        self.make_worker: WorkerFactory | None = None
        #: a tools/list was answered before the store had rescanned its folders (live.py then announces it)
        self.catalogue_was_loading = False
        self._queue: JobQueue | None = None
        self._queue_lock = threading.Lock()
        self.clients = ClientRegistry()
        from .project_roots import SessionRoots

        #: each connection's project (its client's roots, or the server's folder over stdio)
        self.roots = SessionRoots(settings)
        self._retrievals: RetrievalCounter | None = None

    # -- loading ------------------------------------------------------------------------------------

    def start_loading(self) -> None:
        """Open the store and build the index on a background thread (then watch it, and work the queue)."""
        self.runtime.start(work_queue=self.make_worker is not None, make_worker=self.make_worker)

    def _load(self) -> None:
        """Hold the opening until the client's first request is answered (or the grace period ends)."""
        if self.first_request.wait(LOAD_GRACE_SECONDS) and not self.closing.is_set():
            # The event fires as the first answer is being written: let it leave before our imports
            # (numpy, the store) take the interpreter lock.
            time.sleep(AFTER_FIRST_REQUEST_SECONDS)

    @property
    def is_ready(self) -> bool:
        return self.runtime.is_ready

    def sdk(self) -> AutoSkill:
        """The `AutoSkill` facade over the store (blocks until it is open)."""
        self.start_loading()
        if not self.ready.wait(STORE_WAIT_SECONDS):
            raise StoreUnavailableError(f"the skill store is still opening after {STORE_WAIT_SECONDS:.0f} s; try again")
        error = self.runtime.error
        if error is not None:
            raise StoreUnavailableError(f"the skill store could not be opened: {error}") from error
        sdk = self.runtime.sdk
        if sdk is None:
            raise StoreUnavailableError("the skill store is closed (the server is shutting down)")
        return sdk

    @property
    def store(self) -> SkillStore:
        return self.sdk().store

    def view(self, project: ProjectSkills | None) -> AutoSkill:
        """The SDK with `project`'s skills beside the store's (a per-request view; the store is shared)."""
        return self.sdk().with_project(project)

    def retrievals(self) -> RetrievalCounter:
        """Counts skills handed to agents (deduped per query), the `retrieved` signal for pruning."""
        if self._retrievals is None:
            from ..learning.usage import RetrievalCounter

            self._retrievals = RetrievalCounter(self.store)
        return self._retrievals

    @contextmanager
    def queue(self) -> Iterator[JobQueue]:
        """The job queue (one SQLite connection, so one thread at a time)."""
        with self._queue_lock:
            if self._queue is None:
                from ..learning.queue import open_queue

                self._queue = open_queue(self.store, getattr(self.store, "root", self.config.home))
            yield self._queue

    def close(self) -> None:
        """Stop the worker and the watcher, close the store and the queue; a later `start_loading` opens them again."""
        self.first_request.set()  # a loader still waiting for the first request gives up now
        self.runtime.stop()
        with self._queue_lock:
            if self._queue is not None:
                self._queue.close()
                self._queue = None
        self.first_request.clear()


def state_of(ctx: Any) -> ServerState:
    """The server state a tool call runs under: what the lifespan yielded (an MCPServer `Context`)."""
    state: ServerState = ctx.request_context.lifespan_context
    return state


class ClientRegistry:
    """Legacy-era connections (for list_changed and sampling), keyed by connection.

    2026-07-28 clients get notifications through `subscriptions/listen` and the bus;
    2025-era clients only on their connection's standalone channel, so we keep one
    session object per connection, and drop it when a send to it fails.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[int, tuple[Any, str, bool]] = {}  # key -> (session, user, can sample)
        self._order: list[int] = []

    def add(self, session: Any, user: str) -> None:
        key = _connection_key(session)
        caps = getattr(session, "client_capabilities", None)
        can_sample = caps is not None and getattr(caps, "sampling", None) is not None
        with self._lock:
            if key in self._sessions:
                self._order.remove(key)
            self._sessions[key] = (session, user, can_sample)
            self._order.append(key)

    def sessions(self) -> list[Any]:
        with self._lock:
            return [self._sessions[k][0] for k in self._order]

    def sampler_for(self, user: str) -> Any | None:
        """The most recently active session of `user` whose client offers sampling."""
        with self._lock:
            for key in reversed(self._order):
                session, owner, can_sample = self._sessions[key]
                if owner == user and can_sample:
                    return session
        return None

    def discard(self, session: Any) -> None:
        key = _connection_key(session)
        with self._lock:
            if self._sessions.pop(key, None) is not None:
                self._order.remove(key)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)


def _connection_key(session: Any) -> int:
    """One key per connection. `ServerSession` is a per-request wrapper whose connection is not public;
    the client's initialize params it shows are the connection's own object, so their identity is the key."""
    return id(getattr(session, "client_params", None) or session)
