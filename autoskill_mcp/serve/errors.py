"""Errors in OpenAI's shape (`{"error": {"message", "type", "param", "code"}}`), so OpenAI clients show them."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


def openai_error(status: int, message: str, *, kind: str = "invalid_request_error", code: str | None = None,
                 param: str | None = None, details: dict[str, Any] | None = None) -> JSONResponse:
    """A JSON error response the official clients turn into their APIError subclass for `status`;
    `details` adds fields to the error object (the skill API's SKILL.md diagnostics)."""
    return JSONResponse({"error": {"message": message, "type": kind, "param": param, "code": code,
                                   **(details or {})}}, status_code=status)


def bad_request(message: str, *, param: str | None = None) -> JSONResponse:
    """400: the request itself is wrong (nothing was sent upstream)."""
    return openai_error(400, message, param=param, code="invalid_request")
