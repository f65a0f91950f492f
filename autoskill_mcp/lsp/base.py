"""The server object: settings, document snapshots, the store service and what the client supports.

Its own module so feature modules can import the class at run time (pygls reads
command handlers' type hints) without importing the wiring in ``server.py``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .. import __version__
from .documents import Documents, Snapshot, is_skill_md
from .options import ServerOptions
from .store import StoreService

log = logging.getLogger(__name__)

NAME = "autoskill-lsp"


class AutoskillServer(LanguageServer):
    """A pygls server holding the settings, the open documents' snapshots and the store."""

    def __init__(self) -> None:
        super().__init__(NAME, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.options = ServerOptions()
        self.documents = Documents()
        self.store = StoreService(None, None, self._store_changed)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.files_seq = 0
        self.pull_supported = False
        self.refresh_supported = False
        self.supports_rename = False
        #: re-checks every open document; set by ``server.create_server`` to ``diagnostics.refresh_all``, so this
        #: module, which the feature modules import for their type hints, imports none of them
        self.diagnostics_refresher: Callable[[AutoskillServer], None] = lambda _ls: None

    # -- state shared by the features --------------------------------------------------------------

    def is_ours(self, uri: str) -> bool:
        return is_skill_md(uri)

    def snapshot(self, uri: str) -> Snapshot | None:
        """The analysis of the document's current text (None for documents that are not SKILL.md)."""
        if not self.is_ours(uri):
            return None
        doc = self.workspace.get_text_document(uri)
        encoding = self.workspace.position_encoding
        return self.documents.get(doc, getattr(encoding, "value", encoding), self.options.profile)

    def call_on_loop(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the event loop (writes to the client are not thread-safe)."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(fn)

    def refresh_diagnostics(self) -> None:
        """Store, files or settings changed: every open document's diagnostics may have too."""
        self.diagnostics_refresher(self)

    def _store_changed(self) -> None:
        self.call_on_loop(self.refresh_diagnostics)

    def report_server_error(self, error: Exception, source: Any) -> None:
        # Log instead of popping a window at the user for every out-of-band failure.
        log.error("autoskill language server error (%s): %s", getattr(source, "__name__", source), error)
