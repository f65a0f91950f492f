"""What `autoskill serve` adds before the first streamed byte, against the same upstream called directly.

A streaming upstream on 127.0.0.1 answers at once; `autoskill serve` runs as a real subprocess over a
store of n imported skills (the bench's cached corpus) and forwards to it. Every timed request is a
new user message (so no query-vector cache flatters the figure) and is sent twice, interleaved:
once through the proxy (retrieval, injection, forwarding) and once straight to the upstream (the
baseline: HTTP, JSON and the upstream's own work). The difference of the medians is the proxy's
added latency; the target is <= 20 ms p50 at 5k skills with the default embedder.

    python -m bench.bench_serve                  # 5k skills, MiniLM and hashing
    python -m bench.bench_serve --sizes 1000 --embeddings hashing
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from autoskill_mcp.retrieval.embedder import make_embedder

from . import corpus
from .bench_store import cached_folders, import_once
from .report import Row, markdown, pct, ratio

ROOT = Path(__file__).resolve().parents[1]
USER = "bench"
START_SECONDS = 300.0
_WORDS = ["hello", " from", " the", " fake", " upstream", "."]


class _StreamingUpstream(BaseHTTPRequestHandler):
    """`POST /v1/chat/completions`: a short answer, streamed chunk by chunk, or whole."""

    protocol_version = "HTTP/1.1"
    #: like real model servers (uvicorn, nginx): no Nagle delay between the headers and each chunk
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        self.server.systems.append(sum(m.get("role") == "system" for m in body.get("messages", [])))  # type: ignore[attr-defined]
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for word in _WORDS:
                chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                         "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]}
                self._chunk(f"data: {json.dumps(chunk)}\n\n".encode())
            self._chunk(b"data: [DONE]\n\n")
            self._chunk(b"")
            return
        answer = json.dumps({"id": "c1", "object": "chat.completion", "created": 0, "model": "fake",
                             "choices": [{"index": 0, "finish_reason": "stop",
                                          "message": {"role": "assistant", "content": "".join(_WORDS)}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


@contextmanager
def upstream() -> Iterator[tuple[str, list[int]]]:
    """The upstream's base URL (…/v1) and the count of system messages in each request it got."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StreamingUpstream)
    server.daemon_threads = True
    server.systems = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", server.systems  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def proxy(home: Path, provider: str, upstream_url: str) -> Iterator[str]:
    """`autoskill serve` on a free port over `home`, once its store is open; its base URL."""
    log = home.parent / f"serve-{provider}.log"
    env = {**os.environ, "AUTOSKILL_HOME": str(home), "PYTHONPATH": str(ROOT)}
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "autoskill_mcp", "serve", "--port", "0", "--home", str(home),
                                 "--user", USER, "--embeddings", provider, "--upstream", upstream_url,
                                 "--extract-mode", "never", "--no-worker", "--no-mcp"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
        try:
            base = _wait_ready(proc, log)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=60)


def _wait_ready(proc: subprocess.Popen[bytes], log: Path) -> str:
    """The proxy's URL once /health says the store is ready (it opens on a thread after the bind)."""
    deadline = time.monotonic() + START_SECONDS
    base = None
    with httpx.Client(timeout=10) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"autoskill serve exited {proc.returncode}: {log.read_text(errors='replace')}")
            if base is None:
                found = re.search(r"serving the OpenAI-compatible proxy on (http://[^/\s]+)/v1", log.read_text())
                base = found.group(1) if found else None
            elif client.get(f"{base}/health").json().get("store_ready"):
                return base
            time.sleep(0.05)
    raise RuntimeError(f"autoskill serve did not get ready in {START_SECONDS:.0f} s")


def first_byte_ms(client: httpx.Client, url: str, text: str, *, stream: bool) -> tuple[float, str]:
    """Milliseconds from sending the request to its first body byte; the injected skills header."""
    payload = {"model": "fake", "stream": stream, "messages": [{"role": "user", "content": text}]}
    t = time.perf_counter()
    ms = None
    with client.stream("POST", f"{url}/chat/completions", json=payload) as response:
        response.raise_for_status()
        for _ in response.iter_raw():  # read to the end, so the connection is reused
            if ms is None:
                ms = (time.perf_counter() - t) * 1000
    if ms is None:
        raise RuntimeError("empty answer")
    return ms, response.headers.get("x-autoskill-skills", "")


def bench_size(n: int, provider: str, work: Path, repeats: int) -> list[Row]:
    home = work / f"home-{n}-{provider}"
    import_once(n, {"provider": provider}, cached_folders(n), home)
    queries = [f"{q} {r}" for r in range(repeats) for q in corpus.queries()[:50]]
    embedder = make_embedder({"provider": provider})
    assert embedder is not None
    for q in corpus.queries()[50:60]:
        embedder.embed_query(q)
    through: list[float] = []
    direct: list[float] = []
    embed: list[float] = []
    whole: list[float] = []
    whole_direct: list[float] = []
    injected = 0
    with upstream() as (up_url, systems), proxy(home, provider, up_url) as base, \
            httpx.Client(timeout=60) as client:
        for q in corpus.queries()[50:60]:  # warm up: connections, the model's first runs
            first_byte_ms(client, f"{base}/v1", q, stream=True)
        for q in queries:
            ms, skills = first_byte_ms(client, f"{base}/v1", q, stream=True)
            through.append(ms)
            injected += bool(skills)
            direct.append(first_byte_ms(client, up_url, q, stream=True)[0])
            t = time.perf_counter()
            embedder.embed_query(q + " again")  # the embedder alone, in this process, at the same moment
            embed.append((time.perf_counter() - t) * 1000)
        for q in queries[:50]:
            whole.append(first_byte_ms(client, f"{base}/v1", q + " whole", stream=False)[0])
            whole_direct.append(first_byte_ms(client, up_url, q + " whole", stream=False)[0])
        injected_requests = sum(1 for s in systems if s)
        # what the web UI asks for: one page of the list, the next page, a server-side search
        api, page_ms, next_ms, search_ms, health_ms = f"{base}/v1/autoskill", [], [], [], []
        for q in queries[:50]:
            t = time.perf_counter()
            first = client.get(f"{api}/skills", params={"limit": 50}).json()
            page_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            client.get(f"{api}/skills", params={"limit": 50, "cursor": first["next_cursor"]}).raise_for_status()
            next_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            client.post(f"{api}/skills/search", json={"query": q + " ui"}).raise_for_status()
            search_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            client.get(f"{base}/health").raise_for_status()
            health_ms.append((time.perf_counter() - t) * 1000)
    added = pct(through, 50) - pct(direct, 50)
    share = injected / len(queries)
    return [
        Row("first streamed byte p50 / p95, through the proxy", f"{pct(through, 50):.2f} / {pct(through, 95):.2f} ms",
            f"the upstream directly {pct(direct, 50):.2f} / {pct(direct, 95):.2f} ms",
            ratio(pct(through, 50), pct(direct, 50)),
            f"{len(queries)} new user messages; skills injected into {share:.0%} of them "
            f"({injected_requests} upstream requests carried a system message)"),
        Row("added before the first streamed byte, p50", f"{added:.2f} ms",
            f"embedding one message alone {pct(embed, 50):.2f} ms", ratio(added, pct(embed, 50)),
            "retrieval (embedding the message, hybrid search), injection, forwarding; target <= 20 ms at 5k"),
        Row("skill API (what the web UI asks): a page of 50, the next page, a search, p50",
            f"{pct(page_ms, 50):.1f} / {pct(next_ms, 50):.1f} / {pct(search_ms, 50):.1f} ms",
            f"GET /health {pct(health_ms, 50):.2f} ms", ratio(pct(page_ms, 50), pct(health_ms, 50)),
            f"{n:,} skills; paged by the store's cursor, searched on the server"),
        Row("whole answer, not streamed, p50", f"{pct(whole, 50):.2f} ms",
            f"the upstream directly {pct(whole_direct, 50):.2f} ms", ratio(pct(whole, 50), pct(whole_direct, 50)),
            "50 requests"),
    ]


def sections(quick: bool, sizes: list[int] | None = None, embeddings: str | None = None,
             repeats: int | None = None) -> list[tuple[str, list[Row]]]:
    """quick: 1k skills with hashing; full: 5k with the default MiniLM and with hashing."""
    if sizes:
        plan = [(n, e) for e in ([embeddings] if embeddings else ["minilm", "hashing"]) for n in sizes]
    else:
        plan = [(1000, "hashing")] if quick else [(5000, "minilm"), (5000, "hashing")]
    out = []
    with tempfile.TemporaryDirectory(prefix="autoskill-bench-serve-") as tmp:
        for n, e in plan:
            label = "minilm (default)" if e == "minilm" else e
            out.append((f"serve: {n:,} skills, {label}", bench_size(n, e, Path(tmp), repeats or (1 if quick else 3))))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5000")
    parser.add_argument("--embeddings", choices=["hashing", "minilm"], help="default: both")
    parser.add_argument("--repeats", type=int, default=3, help="passes over 50 held-out requests")
    args = parser.parse_args()
    for title, rows in sections(False, [int(x) for x in args.sizes.split(",")], args.embeddings, args.repeats):
        print(markdown(title, rows) + "\n", flush=True)


if __name__ == "__main__":
    main()
