"""Errors in OpenAI's shape (`{"error": {"message", "type", "param", "code"}}`), so OpenAI clients show them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from ..mcp_server.http import BodyLimit


def openai_error(status: int, message: str, *, kind: str = "invalid_request_error", code: str | None = None,
                 param: str | None = None, details: dict[str, Any] | None = None) -> JSONResponse:
    """A JSON error response the official clients turn into their APIError subclass for `status`;
    `details` adds fields to the error object (the skill API's SKILL.md diagnostics)."""
    return JSONResponse({"error": {"message": message, "type": kind, "param": param, "code": code,
                                   **(details or {})}}, status_code=status)


def bad_request(message: str, *, param: str | None = None) -> JSONResponse:
    """400: the request itself is wrong (nothing was sent upstream)."""
    return openai_error(400, message, param=param, code="invalid_request")


def openai_too_large(max_body: int) -> JSONResponse:
    """413 in OpenAI's shape, like every other refusal of `autoskill serve`."""
    from ..mcp_server.http import too_large_message

    return openai_error(413, too_large_message(max_body), code="body_too_large")


def json_body_limit(app: ASGIApp, max_body: int) -> BodyLimit:
    """`app` behind the body limit (413 past `max_body` bytes, declared or streamed), refusals in OpenAI's shape."""
    from ..mcp_server.http import BodyLimit

    return BodyLimit(app, max_body, openai_too_large)
