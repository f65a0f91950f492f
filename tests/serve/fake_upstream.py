"""A small OpenAI-compatible upstream on 127.0.0.1 that records what it was sent (standard library only)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from autoskill_mcp.serve.query import REWRITE_SYSTEM, SELECT_SYSTEM

# Odd spacing on purpose: the client must get these very bytes back.
COMPLETION = (b'{"id":"chatcmpl-fake","object":"chat.completion","created":1,"model":"fake-model",'
              b'"choices":[{"index":0,"message":{"role":"assistant",'
              b'"content":"Done:  use logging.getLogger(__name__)."},'
              b'"finish_reason":"stop"}],   "usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}')
STREAM_PIECES = ["Hello", " streamed", " world"]


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    doc = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1, "model": "fake-model",
           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(doc).encode() + b"\n\n"


STREAM = (_chunk({"role": "assistant", "content": ""}) + b"".join(_chunk({"content": p}) for p in STREAM_PIECES)
          + _chunk({}, "stop") + b": a comment line passed through too\n\n" + b"data: [DONE]\n\n")
MODELS = b'{"object":"list","data":[{"id":"fake-model","object":"model","created":1,"owned_by":"fake"}]}'
ERROR_400 = b'{"error":{"message":"fake upstream says: bad model","type":"invalid_request_error","code":"bad"}}'
ERROR_500 = b'{"error":{"message":"fake upstream exploded","type":"server_error"}}'


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeUpstream:
    server: ThreadingHTTPServer
    requests: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: playing the proxy's LLM too: the answer to a query-rewrite prompt, the names a selection prompt picks,
    #: and the status both get (500: the LLM is down)
    rewrite: str = "pytest fixtures for a cache module"
    select: list[str] = field(default_factory=list)
    llm_status: int = 200

    def llm_answer(self, doc: dict[str, Any]) -> tuple[int, bytes] | None:
        """The answer when `doc` is one of the proxy's own LLM prompts, else None (a chat to pass on)."""
        system = next((str(m.get("content")) for m in doc.get("messages", []) if m.get("role") == "system"), "")
        if system.startswith(REWRITE_SYSTEM[:40]):
            content = self.rewrite
        elif system.startswith(SELECT_SYSTEM[:40]):
            content = json.dumps({"use": self.select})
        else:
            return None
        if self.llm_status != 200:
            return self.llm_status, ERROR_500
        return 200, json.dumps({"id": "chatcmpl-llm", "object": "chat.completion", "created": 1, "model": "llm",
                                "choices": [{"index": 0, "finish_reason": "stop",
                                             "message": {"role": "assistant", "content": content}}]}).encode()

    def forwarded(self) -> list[Seen]:
        """The chat requests the proxy passed on (its own LLM prompts left out)."""
        return [r for r in self.chats() if self.llm_answer(r.json()) is None]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def chats(self) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start() -> FakeUpstream:
    fake: FakeUpstream

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _record(self) -> Seen:
            length = int(self.headers.get("content-length") or 0)
            seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                        self.rfile.read(length) if length else b"")
            with fake.lock:
                fake.requests.append(seen)
            return seen

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Upstream", "fake")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._record()
            self._send(200, MODELS) if self.path == "/v1/models" else self._send(404, b'{"error":"no"}')

        def do_POST(self) -> None:
            seen = self._record()
            if self.path == "/v1/embeddings":
                self._send(200, b'{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5]}],'
                                b'"model":"fake-embed","usage":{"prompt_tokens":1,"total_tokens":1}}')
                return
            doc = seen.json()
            if (llm := fake.llm_answer(doc)) is not None:
                self._send(*llm)
            elif doc.get("model") == "fail-400":
                self._send(400, ERROR_400)
            elif doc.get("model") == "fail-500":
                self._send(500, ERROR_500)
            elif doc.get("stream"):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for event in STREAM.split(b"\n\n")[:-1]:
                    piece = event + b"\n\n"
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            else:
                self._send(200, COMPLETION)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake = FakeUpstream(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake
