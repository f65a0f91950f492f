"""One retry policy for every outbound HTTP call (LLM chat and remote embeddings).

Both callers talk to rate-limited services that fail transiently; keeping the policy
(which statuses, how long to wait, Retry-After) in one place means they cannot drift apart.
Callers keep their own error messages: this module returns the last response or raises the
last transport error, and the caller says what went wrong in its own words.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

import httpx

__all__ = ["RETRY_STATUSES", "backoff", "send_with_retry"]

log = logging.getLogger("autoskill_mcp.http")

#: statuses worth another try: rate limits and transient server trouble
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
#: the longest single wait, whatever Retry-After asks for
MAX_DELAY = 30.0


def backoff(attempt: int, resp: httpx.Response | None = None, *, base: float = 0.5, cap: float = MAX_DELAY) -> float:
    """Seconds to wait before retry `attempt + 1`: the server's Retry-After if it gave one, else jittered doubling.

    Both are capped so a hostile or confused server cannot park a caller for minutes.
    """
    if resp is not None:
        try:
            return min(cap, max(0.0, float(resp.headers.get("retry-after", ""))))
        except ValueError:
            pass
    return min(cap, base * 2**attempt) * (0.5 + random.random() / 2)


def send_with_retry(
    send: Callable[[], httpx.Response],
    *,
    retries: int,
    what: str,
    retry_on: tuple[type[Exception], ...] = (httpx.TransportError,),
    statuses: frozenset[int] = RETRY_STATUSES,
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Response:
    """Call `send` up to `retries + 1` times; the first response that is not a retryable status, or the last one.

    A transport error of a `retry_on` type is retried too; after the last attempt it is raised
    unchanged so the caller can name the URL and what to check. Other exceptions are not retried.
    """
    attempts = max(0, retries) + 1
    for attempt in range(attempts):
        last_try = attempt == attempts - 1
        try:
            resp = send()
        except retry_on as exc:
            if last_try:
                raise
            log.warning("%s: %s; retry %d of %d", what, type(exc).__name__, attempt + 1, retries)
            sleep(backoff(attempt))
            continue
        if resp.status_code not in statuses or last_try:
            return resp
        log.warning("%s: HTTP %d; retry %d of %d", what, resp.status_code, attempt + 1, retries)
        sleep(backoff(attempt, resp))
    raise AssertionError("unreachable: the loop returns or raises on its last attempt")
