"""Counting retrievals the way pruning needs them: once per skill per distinct request.

An agent that repeats a search (retries, paging, the same question twice) must not
inflate a skill's `retrieved` counter toward pruning, so a skill returned again for
the same user and the same normalised query within the window is not counted again
(AutoSkill's rule: 10 minutes, the query's first 200 characters).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable

from ..store.base import SkillStore

WINDOW_SECONDS = 600.0
MAX_REMEMBERED = 10_000


class RetrievalCounter:
    """Adds `retrieved` usage for skills handed to an agent, with per-query dedupe."""

    def __init__(self, store: SkillStore, *, window: float = WINDOW_SECONDS) -> None:
        self.store = store
        self.window = window
        self._seen: dict[tuple[str, str, str], float] = {}
        self._lock = threading.Lock()

    def count(self, user_id: str, query: str, skill_ids: Iterable[str]) -> int:
        """Record the retrievals not seen within the window; how many were recorded."""
        key = hashlib.sha1(" ".join(query.lower().split())[:200].encode()).hexdigest()
        now = time.monotonic()
        fresh: list[str] = []
        with self._lock:
            if len(self._seen) > MAX_REMEMBERED:
                self._seen = {k: t for k, t in self._seen.items() if now - t < self.window}
            for skill_id in dict.fromkeys(skill_ids):
                seen = self._seen.get((user_id, key, skill_id))
                if seen is None or now - seen >= self.window:
                    self._seen[(user_id, key, skill_id)] = now
                    fresh.append(skill_id)
        self.store.record_usage_many([(skill_id, user_id, 1, 0) for skill_id in fresh])  # deleted ones are skipped
        return len(fresh)
