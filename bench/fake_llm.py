"""A small OpenAI-compatible (and Anthropic Messages) server on 127.0.0.1 that plays a careful model.

Used by the LLM tests and by `bench_ingest.py --llm`, so the real provider
clients are exercised over real HTTP with no key and no network. It answers:

- extraction prompts with one skill built from the user's directive sentences (and "followed: yes"
  for every served skill the prompt lists)
  ("always", "never", "prefer", "from now on", "don't", "总是", "不要", ...),
  quoting them exactly, or `{"skills": []}` when there are none;
- judge prompts with `add`;
- anything else with `{}`.

`script` queues special answers for the next requests: "bad-json" (prose, not
JSON), "wrong-schema" (JSON missing fields), "429" (rate limited, Retry-After 0),
"500", "401", and "hold": the request waits (the `holding` event is set, so a test knows its
client is mid-call) until `release` is set, then is answered as usual. `requests` counts every
request; `bodies` keeps them.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_DIRECTIVE = re.compile(r"\b(always|never|prefer|from now on|don't|do not|make sure)\b|总是|不要|永远|以后|务必", re.I)
#: the longest a held request waits for `release` (a test that forgets it still ends)
HOLD_LIMIT_S = 120.0
_TURN = re.compile(r"^\[(\d+)\](?: \(correction: [^)]*\))? (.*)$")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?。！？])\s*", text) if s.strip()]


def answer_for(system: str, user: str) -> dict[str, Any]:
    """What the fake model says to one prompt."""
    if "turn a coding-agent session into reusable skills" in system:
        served = [{"name": m.group(1), "followed": "yes", "why": "the agent's commands match it"}
                  for m in re.finditer(r"^Skill the agent was served \([a-z]+\): (\S+)$", user, re.M)]
        quotes: list[str] = []
        for line in user.splitlines():
            m = _TURN.match(line)
            if m:
                quotes += [s for s in _sentences(m.group(2)) if _DIRECTIVE.search(s)]
        if not quotes:
            return {"skills": [], "served": served}
        words = [w.lower() for w in re.findall(r"[A-Za-z]{4,}", " ".join(quotes))
                 if w.lower() not in {"always", "never", "prefer", "from", "make", "sure", "with", "that", "this"}]
        topic = words[0] if words else "user"
        bullets = "\n".join(f"- {q}" for q in quotes)
        return {"skills": [{
            "name": f"{topic}-conventions",
            "description": f"Applies the user's {topic} conventions. Use when a task involves {topic}.",
            "instructions": f"# Goal\nFollow the user's {topic} conventions.\n\n# Constraints & Style\n{bullets}\n",
            "triggers": [f"working with {topic}"], "tags": [topic], "confidence": 0.8, "evidence": quotes,
        }], "served": served}
    if "same capability as an existing one" in system:
        return {"action": "add", "reason": "a distinct capability"}
    return {}


class FakeLLM:
    """`with FakeLLM() as fake:` then point a provider at `fake.base_url` (OpenAI) or `fake.root` (Anthropic)."""

    def __init__(self) -> None:
        self.requests = 0
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.script: list[str] = []
        self.holding = threading.Event()  # a "hold" request has arrived and waits
        self.release = threading.Event()  # lets held requests answer
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def __enter__(self) -> FakeLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict[str, Any], headers: dict[str, str]) -> str | None:
        with self._lock:
            self.requests += 1
            self.bodies.append(body)
            self.headers.append(headers)
            return self.script.pop(0) if self.script else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self._send(400, {"error": {"message": "body is not JSON"}})
                special = fake._next(body, {k.lower(): v for k, v in self.headers.items()})
                if special == "hold":
                    fake.holding.set()
                    fake.release.wait(HOLD_LIMIT_S)
                if special in ("429", "500", "401"):
                    return self._send(int(special), {"error": {"message": f"scripted {special}"}},
                                      {"Retry-After": "0"} if special == "429" else {})
                if self.path.endswith("/chat/completions"):
                    msgs = body.get("messages", [])
                    system = next((m["content"] for m in msgs if m.get("role") == "system"), "")
                    user = next((m["content"] for m in msgs if m.get("role") == "user"), "")
                elif self.path.endswith("/v1/messages"):
                    system, user = body.get("system", ""), body["messages"][0]["content"]
                else:
                    return self._send(404, {"error": {"message": f"no route {self.path}"}})
                if special == "bad-json":
                    text = "Sure! Here are the skills you asked for."
                elif special == "wrong-schema":
                    text = json.dumps({"skills": [{"name": "x"}]})
                else:
                    text = json.dumps(answer_for(system, user), ensure_ascii=False)
                if self.path.endswith("/chat/completions"):
                    out = {"id": "fake", "object": "chat.completion", "model": body.get("model"),
                           "choices": [{"index": 0, "finish_reason": "stop",
                                        "message": {"role": "assistant", "content": text}}]}
                else:
                    out = {"id": "fake", "type": "message", "role": "assistant", "model": body.get("model"),
                           "content": [{"type": "text", "text": text}], "stop_reason": "end_turn"}
                self._send(200, out)

            def _send(self, status: int, payload: dict[str, Any], extra: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in (extra or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # a client killed while its request was held
                    self.close_connection = True

        return Handler
