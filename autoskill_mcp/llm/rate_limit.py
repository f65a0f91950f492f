"""A request-rate limit shared by every process on one store.

The MCP server, the language server and `autoskill worker` may all work the queue
at once; a per-process limit would multiply by the number of processes. The
limit is kept in `<home>/llm-rate.json` (the start times of the last minute's
calls) under an exclusive file lock, so together they stay under it.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: the limit holds within one process only
    fcntl = None  # type: ignore[assignment]

from .provider import Provider

WINDOW = 60.0


class RateLimiter:
    """At most `per_minute` calls in any `window` seconds (60), across processes that share `path`."""

    def __init__(self, path: Path, per_minute: int, *, window: float = WINDOW) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.path = Path(path)
        self.per_minute = per_minute
        self.window = window
        self._local = threading.Lock()

    def acquire(self) -> float:
        """Wait for a slot and take it; the seconds waited."""
        waited = 0.0
        while True:
            delay = self._try()
            if delay <= 0:
                return waited
            time.sleep(min(delay, 5.0) + 0.001)
            waited += min(delay, 5.0)

    def _try(self) -> float:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._local, open(self.path, "a+", encoding="utf-8") as fh:
            if fcntl is not None:
                fcntl.flock(fh, fcntl.LOCK_EX)
            fh.seek(0)
            try:
                stamps = [float(t) for t in json.loads(fh.read() or "[]")]
            except (ValueError, TypeError):
                stamps = []  # a damaged file only costs the window's memory
            now = time.time()
            stamps = [t for t in stamps if now - self.window < t <= now + 1]
            if len(stamps) >= self.per_minute:
                return min(stamps) + self.window - now
            stamps.append(now)
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps(stamps))
            fh.flush()
            os.fsync(fh.fileno())
            return 0.0


class RateLimited:
    """A provider whose every call first takes a slot from a RateLimiter."""

    def __init__(self, provider: Provider, limiter: RateLimiter) -> None:
        self.provider = provider
        self.limiter = limiter
        self.name = provider.name
        self.model = provider.model

    def complete(self, *, system: str, user: str, max_tokens: int = 2048, temperature: float = 0.0) -> str:
        self.limiter.acquire()
        return self.provider.complete(system=system, user=user, max_tokens=max_tokens, temperature=temperature)
