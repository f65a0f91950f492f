"""The OpenAI-compatible embedder against a fake server on 127.0.0.1 (real httpx path)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from autoskill_mcp.retrieval import EmbedderError, HashingEmbedder, HybridIndex, OpenAIEmbedder, make_embedder

_HASH = HashingEmbedder(16)


class FakeEmbeddings:
    """Records requests; the model name selects the behaviour."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.auth: list[str | None] = []
        #: the "slow" model answers only once this is set (at teardown): the client's timeout fires first
        self.release = threading.Event()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                fake.auth.append(self.headers.get("Authorization"))
                model = body.get("model")
                if self.path != "/v1/embeddings":
                    return self._send(404, {"error": {"message": f"no route {self.path}"}})
                if model == "missing-model":
                    return self._send(404, {"error": {"message": "The model `missing-model` does not exist"}})
                if model == "broken":
                    return self._send(500, {"error": {"message": "upstream exploded"}})
                if model == "garbage":
                    return self._send(200, {"hello": "world"})
                if model == "slow":
                    fake.release.wait(60)
                vecs = _HASH.embed(body["input"]) * 3.0  # unnormalised on purpose
                dims = body.get("dimensions")
                if dims:
                    vecs = vecs[:, :dims]
                data = [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vecs)]
                data.reverse()  # servers may answer out of order; `index` rules
                return self._send(200, {"object": "list", "data": data, "model": model})

            def _send(self, status: int, payload: dict) -> None:
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, FakeEmbeddings]]:
    fake = FakeEmbeddings()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", fake
    fake.release.set()
    httpd.shutdown()
    httpd.server_close()


def test_batches_requests_and_keeps_input_order(server):
    url, fake = server
    emb = OpenAIEmbedder("tiny", base_url=url, api_key="sk-test", batch_size=3)
    texts = [f"text number {i}" for i in range(7)]
    vecs = emb.embed(texts)
    assert [len(r["input"]) for r in fake.requests] == [3, 3, 1]
    assert fake.auth == ["Bearer sk-test"] * 3
    assert vecs.shape == (7, 16) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vecs, _HASH.embed(texts), atol=1e-5)  # same order as the input
    assert emb.dims == 16


def test_unknown_model_dims_are_probed_once_and_dimensions_are_sent(server):
    url, fake = server
    emb = OpenAIEmbedder("tiny", base_url=url, dims=8)
    assert emb.ready and emb.dims == 8 and "tiny" in emb.signature and ":8" in emb.signature
    assert emb.embed_query("hi").shape == (8,)
    assert fake.requests[0]["dimensions"] == 8
    probed = OpenAIEmbedder("tiny", base_url=url)
    assert not probed.ready
    probed.load()
    assert probed.ready and probed.dims == 16


def test_http_errors_name_the_status_the_message_and_the_fix(server):
    url, fake = server
    with pytest.raises(EmbedderError) as info:
        OpenAIEmbedder("missing-model", base_url=url, dims=16).embed(["x"])
    msg = str(info.value)
    assert "HTTP 404" in msg and "does not exist" in msg and url in msg and "base_url" in msg
    with pytest.raises(EmbedderError, match=r"HTTP 500: upstream exploded; server error"):
        OpenAIEmbedder("broken", base_url=url, dims=16, max_retries=1).embed(["x"])
    assert sum(r["model"] == "broken" for r in fake.requests) == 2  # one retry on 5xx
    with pytest.raises(EmbedderError, match="'data' list"):
        OpenAIEmbedder("garbage", base_url=url, dims=16).embed(["x"])


def test_timeouts_and_unreachable_servers_fail_clearly(server):
    url, _ = server
    with pytest.raises(EmbedderError, match="timed out"):
        OpenAIEmbedder("slow", base_url=url, dims=16, timeout=0.2, max_retries=0).embed(["x"])
    with pytest.raises(EmbedderError, match="cannot reach"):
        OpenAIEmbedder("tiny", base_url="http://127.0.0.1:9/v1", dims=16, max_retries=0).embed(["x"])


def test_make_embedder_reads_the_sdk_shape_and_env_key(server, monkeypatch):
    url, fake = server
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    emb = make_embedder({"provider": "openai", "model": "tiny", "base_url": url, "dims": 16})
    assert isinstance(emb, OpenAIEmbedder)
    emb.embed(["a"])
    assert fake.auth[-1] == "Bearer sk-env"


def test_hybrid_index_over_the_remote_embedder_falls_back_to_keywords_when_it_fails(server):
    url, _ = server
    index = HybridIndex(OpenAIEmbedder("tiny", base_url=url, dims=16), background=False)
    index.upsert_many([("a", "convert pdf to text", "1"), ("b", "deploy kubernetes", "2")])
    assert index.search("pdf text", wait=True)[0].mode == "hybrid"
    broken = HybridIndex(OpenAIEmbedder("broken", base_url=url, dims=16, max_retries=0), background=False)
    broken.upsert_many([("a", "convert pdf to text", "1")])
    hits = broken.search("pdf text", wait=True)
    assert hits[0].doc_id == "a" and hits[0].mode == "keyword"
    assert "HTTP 500" in str(broken.last_error)
