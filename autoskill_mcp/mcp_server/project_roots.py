"""Which repository an MCP request works in, so scope `project` serves that repository's own skills.

A 2025-era client that declares the roots capability says it: the `file://` roots it lists
(`roots/list`), asked once per connection and asked again after `notifications/roots/list_changed`.
Otherwise a stdio server uses the folder it was started in (an agent starts it in its
workspace); an HTTP server uses no project: its requests come from other processes, whose
working folder it cannot know. Over HTTP a session's roots are honoured only on a loopback
server (the client's paths name files on this machine only when it runs here). Every
connection keeps its own roots: one session never sees another's project.

(The 2026-07-28 protocol drops roots; those clients get the stdio folder, or none.)
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import anyio

from ..errors import InvalidInputError
from .settings import McpSettings

if TYPE_CHECKING:  # the project index (numpy, the SKILL.md parser) loads on the first request that needs it
    from ..runtime.project import ProjectSkills

log = logging.getLogger(__name__)

#: how long a `roots/list` may take before the request goes on without the client's roots
LIST_ROOTS_SECONDS = 10.0
#: connections whose roots are remembered (the oldest is asked again when it comes back)
MAX_CONNECTIONS = 1024


def path_of_uri(uri: str) -> Path | None:
    """The local folder of a `file://` root (None for any other scheme, or a remote host's file)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        return None
    path = unquote(parsed.path)
    return Path(path) if path else None


class SessionRoots:
    """The project of each connection: its client's roots when it has them, else the server's default."""

    def __init__(self, settings: McpSettings) -> None:
        self.settings = settings
        #: the folder the server was started in, read now: a later chdir must not move the project
        self.started_in = settings.project if settings.project is not None else Path.cwd()
        self._defaults: tuple[ProjectSkills, ProjectSkills] | None = None
        self._lock = threading.Lock()
        # connection key -> (the connection's initialize params, held so the key is never reused; its project)
        self._known: OrderedDict[int, tuple[Any, ProjectSkills]] = OrderedDict()
        #: moves with every roots/list_changed: an answer asked for before one is not kept
        self._epoch = 0

    async def project(self, request_context: Any) -> ProjectSkills:
        """The project a request (a `ServerRequestContext` or an MCPServer `Context`) works in."""
        rc = getattr(request_context, "request_context", request_context)
        session = getattr(rc, "session", None)
        params = getattr(session, "client_params", None)
        caps = getattr(params, "capabilities", None)
        over_http = getattr(rc, "request", None) is not None
        default = self.default(over_http=over_http)
        if session is None or params is None or getattr(caps, "roots", None) is None:
            return default
        if over_http and not self.settings.loopback:
            return default  # an HTTP client elsewhere: its file:// roots are not this machine's
        key = id(params)
        with self._lock:
            held = self._known.get(key)
            if held is not None and held[0] is params:
                self._known.move_to_end(key)
                return held[1]
            epoch = self._epoch
        try:
            with anyio.fail_after(LIST_ROOTS_SECONDS), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # roots are deprecated in 2026-07-28; only legacy links get here
                result = await session.list_roots()
        except Exception as exc:  # noqa: BLE001 - a client that cannot answer gets the default project
            log.warning("roots/list failed (%s): using %s", exc, ", ".join(map(str, default.roots)) or "no project")
            return default
        paths = [p for p in (path_of_uri(str(r.uri)) for r in result.roots) if p is not None and p.is_dir()]
        project = await anyio.to_thread.run_sync(_project, paths)
        with self._lock:
            if self._epoch == epoch:  # else the roots changed meanwhile: ask again next time
                self._known[key] = (params, project)
                while len(self._known) > MAX_CONNECTIONS:
                    self._known.popitem(last=False)
        return project

    def default(self, *, over_http: bool) -> ProjectSkills:
        """The project of a request whose client gives no roots: over stdio the server's folder, over HTTP
        only a `--project` the server was given."""
        if self._defaults is None:
            given = self.settings.project
            self._defaults = (_project([self.started_in]), _project([given] if given is not None else []))
        return self._defaults[1 if over_http else 0]

    def changed(self, request_context: Any) -> None:
        """`notifications/roots/list_changed`: ask this connection's client again on its next request."""
        rc = getattr(request_context, "request_context", request_context)
        params = getattr(getattr(rc, "session", None), "client_params", None)
        if params is None:
            return
        with self._lock:
            self._epoch += 1
            held = self._known.get(id(params))
            if held is not None and held[0] is params:
                del self._known[id(params)]


def _project(folders: list[Path]) -> ProjectSkills:
    """The project of these folders; one that is gone (removed since it was named) is left out, logged."""
    from ..runtime.project import ProjectSkills

    kept = [f for f in folders if f.is_dir()]
    if len(kept) < len(folders):
        log.warning("project folders gone, left out: %s", ", ".join(str(f) for f in folders if f not in kept))
    try:
        return ProjectSkills(kept)
    except InvalidInputError as exc:  # removed between the check and the read
        log.warning("no project: %s", exc)
        return ProjectSkills()
