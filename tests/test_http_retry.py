"""The shared HTTP retry policy against a real server on 127.0.0.1, directly and through both callers."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from autoskill_mcp.http_retry import backoff, send_with_retry
from autoskill_mcp.llm import LLMError, OpenAIProvider
from autoskill_mcp.retrieval.embedder_contract import EmbedderError
from autoskill_mcp.retrieval.openai_compat import OpenAIEmbedder


class Flaky(ThreadingHTTPServer):
    """Answers `fail_status` to the first `failures` POSTs, then a valid chat or embeddings answer."""

    def __init__(self, failures: int, fail_status: int = 503, retry_after: str | None = "0") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.failures, self.fail_status, self.retry_after = failures, fail_status, retry_after
        self.requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: Flaky

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        srv = self.server
        srv.requests += 1
        self.rfile.read(int(self.headers.get("content-length", 0)))
        if srv.requests <= srv.failures:
            body = b'{"error": {"message": "overloaded"}}'
            self.send_response(srv.fail_status)
            if srv.retry_after is not None:
                self.send_header("Retry-After", srv.retry_after)
        else:
            if self.path.endswith("/embeddings"):
                answer: dict[str, Any] = {"data": [{"index": 0, "embedding": [3.0, 4.0]}]}
            else:
                answer = {"choices": [{"message": {"content": "fine"}}]}
            body = json.dumps(answer).encode()
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


def _serve(failures: int, **kw: Any) -> Iterator[Flaky]:
    srv = Flaky(failures, **kw)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture
def flaky_twice() -> Iterator[Flaky]:
    yield from _serve(2)


@pytest.fixture
def always_down() -> Iterator[Flaky]:
    yield from _serve(10**6)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_fails_twice_then_succeeds_honouring_retry_after(flaky_twice: Flaky) -> None:
    waits: list[float] = []
    with httpx.Client() as client:
        resp = send_with_retry(lambda: client.post(flaky_twice.url + "/chat/completions", json={}),
                               retries=3, what="test", sleep=waits.append)
    assert resp.status_code == 200 and flaky_twice.requests == 3
    assert waits == [0.0, 0.0]  # the server's Retry-After: 0, not the default backoff


def test_too_few_retries_returns_the_last_failure(flaky_twice: Flaky) -> None:
    waits: list[float] = []
    with httpx.Client() as client:
        resp = send_with_retry(lambda: client.post(flaky_twice.url + "/x", json={}), retries=1, what="t",
                               sleep=waits.append)
    assert resp.status_code == 503 and flaky_twice.requests == 2 and len(waits) == 1


@pytest.fixture
def unauthorised() -> Iterator[Flaky]:
    yield from _serve(5, fail_status=401)


def test_status_not_worth_retrying_is_returned_at_once(unauthorised: Flaky) -> None:
    with httpx.Client() as client:
        resp = send_with_retry(lambda: client.post(unauthorised.url + "/x", json={}), retries=4, what="t",
                               sleep=lambda _: None)
    assert resp.status_code == 401 and unauthorised.requests == 1


def test_connection_errors_are_retried_then_raised() -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1/x"
    waits: list[float] = []
    with httpx.Client() as client, pytest.raises(httpx.ConnectError):
        send_with_retry(lambda: client.post(url, json={}), retries=2, what="t", sleep=waits.append)
    assert len(waits) == 2


def test_backoff_is_capped_and_retry_after_is_capped() -> None:
    assert all(backoff(n) <= 30.0 for n in range(40))
    assert 0.25 <= backoff(0) <= 0.5 and 4.0 <= backoff(4) <= 8.0
    assert backoff(0, httpx.Response(429, headers={"retry-after": "3600"})) == 30.0
    assert 0.25 <= backoff(0, httpx.Response(429, headers={"retry-after": "soon"})) <= 0.5


def test_llm_provider_recovers_through_the_helper(flaky_twice: Flaky) -> None:
    p = OpenAIProvider(api_key="k", base_url=flaky_twice.url, retries=2)
    assert p.complete(system="s", user="u") == "fine" and flaky_twice.requests == 3


def test_llm_provider_gives_a_clear_error_when_the_server_stays_down(always_down: Flaky) -> None:
    p = OpenAIProvider(api_key="sk-secret", base_url=always_down.url, retries=2)
    with pytest.raises(LLMError, match=r"answered HTTP 503: .*overloaded") as info:
        p.complete(system="s", user="u")
    assert always_down.requests == 3 and "sk-secret" not in str(info.value)


def test_embedder_recovers_through_the_helper(flaky_twice: Flaky) -> None:
    emb = OpenAIEmbedder(model="m", base_url=flaky_twice.url, api_key="k", max_retries=2)
    try:
        vec = emb.embed_query("hello")
    finally:
        emb.close()
    assert vec.tolist() == pytest.approx([0.6, 0.8]) and flaky_twice.requests == 3


def test_embedder_gives_a_clear_error_when_the_server_stays_down(always_down: Flaky) -> None:
    emb = OpenAIEmbedder(model="m", base_url=always_down.url, api_key="k", max_retries=1)
    try:
        with pytest.raises(EmbedderError, match=r"failed with HTTP 503: overloaded; server error; retry later"):
            emb.embed(["hello"])
    finally:
        emb.close()
    assert always_down.requests == 2
