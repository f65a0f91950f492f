"""The one loop that notices writes to the store by any process and tells subscribers.

Every write by any process (a server, the queue worker, the CLI) moves the catalog's
change number, so reading it is enough to hear them. A hand edit of a SKILL.md moves it
only when some process rescans the folders, so a watch may rescan too, spaced out in
proportion to what a rescan costs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store.base import SkillStore

log = logging.getLogger(__name__)

#: a rescan waits at least this long after the last one, and 20 times what it cost
MIN_RESCAN_SECONDS = 0.75
#: a watch waiting for a change announcement looks at its stop event this often
STOP_CHECK_SECONDS = 0.25


@dataclass(frozen=True)
class StoreChange:
    """What a subscriber is told: once when the store opens, then on every change."""

    seq: int
    #: the first event, sent once the store is open whether or not anything changed
    opened: bool = False
    #: the change number moved since the last event (for the first, since the watch's baseline)
    moved: bool = True


Subscriber = Callable[[StoreChange], None]


class ChangeWatch:
    """Reads the change number of one open store; thread-safe, so a caller may `check()` at once after a write."""

    def __init__(self, store: SkillStore, notify: Subscriber, *, baseline: int | None = None,
                 rescan: bool = False) -> None:
        self.store = store
        self.rescan = rescan
        self.seq = baseline if baseline is not None else -1
        self._baseline = baseline
        self._notify = notify
        self._lock = threading.Lock()
        self._next_scan = 0.0

    def opened(self) -> None:
        """Send the first event (the baseline, if given, was read before the store opened)."""
        with self._lock:
            seq = self.store.change_seq()
            moved = self._baseline is not None and seq != self._baseline
            self.seq = seq
            self._notify(StoreChange(seq, opened=True, moved=moved))

    def check(self) -> bool:
        """Pick up writes by any process; True (and subscribers told) when the store changed."""
        with self._lock:
            seq = self.store.change_seq()
            if seq == self.seq:
                return False
            refresh = getattr(self.store, "refresh", None)
            if callable(refresh):
                refresh()
            self.seq = seq
            self._notify(StoreChange(seq))
            return True

    def tick(self) -> bool:
        """One turn of the loop: rescan the folders when it is time, then `check()`."""
        sync = getattr(self.store, "sync", None) if self.rescan else None  # folder stores only
        if sync is not None and time.monotonic() >= self._next_scan:
            started = time.monotonic()
            sync()
            cost = time.monotonic() - started
            self._next_scan = time.monotonic() + max(MIN_RESCAN_SECONDS, 20 * cost)
        return self.check()

    def run(self, stop: threading.Event, poll: float) -> None:
        """Tick every `poll` seconds until `stop` is set; a failing turn is logged, not fatal.

        A store that can announce writes (`wait_for_change`: the team store's LISTEN) wakes the
        watch at once instead, so a write on another machine reaches this one's clients without
        waiting for the poll."""
        waiter = getattr(self.store, "wait_for_change", None)
        while True:
            if callable(waiter):
                deadline = time.monotonic() + poll
                while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
                    try:
                        if waiter(min(left, STOP_CHECK_SECONDS)):
                            break
                    except Exception as exc:  # noqa: BLE001 - waiting is an optimisation; the poll still works
                        log.debug("waiting for a change announcement failed: %s", exc)
                        stop.wait(left)
                if stop.is_set():
                    return
            elif stop.wait(poll):
                return
            try:
                self.tick()
            except Exception as exc:  # noqa: BLE001 - a locked or vanished catalog must not end the watch
                if stop.is_set():
                    return
                log.warning("checking the store for changes failed: %s", exc)
