"""The upstream: requests forwarded with httpx (async, streamed), answers handed back as they came.

Only the upstream ever sees its API key: it is read from the configured environment variable
for each request and set here, and the client's own `Authorization` header (an autoskill token,
or a placeholder key) is never forwarded. Bodies are asked for without compression, so the
bytes read are the bytes passed back and the stream can be read for extraction as it goes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpx

log = logging.getLogger(__name__)

#: client request headers passed on (everything else, Authorization first of all, stays here)
FORWARD_REQUEST = ("accept", "openai-beta", "openai-organization", "openai-project", "user-agent")
#: upstream response headers not passed back: hop-by-hop, recomputed for the body we send, or set by uvicorn
DROP_RESPONSE = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding",
                           "proxy-authenticate", "proxy-connection", "te", "trailer", "upgrade", "set-cookie",
                           "date", "server"})
CONNECT_SECONDS = 10.0


class UpstreamError(Exception):
    """The upstream could not be reached or stopped answering: the client gets 502 (504 for a timeout)."""

    def __init__(self, message: str, status: int = 502) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Forwarded:
    """An upstream answer whose body is still to be read (`response.aiter_raw()`, then `aclose()`)."""

    response: httpx.Response

    @property
    def status(self) -> int:
        return self.response.status_code

    def headers(self) -> dict[str, str]:
        """The headers to pass back to the client."""
        return {k: v for k, v in self.response.headers.items() if k.lower() not in DROP_RESPONSE}


class Upstream:
    """One OpenAI-compatible server (`base_url` ends where `/chat/completions` is appended, `/v1` included)."""

    def __init__(self, base_url: str, api_key: Callable[[], str | None], *, timeout: float,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_SECONDS)),
                                         transport=transport, follow_redirects=False, trust_env=False)

    def _headers(self, incoming: Iterable[tuple[str, str]], has_body: bool) -> dict[str, str]:
        headers = {k: v for k, v in incoming if k.lower() in FORWARD_REQUEST}
        headers["accept-encoding"] = "identity"
        if has_body:
            headers["content-type"] = "application/json"
        key = self._api_key()
        if key:
            headers["authorization"] = f"Bearer {key}"
        return headers

    async def send(self, method: str, path: str, *, body: bytes | None = None,
                   headers: Iterable[tuple[str, str]] = ()) -> Forwarded:
        """Send a request and return once the answer's headers are in (UpstreamError when it cannot be had)."""
        request = self._client.build_request(method, self.base_url + path, content=body,
                                             headers=self._headers(headers, body is not None))
        try:
            response = await self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise UpstreamError(f"the upstream did not answer in time ({type(exc).__name__})", 504) from exc
        except httpx.HTTPError as exc:
            raise UpstreamError(f"cannot reach the upstream: {describe(exc)}") from exc
        return Forwarded(response)

    async def aclose(self) -> None:
        await self._client.aclose()


def describe(exc: BaseException) -> str:
    """A short reason for a transport failure (the exception's class and text; httpx puts no header in it)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
