"""The autoskill language server: pygls wiring only. Each feature is a plain function in its own module.

``create_server()`` builds a server; ``python -m autoskill_mcp lsp`` runs one on
stdio (``--tcp`` for debugging). The state shared by features lives on
:class:`AutoskillServer`: settings, document snapshots, the store service.
"""

from __future__ import annotations

import asyncio
import logging
import os

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.uris import to_fs_path

from . import actions, commands, completion, diagnostics, hover, symbols
from .base import AutoskillServer
from .options import ServerOptions
from .store import StoreService

log = logging.getLogger(__name__)

WATCH_REGISTRATION = "autoskill-watch"


# -- lifecycle handlers ---------------------------------------------------------------------------------


def initialize(ls: AutoskillServer, params: types.InitializeParams) -> None:
    """Read the settings, note what the client supports, start opening the store."""
    ls.loop = asyncio.get_running_loop()
    ls.options = ServerOptions.from_json(params.initialization_options)
    caps = params.capabilities
    ls.pull_supported = get_capability(caps, "text_document.diagnostic", None) is not None
    ls.refresh_supported = bool(get_capability(caps, "workspace.diagnostics.refresh_support", False))
    ops = get_capability(caps, "workspace.workspace_edit.resource_operations", None) or []
    ls.supports_rename = bool(get_capability(caps, "workspace.workspace_edit.document_changes", False)) and any(
        getattr(op, "value", op) == "rename" for op in ops)
    ls.store = StoreService(ls.options.home, ls.options.user, ls._store_changed)
    ls.store.start()


async def initialized(ls: AutoskillServer, params: types.InitializedParams) -> None:
    """Watch files in skill folders (links and licences point at them) when the client allows it."""
    for problem in ls.options.problems:
        ls.window_log_message(types.LogMessageParams(type=types.MessageType.Warning, message=problem))
    if not get_capability(ls.client_capabilities, "workspace.did_change_watched_files.dynamic_registration", False):
        return
    watchers = [types.FileSystemWatcher(glob_pattern="**/*")]
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
            id=WATCH_REGISTRATION, method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))
    except Exception as exc:  # a client that refuses still gets every other feature
        log.warning("client refused to watch files: %s", exc)


def shutdown(ls: AutoskillServer, params: None) -> None:
    ls.store.stop()


def did_open(ls: AutoskillServer, params: types.DidOpenTextDocumentParams) -> None:
    diagnostics.publish(ls, params.text_document.uri)


def did_change(ls: AutoskillServer, params: types.DidChangeTextDocumentParams) -> None:
    diagnostics.publish(ls, params.text_document.uri)


def did_save(ls: AutoskillServer, params: types.DidSaveTextDocumentParams) -> None:
    # The folder may have appeared on disk (an untitled file saved): file checks can run now.
    ls.documents.forget(params.text_document.uri)
    diagnostics.publish(ls, params.text_document.uri)


def did_close(ls: AutoskillServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.documents.forget(params.text_document.uri)
    diagnostics.clear(ls, params.text_document.uri)


def did_change_watched_files(ls: AutoskillServer, params: types.DidChangeWatchedFilesParams) -> None:
    """A file next to an open SKILL.md, or any SKILL.md, changed: links, licence, folder and name checks may change."""
    open_dirs = {os.path.dirname(to_fs_path(uri) or "") for uri in ls.workspace.text_documents if ls.is_ours(uri)}
    for change in params.changes:
        path = to_fs_path(change.uri) or ""
        # A SKILL.md anywhere may rename a sibling of an open skill (SKL070).
        if os.path.basename(path) == "SKILL.md" or any(d and (path == d or path.startswith(d + os.sep))
                                                       for d in open_dirs):
            ls.files_seq += 1
            ls.refresh_diagnostics()
            return


def did_change_configuration(ls: AutoskillServer, params: types.DidChangeConfigurationParams) -> None:
    """``{"autoskill": {"profile": ...}}`` switches the profile without a restart."""
    settings = params.settings
    section = settings.get("autoskill") if isinstance(settings, dict) else None
    if isinstance(section, dict) and "profile" in section:
        ls.options = ls.options.with_profile(section["profile"])
        ls.refresh_diagnostics()


# -- wiring -----------------------------------------------------------------------------------------------


def create_server() -> AutoskillServer:
    """A server with every feature registered."""
    ls = AutoskillServer()
    ls.diagnostics_refresher = diagnostics.refresh_all
    feature = ls.feature
    feature(types.INITIALIZE)(initialize)
    feature(types.INITIALIZED)(initialized)
    feature(types.SHUTDOWN)(shutdown)
    feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    feature(types.TEXT_DOCUMENT_DID_SAVE)(did_save)
    feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
    feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)
    feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    feature(types.TEXT_DOCUMENT_DIAGNOSTIC,
            types.DiagnosticOptions(identifier="autoskill", inter_file_dependencies=True,
                                    workspace_diagnostics=False))(diagnostics.pull)
    feature(types.TEXT_DOCUMENT_COMPLETION,
            types.CompletionOptions(trigger_characters=completion.TRIGGER_CHARACTERS))(completion.complete)
    feature(types.TEXT_DOCUMENT_HOVER)(hover.hover)
    feature(types.TEXT_DOCUMENT_CODE_ACTION,
            types.CodeActionOptions(code_action_kinds=actions.KINDS))(actions.code_actions)
    feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(symbols.document_symbols)
    for name, fn in ((commands.SEARCH, commands.search_skills), (commands.SAVE, commands.save_to_store),
                     (commands.VERSIONS, commands.show_versions)):
        ls.thread()(ls.command(name)(fn))
    ls.command(commands.OPEN_STORED)(commands.open_stored_skill)
    return ls
