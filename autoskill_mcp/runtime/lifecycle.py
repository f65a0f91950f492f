"""`Runtime`: open the store off the main thread, then watch it and work the queue, until stopped.

Opening scans every skill folder (O(store)) and must not delay a server's first
answers, so it runs on a background thread with a ready event. That same thread
then starts the embedded queue worker (when asked) and becomes the change watch,
so nothing waits on a thread that waits on another.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..config import AutoSkillConfig
from .watch import ChangeWatch, StoreChange, Subscriber
from .worker import QueueWorker, WorkerFactory

if TYPE_CHECKING:
    from ..sdk import AutoSkill
    from ..store.base import SkillStore

log = logging.getLogger(__name__)

#: how long `stop()` waits for the loader thread (it may be in the middle of a rescan)
JOIN_SECONDS = 30.0


class Runtime:
    """The store's life in one long-running process; thread-safe, and startable again after `stop()`."""

    def __init__(self, config: AutoSkillConfig, *, poll: float, rescan: bool = False, baseline: bool = False,
                 warm_index: bool = False, worker_poll: float = 1.0, worker_stop_seconds: float = 5.0,
                 before_open: Callable[[], None] | None = None) -> None:
        """`poll`: seconds between change checks; `rescan`: also rescan the folders (hand edits);
        `baseline`: read the change number at `start()`, so a write made while opening is announced;
        `warm_index`: build the search index right after opening; `before_open`: runs on the loader
        thread first (a server holds the opening until its handshake is answered)."""
        self.config = config
        self.poll = poll
        self.rescan = rescan
        self.baseline = baseline
        self.warm_index = warm_index
        self.worker_poll = worker_poll
        self.worker_stop_seconds = worker_stop_seconds
        self.before_open = before_open
        #: set once opening ended, in success or failure (see `sdk` and `error`)
        self.ready = threading.Event()
        #: set while stopping: the loops end and nothing new starts
        self.stopping = threading.Event()
        self.sdk: AutoSkill | None = None
        self.error: BaseException | None = None
        self.watch: ChangeWatch | None = None
        self._subscribers: list[Subscriber] = []
        self._life = threading.Lock()
        self._thread: threading.Thread | None = None
        self._helpers: list[threading.Thread] = []
        self._worker: QueueWorker | None = None
        self._work_queue = False
        self._make_worker: WorkerFactory | None = None
        self._baseline: int | None = None

    @property
    def is_ready(self) -> bool:
        """The store is open (not still opening, failed or closed)."""
        return self.ready.is_set() and self.sdk is not None

    @property
    def store(self) -> SkillStore | None:
        """The open store, or None."""
        sdk = self.sdk
        return None if sdk is None else sdk.store

    # -- subscribers --------------------------------------------------------------------------------

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call `subscriber` (on the watch thread) when the store opens and on every change; returns an unsubscribe."""
        with self._life:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._life:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def _notify(self, change: StoreChange) -> None:
        with self._life:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(change)
            except Exception:  # noqa: BLE001 - one broken subscriber must not silence the others
                log.exception("a store-change subscriber failed")

    def check(self) -> bool:
        """Look for changes now (after this process wrote, say); True when subscribers were told of one."""
        watch = self.watch
        if watch is None:
            return False
        try:
            return watch.check()
        except Exception as exc:  # noqa: BLE001 - the next turn of the watch tries again
            log.warning("reading the store's change counter failed: %s", exc)
            return False

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self, *, work_queue: bool = False, make_worker: WorkerFactory | None = None) -> None:
        """Start opening on a background thread (a no-op while running); with `work_queue`, a worker follows."""
        with self._life:
            if self._thread is not None:
                return
            self.stopping.clear()
            self.ready.clear()
            self.error = None
            self._work_queue, self._make_worker = work_queue, make_worker
            self._baseline = self._read_baseline() if self.baseline else None
            self._thread = threading.Thread(target=self._main, name="autoskill-store", daemon=True)
            self._thread.start()

    def _read_baseline(self) -> int:
        from ..store.catalog import read_seq
        from ..store.layout import CATALOG_FILE

        return read_seq(self.config.home / CATALOG_FILE)

    def _main(self) -> None:
        try:
            watch = self._open()
        finally:
            self.ready.set()
        if watch is None:
            return
        try:
            watch.opened()
        except Exception as exc:  # noqa: BLE001 - the loop below reads it again
            log.warning("reading the store's change counter failed: %s", exc)
        if self.warm_index:
            self._helper(self._build_index, "autoskill-index")
        if self._work_queue:
            self._start_worker()
        watch.run(self.stopping, self.poll)

    def _open(self) -> ChangeWatch | None:
        """Open the store; the watch over it, or None when it failed or `stop()` came first."""
        try:
            if self.before_open is not None:
                self.before_open()
            if self.stopping.is_set():
                return None
            from ..sdk import AutoSkill

            sdk = AutoSkill(self.config)
        except BaseException as exc:  # noqa: BLE001 - reported to every caller instead of killing the process
            log.exception("cannot open the skill store at %s", self.config.home)
            self.error = exc
            return None
        with self._life:
            if self.stopping.is_set():  # stopped while opening: stop() could not close what was not there yet
                sdk.close()
                return None
            self.sdk = sdk
            self.watch = ChangeWatch(sdk.store, self._notify, baseline=self._baseline, rescan=self.rescan)
        log.info("skill store open at %s (user %s)", self.config.home, sdk.default_user)
        return self.watch

    def _helper(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        with self._life:
            self._helpers.append(thread)
        thread.start()

    def _build_index(self) -> None:
        try:
            getattr(self.store, "index", None)  # the local store builds its keyword index (vectors load later)
        except Exception:  # noqa: BLE001 - a search builds it again on first use
            if not self.stopping.is_set():
                log.exception("building the search index failed")

    def _start_worker(self) -> None:
        """Work the shared queue here too (importing the learning pipeline happens only now, off the main thread)."""
        with self._life:
            if self.stopping.is_set() or self.sdk is None:
                return
            worker = QueueWorker(self.sdk, poll=self.worker_poll, make_worker=self._make_worker)
            if worker.start():
                self._worker = worker

    def stop(self) -> None:
        """Stop the worker and the watch, then close the store (whatever start-up had reached)."""
        with self._life:
            self.stopping.set()
            thread, self._thread = self._thread, None
            worker, self._worker = self._worker, None
            helpers, self._helpers = self._helpers, []
        if worker is not None:
            worker.stop(self.worker_stop_seconds)  # a job in flight finishes, or its lease lets another take it
        for t in [thread, *helpers]:
            if t is not None and t is not threading.current_thread():
                t.join(JOIN_SECONDS)
        with self._life:
            sdk, self.sdk = self.sdk, None
            self.watch = None
        if sdk is not None:
            sdk.close()
