"""The provider interface, its error, and the HTTP plumbing the two HTTP providers share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import httpx

from ..errors import AutoSkillError
from ..http_retry import RETRY_STATUSES, send_with_retry

__all__ = ["RETRY_STATUSES", "CallCounter", "HTTPProvider", "LLMError", "Provider", "post_json"]


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
    """POST with the shared retry policy (http_retry); an LLMError that says why otherwise.

    Error text never includes the request headers, so a key cannot leak into a log.
    """
    try:
        resp = send_with_retry(lambda: client.post(url, json=payload, headers=headers), retries=retries, what=what,
                               retry_on=(httpx.HTTPError,))
    except httpx.HTTPError as exc:
        raise LLMError(f"{what}: cannot reach {url} ({type(exc).__name__}: {exc})") from exc
    if resp.status_code < 300:
        try:
            data = resp.json()
        except ValueError as exc:
            raise LLMError(f"{what}: {url} answered {resp.status_code} with non-JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise LLMError(f"{what}: {url} answered JSON that is not an object")
        return data
    last = f"{what}: {url} answered HTTP {resp.status_code}: {resp.text[:300]}"
    raise LLMError(last if resp.status_code in RETRY_STATUSES else last + _hint(resp.status_code))


def _hint(status: int) -> str:
    if status in (401, 403):
        return " (check the API key)"
    if status == 404:
        return " (check base_url and model)"
    return ""
