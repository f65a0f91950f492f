"""The web UI of `autoskill serve`: static files from the package, at `/` and `/ui/...`.

The UI is plain HTML, CSS and ES modules in `webui/` (no build step, nothing from a CDN, so it
works offline) and talks only to the skill API of the same process: there is no second backend.
Its routes sit behind the proxy's Host/Origin checks like every other route (but need no token:
the files hold no data, and the page sends the token the user gives it on every API call), and every answer
carries a strict Content-Security-Policy (no inline script or style, no other origin), so a
skill's text shown in a page can never run as code there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import openai_error

if TYPE_CHECKING:
    from .app import Proxy

ASSETS = Path(__file__).with_name("webui")
#: what a page may load: its own origin's scripts, styles, images and API, nothing else
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "X-Frame-Options": "DENY", "Cache-Control": "no-cache"}
MEDIA = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}
#: an asset's name: one plain file name, so no path can leave the folder
NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\.[a-z]+")


class WebUi:
    """The UI's routes over one proxy (its guard checks are the API's)."""

    def __init__(self, proxy: Proxy, assets: Path = ASSETS) -> None:
        self.proxy, self.assets = proxy, assets

    @staticmethod
    def serves(path: str) -> bool:
        """`path` names one of the UI's files (`/ui/<name>`), which need no token."""
        return path.startswith("/ui/") and NAME.fullmatch(path[len("/ui/"):]) is not None

    def file(self, name: str) -> Response:
        suffix = Path(name).suffix
        path = self.assets / name
        if not NAME.fullmatch(name) or suffix not in MEDIA or not path.is_file():
            return openai_error(404, f"no such file in the web UI: {name}", code="no_route")
        return Response(path.read_bytes(), media_type=MEDIA[suffix], headers=HEADERS)

    async def index(self, request: Request) -> Response:
        if (refusal := await self.proxy.refused(request, post=False)) is not None:
            return refusal
        return self.file("index.html")

    async def asset(self, request: Request) -> Response:
        if (refusal := await self.proxy.refused(request, post=False)) is not None:
            return refusal
        return self.file(str(request.path_params["name"]))

    def routes(self) -> list[Route]:
        return [Route("/", self.index, methods=["GET"]), Route("/ui/{name}", self.asset, methods=["GET"])]
