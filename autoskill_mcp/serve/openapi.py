"""The OpenAPI 3.1 document of the skill API, generated from its route table and its pydantic models.

Nothing here is written by hand per route: each `Endpoint` names its method, path, models and
media type, the app's routes are built from the same list, and the document from it too, so a
route cannot exist undocumented (tests/serve/test_skill_api.py checks both ways).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from .. import __version__
from .skill_api_models import ErrorOut

Handler = Callable[[Any], Awaitable[Any]]

#: the statuses every route may answer with, besides its own
ERRORS = {"400": "bad input", "401": "a token is required or unknown", "404": "no such skill, job or version",
          "413": "the body is over the server's limit", "503": "the store is not open"}


@dataclass(frozen=True)
class Endpoint:
    """One route: what it takes and what it answers, as the app and the document both need it."""

    method: str
    path: str
    handler: Handler
    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    #: the media type of a success that is not JSON (SKILL.md text, a zip, an event stream)
    media: str = "application/json"
    status: int = 200
    #: statuses this route adds to ERRORS, with what they mean
    errors: tuple[tuple[int, str], ...] = ()
    #: a body that may also be sent as this media type instead of JSON
    raw_body: str | None = None


def _schema(model: type[BaseModel], defs: dict[str, Any], *, mode: str = "validation") -> dict[str, Any]:
    """`model`'s schema with its sub-models moved to components (referenced from there)."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}",
                                     mode=mode)  # type: ignore[arg-type]
    defs.update(schema.pop("$defs", {}))
    defs[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def doc_path(path: str) -> str:
    """A route's path as OpenAPI writes it: `{path:path}` (Starlette's convertor) is `{path}`."""
    return re.sub(r"{(\w+):\w+}", r"{\1}", path)


def _parameters(path: str, query: type[BaseModel] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                                 for name in re.findall(r"{(\w+)(?::\w+)?}", path)]
    if query is not None:
        props = query.model_json_schema(by_alias=True).get("properties", {})
        for name, field in query.model_fields.items():
            key = field.alias or name
            out.append({"name": key, "in": "query", "required": field.is_required(),
                        "description": field.description or "", "schema": props.get(key, {})})
    return out


def document(endpoints: list[Endpoint], *, server_url: str | None = None) -> dict[str, Any]:
    """The OpenAPI document for `endpoints`."""
    defs: dict[str, Any] = {}
    error_ref = _schema(ErrorOut, defs, mode="serialization")
    paths: dict[str, dict[str, Any]] = {}
    for e in endpoints:
        ok: dict[str, Any] = {"description": "success"}
        if e.response is not None:
            ok["content"] = {e.media: {"schema": _schema(e.response, defs, mode="serialization")}}
        elif e.media == "text/event-stream":
            ok["content"] = {e.media: {"schema": {"type": "string", "description": "Server-Sent Events"}}}
        else:
            ok["content"] = {e.media: {"schema": {"type": "string", "format": "binary" if "zip" in e.media
                                                  else "text"}}}
        responses: dict[str, Any] = {str(e.status): ok}
        for status, what in [*ERRORS.items(), *((str(s), w) for s, w in e.errors)]:
            responses[status] = {"description": what, "content": {"application/json": {"schema": error_ref}}}
        op: dict[str, Any] = {"summary": e.summary, "operationId": e.handler.__name__,
                              "parameters": _parameters(e.path, e.query), "responses": responses}
        if e.body is not None:
            content = {"application/json": {"schema": _schema(e.body, defs)}}
            if e.raw_body is not None:
                binary = {} if e.raw_body.startswith("text/") else {"format": "binary"}
                content[e.raw_body] = {"schema": {"type": "string", **binary}}
            op["requestBody"] = {"required": True, "content": content}
        paths.setdefault(doc_path(e.path), {})[e.method.lower()] = op
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "autoskill skill API", "version": __version__,
                 "description": "Skills, search, imports and extraction jobs of `autoskill serve`."},
        "paths": paths,
        "components": {"schemas": dict(sorted(defs.items())),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{}, {"bearer": []}],
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc
