"""Skills as MCP resources (both eras) and the SEP-2640 methods (2026-07-28): `skills/list`,
`skills/get` and the optional `resources/directory/read` (declared with `directoryRead`).

Every file of every skill the user can see is a resource at
`skill://<name>/<file>`; reads return the exact stored bytes (text when they are
UTF-8 without NUL, else base64), and the `skills/*` manifests hash those same
bytes. Unknown skills and files are JSON-RPC -32602.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import anyio
from mcp.server.context import ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.shared.exceptions import MCPError
from mcp.types import (
    INVALID_PARAMS,
    BlobResourceContents,
    PaginatedRequestParams,
    ReadResourceResult,
    RequestParams,
    TextResourceContents,
)
from mcp.types import Resource as MCPResource

from ..errors import AutoSkillError, InvalidInputError
from ..store.base import decode_cursor, encode_cursor
from . import skill_files as sf
from .identity import user_of
from .state import ServerState

if TYPE_CHECKING:
    from ..runtime.project import ProjectSkills

SKILLS_EXTENSION = "io.modelcontextprotocol/skills"
MODERN = frozenset({"2026-07-28"})
SKILLS_PAGE = 50
#: our own data on `skills/*` entries, under our reverse-DNS prefix (SEP-2640 reserves its own)
META_KEY = "io.autoskill/skill"


def _entry(published: sf.Published) -> dict[str, Any]:
    entry = published.entry()
    s = published.summary
    entry["_meta"] = {META_KEY: {"id": s.id, "version": s.version, "scope": s.scope, "updatedAt": s.updated_at}}
    return entry


def _offset(cursor: str | None) -> int:
    """The store's cursor, a bad one as the JSON-RPC invalid-params error."""
    try:
        return decode_cursor(cursor)
    except InvalidInputError as exc:
        raise MCPError(INVALID_PARAMS, str(exc)) from None


def list_resources(
    state: ServerState, user: str, cursor: str | None, page: int, project: ProjectSkills | None = None
) -> tuple[list[MCPResource], str | None]:
    """One page of every skill file the user can see (`resources/list`), the project's among them."""
    start = _offset(cursor)
    store = state.view(project).store
    out: list[MCPResource] = []
    index = 0
    for summary in store.visible(user):
        try:
            files = store.list_files(summary.id)  # NotFoundError once gone (a store need not have folders)
        except AutoSkillError:
            continue
        if len(files) + 1 > sf.MAX_FILES:
            continue
        entries = [(sf.SKILL_FILE, None)] + [(f.path, f.size) for f in files]
        for path, size in entries:
            if index >= start + page:
                return out, encode_cursor(index)
            if index >= start:
                if path == sf.SKILL_FILE:
                    out.append(MCPResource(uri=sf.skill_md_uri(summary.name), name=summary.name,
                                           description=summary.description, mime_type="text/markdown"))
                else:
                    out.append(MCPResource(uri=f"{sf.SCHEME}{summary.name}/{path}", name=path.rsplit("/", 1)[-1],
                                           mime_type=_file_mime(store, summary.id, path), size=size))
            index += 1
    return out, None


def _file_mime(store: Any, skill_id: str, path: str) -> str:
    """The MIME type of a skill file, reading it only when the extension does not tell."""
    mime = sf.mime_type(path, b"") if "." in path.rsplit("/", 1)[-1] else None
    if mime is None or mime in ("text/plain", "application/octet-stream"):
        mime = sf.mime_type(path, store.read_file(skill_id, path))
    return mime


def directory_read(state: ServerState, user: str, uri: str, cursor: str | None, page: int = 100,
                   project: ProjectSkills | None = None) -> dict[str, Any]:
    """SEP-2640 `resources/directory/read`: the direct children of a skill's root or one of its folders."""
    rest = uri[len(sf.SCHEME):] if uri.startswith(sf.SCHEME) else ""
    name, _, sub = rest.partition("/")
    store = state.view(project).store
    summary = sf.find_visible(store, user, name) if name and not sub.endswith("/") else None
    if summary is None:
        raise MCPError(INVALID_PARAMS, f"Unknown directory: {uri}", {"uri": uri})
    paths = [sf.SKILL_FILE] + [f.path for f in store.list_files(summary.id)]
    prefix = f"{sub}/" if sub else ""
    children: dict[str, bool] = {}  # child name -> is a directory
    for path in paths:
        if path.startswith(prefix):
            head, sep, _ = path[len(prefix):].partition("/")
            children[head] = children.get(head, False) or bool(sep)
    if not children:
        raise MCPError(INVALID_PARAMS, f"Not a directory: {uri}", {"uri": uri})
    start = _offset(cursor)
    names = sorted(children)
    items = []
    for child in names[start:start + page]:
        child_uri = f"{sf.SCHEME}{name}/{prefix}{child}"
        mime = "inode/directory" if children[child] else _file_mime(store, summary.id, prefix + child)
        items.append({"uri": child_uri, "name": child, "mimeType": mime})
    result: dict[str, Any] = {"resultType": "complete", "resources": items}
    if start + page < len(names):
        result["nextCursor"] = encode_cursor(start + page)
    return result


class DirectoryReadParams(RequestParams):
    uri: str
    cursor: str | None = None


def read_resource(state: ServerState, user: str, uri: str, project: ProjectSkills | None = None) -> ReadResourceResult:
    """The bytes of one skill file (`resources/read`)."""
    try:
        name, path = sf.split_uri(uri)
    except AutoSkillError as exc:
        raise MCPError(INVALID_PARAMS, str(exc), {"uri": uri}) from None
    store = state.view(project).store
    summary = sf.find_visible(store, user, name)
    if summary is None:
        raise MCPError(INVALID_PARAMS, f"Unknown skill: {name!r}", {"uri": uri})
    try:
        if path == sf.SKILL_FILE:
            data = store.read_skill_md(summary.id)  # never straight from the folder: links are not followed
        else:
            data = store.read_file(summary.id, path)
    except (AutoSkillError, OSError):
        raise MCPError(INVALID_PARAMS, f"Unknown resource: {uri}", {"uri": uri}) from None
    file = sf.PublishedFile(uri, path, data, sf.mime_type(path, data))
    text = file.text
    if text is not None:
        return ReadResourceResult(contents=[TextResourceContents(uri=uri, text=text, mime_type=file.mime_type)])
    return ReadResourceResult(contents=[BlobResourceContents(uri=uri, blob=base64.b64encode(data).decode(),
                                                             mime_type=file.mime_type)])


class SkillsGetParams(RequestParams):
    uri: str


def skills_list(state: ServerState, user: str, cursor: str | None,
                project: ProjectSkills | None = None) -> dict[str, Any]:
    start = _offset(cursor)
    store = state.view(project).store
    summaries = store.visible(user)
    skills: list[dict[str, Any]] = []
    index = start
    while index < len(summaries) and len(skills) < SKILLS_PAGE:
        try:
            skills.append(_entry(sf.publish(store, summaries[index])))
        except (AutoSkillError, OSError):
            pass  # over the limits or gone meanwhile: a partial listing is allowed
        index += 1
    result: dict[str, Any] = {"resultType": "complete", "skills": skills, "ttlMs": 0, "cacheScope": "private"}
    if index < len(summaries):
        result["nextCursor"] = encode_cursor(index)
    return result


def skills_get(state: ServerState, user: str, uri: str, project: ProjectSkills | None = None) -> dict[str, Any]:
    try:
        name, path = sf.split_uri(uri)
    except AutoSkillError:
        raise MCPError(INVALID_PARAMS, f"Unknown skill URI: {uri}") from None
    store = state.view(project).store
    summary = sf.find_visible(store, user, name) if path == sf.SKILL_FILE else None
    if summary is None:
        raise MCPError(INVALID_PARAMS, f"Unknown skill URI: {uri}")
    try:
        entry = _entry(sf.publish(store, summary))
    except AutoSkillError as exc:
        raise MCPError(INVALID_PARAMS, f"Skill {uri} cannot be served: {exc}") from None
    return {"resultType": "complete", "skill": entry, "ttlMs": 0, "cacheScope": "private"}


class SkillsExtension(Extension):
    """SEP-2640: `skills/list` and `skills/get`, bound for 2026-07-28 only (like the reference servers)."""

    identifier = SKILLS_EXTENSION

    def __init__(self, state: ServerState) -> None:
        self.state = state

    def settings(self) -> dict[str, Any]:
        return {"directoryRead": True}

    def methods(self) -> list[MethodBinding]:
        state = self.state

        async def on_list(ctx: ServerRequestContext[Any, Any], params: PaginatedRequestParams | None) -> dict[str, Any]:
            cursor = params.cursor if params is not None else None
            project = await state.roots.project(ctx)
            return await anyio.to_thread.run_sync(skills_list, state, user_of(ctx, state), cursor, project)

        async def on_get(ctx: ServerRequestContext[Any, Any], params: SkillsGetParams) -> dict[str, Any]:
            project = await state.roots.project(ctx)
            return await anyio.to_thread.run_sync(skills_get, state, user_of(ctx, state), params.uri, project)

        async def on_directory(ctx: ServerRequestContext[Any, Any], params: DirectoryReadParams) -> dict[str, Any]:
            project = await state.roots.project(ctx)
            return await anyio.to_thread.run_sync(directory_read, state, user_of(ctx, state), params.uri,
                                                  params.cursor, 100, project)

        return [
            MethodBinding("skills/list", PaginatedRequestParams, on_list, protocol_versions=MODERN),
            MethodBinding("skills/get", SkillsGetParams, on_get, protocol_versions=MODERN),
            MethodBinding("resources/directory/read", DirectoryReadParams, on_directory, protocol_versions=MODERN),
        ]
