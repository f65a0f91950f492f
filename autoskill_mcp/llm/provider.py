"""The provider interface, its error, and the HTTP plumbing the two HTTP providers share."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import httpx

from ..errors import AutoSkillError

#: statuses worth another try: rate limits and transient server trouble
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})


class LLMError(AutoSkillError):
    """The model could not be reached or did not answer usably (after retries and one repair)."""

    exit_code = 6


@runtime_checkable
class Provider(Protocol):
    """A chat model that answers one system + user prompt with text."""

    name: str
    model: str

    def complete(self, *, system: str, user: str, max_tokens: int = 2048, temperature: float = 0.0) -> str: ...


@dataclass
class CallCounter:
    """Counts model calls (first tries and repairs) so results can report what they cost."""

    calls: int = 0


class HTTPProvider:
    """What the HTTP providers share: one httpx client, a base URL, headers, retries."""

    name = "http"

    def __init__(self, *, model: str, base_url: str, headers: dict[str, str], timeout: float, retries: int) -> None:
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self._headers = headers
        self._client = httpx.Client(timeout=timeout)

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        return post_json(self._client, f"{self.base_url}{path}", payload, headers=self._headers,
                         retries=self.retries, what=self.name)

    def close(self) -> None:
        self._client.close()


def post_json(
    client: httpx.Client,
    url: str,
    payload: dict[str, Any],
    *,
    headers: dict[str, str],
    retries: int,
    what: str,
) -> dict[str, Any]:
    """POST with retries on rate limits and 5xx (honouring Retry-After); an LLMError that says why otherwise.

    Error text never includes the request headers, so a key cannot leak into a log.
    """
    last = ""
    for attempt in range(retries + 1):
        try:
            resp = client.post(url, json=payload, headers=headers)
        except httpx.HTTPError as exc:
            last = f"{what}: cannot reach {url} ({type(exc).__name__}: {exc})"
        else:
            if resp.status_code < 300:
                try:
                    data = resp.json()
                except ValueError as exc:
                    raise LLMError(f"{what}: {url} answered {resp.status_code} with non-JSON ({exc})") from exc
                if not isinstance(data, dict):
                    raise LLMError(f"{what}: {url} answered JSON that is not an object")
                return data
            last = f"{what}: {url} answered HTTP {resp.status_code}: {resp.text[:300]}"
            if resp.status_code not in RETRY_STATUSES:
                raise LLMError(last + _hint(resp.status_code))
            if attempt < retries:
                time.sleep(_delay(resp, attempt))
                continue
        if attempt < retries:
            time.sleep(_delay(None, attempt))
    raise LLMError(last)


def _delay(resp: httpx.Response | None, attempt: int) -> float:
    if resp is not None:
        try:
            return min(30.0, max(0.0, float(resp.headers.get("retry-after", ""))))
        except ValueError:
            pass
    return min(30.0, 0.5 * 2**attempt) * (0.5 + random.random() / 2)


def _hint(status: int) -> str:
    if status in (401, 403):
        return " (check the API key)"
    if status == 404:
        return " (check base_url and model)"
    return ""
