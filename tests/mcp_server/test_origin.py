"""Only the server's own origin (same scheme, host and port) or a configured one may call it from a browser.

`Origin: http://localhost:<another port>` is another local web app (a dev server, a page a
malicious site loaded there): it used to be accepted because every loopback port was. Now it
gets 403; requests without an Origin (every non-browser client) are unaffected.
"""

from __future__ import annotations

from pathlib import Path

import httpx2

from .test_transports import HttpServer, free_port

BODY = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def status(url: str, origin: str | None) -> int:
    headers = {**ACCEPT, **({"Origin": origin} if origin else {})}
    with httpx2.Client(timeout=10) as h:
        return h.post(url, json=BODY, headers=headers).status_code


def test_only_the_servers_own_origin_is_accepted(home: Path) -> None:
    other = free_port()
    srv = HttpServer(home, "--allowed-origin", f"http://localhost:{other + 1}")
    try:
        own = srv.port
        for origin in (None, f"http://127.0.0.1:{own}", f"http://localhost:{own}", f"http://[::1]:{own}",
                       f"http://localhost:{other + 1}"):
            assert status(srv.url, origin) != 403, origin  # past the origin check (the SDK then wants a session)
        for origin in (f"http://localhost:{other}", f"http://127.0.0.1:{other}", f"http://[::1]:{other}",
                       f"https://localhost:{own}", "http://localhost", f"http://localhost:{own}.evil.example",
                       f"http://evil.example:{own}", "null"):
            assert status(srv.url, origin) == 403, origin
    finally:
        srv.stop()
